"""Reaching Telegram at start-up: while it can't be reached, say so in one line and try again,
waiting longer each time, until it answers or the bot is asked to stop."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import Application

FIRST_WAIT = 1.0  # seconds before the second attempt
LONGEST_WAIT = 60.0


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def describe(exc: BaseException) -> str:
    """The reason, in a few words: `All connection attempts failed`, `Timed out`."""
    text = str(exc).strip() or type(exc).__name__
    return text.removeprefix("httpx.").split("\n", 1)[0][:200]


async def initialize(
    app: Application[Any, Any, Any, Any, Any, Any],
    stop: asyncio.Event,
    where: str,
    *,
    first: float = FIRST_WAIT,
    longest: float = LONGEST_WAIT,
    say: Callable[[str], None] = _say,
) -> bool:
    """`app.initialize()`, again and again while Telegram can't be reached, one line each
    time. False if asked to stop first. A token Telegram refuses is not retried."""
    wait, attempt = first, 1
    while True:
        try:
            await app.initialize()
            if attempt > 1:
                say(f"Reached Telegram at {where}.")
            return True
        except InvalidToken:
            raise
        except NetworkError as exc:
            if isinstance(exc, BadRequest):
                raise
            say(
                f"Can't reach Telegram at {where} ({describe(exc)}); "
                f"trying again in {wait:g} s (attempt {attempt})."
            )
        try:
            await asyncio.wait_for(stop.wait(), timeout=wait)
            return False
        except TimeoutError:
            pass
        wait, attempt = min(wait * 2, longest), attempt + 1
