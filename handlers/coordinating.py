"""Coordinators in the chat (product.md): people by name, a need in full, volunteers,
announcements and command menus, gathered for the composition root."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from handlers.announce import announce_handlers, send_announcement
from handlers.context import Ctx
from handlers.jobs import Performer
from handlers.needactions import needaction_handlers
from handlers.needview import needview_handlers, needview_text_handlers
from handlers.people import people_handlers
from handlers.volunteers import volunteers_handlers


def coordinating_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """Commands and buttons: they work whatever flow the coordinator is in."""
    return [
        *people_handlers(),
        *needview_handlers(),
        *needaction_handlers(),
        *volunteers_handlers(),
        *announce_handlers(),
    ]


def coordinating_text_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """Text outside a flow that is for them: `#12`, and the words a button asked for."""
    return [*needview_text_handlers()]


def coordinating_performers() -> dict[str, Performer]:
    """Timed work whose performers live here (bot/app.py adds them to jobs.PERFORMERS)."""
    return {"announcement": send_announcement}
