"""One error handler for everything: log with the update's id, tell the user kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden

from handlers import texts
from handlers.context import Ctx

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Ctx) -> None:
    """Log the failure (never the token) and apologise to the person, if there is one."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        await context.services.store.people.mark_unreachable(update.effective_user.id)
        logger.info("Update %s: the user has blocked the bot", update_id)
        return
    if isinstance(error, BadRequest) and "message is not modified" in error.message.lower():
        # A doubled or late press: the message already shows what we meant to show.
        logger.info("Update %s: message already up to date", update_id)
        return
    logger.error("Update %s failed", update_id, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(texts.SOMETHING_WENT_WRONG)
        except Exception:  # Telegram itself may be what is failing
            logger.warning("Update %s: could not apologise to the user", update_id)
