"""Conversations first (web/ports.py Turns): long work for a dashboard page (figures worked
out afresh, a chart drawn) starts in a lull of the bot's conversations, so a burst of
residents' messages is answered at its own pace; and it never waits longer than the
dashboard's patience."""

from __future__ import annotations

import asyncio
import contextlib

from web.ports import Turns


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.01)


async def test_long_page_work_waits_while_the_bot_answers_and_for_the_lull_after() -> None:
    turns = Turns(patience=30.0, quiet=0.0)
    await asyncio.wait_for(turns.lull(), 5)  # nobody talking: at once
    with turns.conversation():
        waiting = asyncio.ensure_future(turns.lull())
        await _settle()
        assert not waiting.done()  # a resident's update is being handled
    await asyncio.wait_for(waiting, 5)  # over, and no lull asked for: it goes ahead

    slow = Turns(patience=30.0, quiet=30.0)
    with slow.conversation():
        pass
    waiting = asyncio.ensure_future(slow.lull())
    await _settle()
    assert not waiting.done()  # the bot answered a moment ago: more may follow
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting


async def test_a_burst_that_never_pauses_holds_pages_up_no_longer_than_their_patience() -> None:
    turns = Turns(patience=0.05, quiet=30.0)
    with turns.conversation():
        await asyncio.wait_for(turns.lull(), 5)  # given up waiting: the page goes on
    await asyncio.wait_for(turns.lull(), 5)
