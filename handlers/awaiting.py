"""A coordinator's next words, when a button asked for them (`Add note`, `Message
resident`, an announcement's text): what they wait for is kept in user_data with when it
was asked, and is forgotten after MUTUALAID_FLOW_TIMEOUT or on /cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import Update

from handlers.context import Ctx

KEY = "awaiting"  # user_data

# What each kind of wait does with the words: (update, context, what was kept, the words).
Taker = Callable[[Update, Ctx, dict[str, Any], str], Awaitable[None]]
TAKERS: dict[str, Taker] = {}


def expect(context: Ctx, kind: str, **data: Any) -> None:
    """The next text this person sends outside a flow is for `kind`."""
    assert context.user_data is not None
    context.user_data[KEY] = {"kind": kind, "at": context.services.now().isoformat(), **data}


def waiting(context: Ctx) -> dict[str, Any] | None:
    """What this person's next words are for, unless it was asked too long ago."""
    data = context.user_data.get(KEY) if context.user_data is not None else None
    if not isinstance(data, dict) or data.get("kind") not in TAKERS:
        return None
    s = context.services
    try:
        asked = datetime.fromisoformat(str(data.get("at")))
    except ValueError:
        asked = None
    if asked is None or asked.tzinfo is None or s.now() - asked > s.flow_timeout:
        stop(context)
        return None
    return data


def stop(context: Ctx) -> dict[str, Any] | None:
    """Nothing is waited for any more; what was."""
    if context.user_data is None:
        return None
    data = context.user_data.pop(KEY, None)
    return data if isinstance(data, dict) else None
