"""One error handler for everything: log with the update's id, tell the user kindly."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Update
from telegram.error import BadRequest, Forbidden

from handlers import texts
from handlers.context import Ctx

logger = logging.getLogger(__name__)


class RedactSecrets(logging.Filter):
    """Takes the bot's token (and its secret half) out of every record, tracebacks too: an
    error from the HTTP layer may carry the request URL, and the URL carries the token."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = sorted({x for x in secrets if len(x) >= 8}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[token]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self._clean(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def redact_token(token: str, handlers: Iterable[logging.Handler] | None = None) -> None:
    """Every log handler (the root logger's, unless given) drops the token from its output."""
    secret = RedactSecrets(token, token.partition(":")[2])
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        handler.addFilter(secret)


async def _saved_anything(context: Ctx, update_id: int | None) -> bool:
    """Whether this update changed anything: every change it committed recorded its id in
    the same transaction (storage.db.tx). If the database can't say, it saved nothing."""
    if update_id is None:
        return False
    try:
        return await context.services.store.safety.processed(update_id)
    except Exception:
        return False


async def on_error(update: object, context: Ctx) -> None:
    """Log the failure with the update's id (never the token: see RedactSecrets) and tell the
    person something went wrong, but only when nothing of what they did was saved.

    The rule, simply: if any change from this update reached the database (its id is in
    `processed_updates`), their action took effect and the bot's own messages follow from
    it, so "please try again" would be wrong and could make a duplicate; say nothing. If
    nothing reached the database, say sorry and ask them to try again.
    """
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
    saved = await _saved_anything(context, update_id)
    logger.error(
        "Update %s failed (%s)",
        update_id,
        "after saving its changes" if saved else "nothing saved",
        exc_info=error,
    )
    if isinstance(update, Update) and update.effective_chat is not None and not saved:
        try:
            await update.effective_chat.send_message(texts.SOMETHING_WENT_WRONG)
        except Exception:  # Telegram itself may be what is failing
            logger.warning("Update %s: could not apologise to the user", update_id)
