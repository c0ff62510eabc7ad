"""One error handler for everything: log with the update's id, tell the user kindly."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Update

from handlers import outbox, texts
from handlers.context import Ctx
from storage.db import current_unit

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


async def on_error(update: object, context: Ctx) -> None:
    """Log the failure with the update's id (never the token: see RedactSecrets), undo
    everything the update did, and tell the person kindly to try again.

    An update is one unit of work (bot.app): when any part of it fails, none of it is kept
    and nothing it owed anyone is sent, so "please try again" is always true and can never
    make a duplicate.
    """
    update_id = update.update_id if isinstance(update, Update) else None
    unit = current_unit()
    if unit is not None:
        unit.abort()
    logger.error("Update %s failed; nothing it did was kept", update_id, exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and unit is not None:
        outbox.soon(lambda: chat.send_message(texts.SOMETHING_WENT_WRONG))
