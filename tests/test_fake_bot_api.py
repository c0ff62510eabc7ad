"""The fake Bot API answers PTB's own HTTP requests the way Telegram does.

The end-to-end test trusts it to stand in for Telegram; these check that trust with the
real `telegram.Bot` and its httpx transport, not the bot under test.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Iterator

import pytest
from support.fake_bot_api import FakeBotAPI, User
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

TOKEN = "123456:FAKE-token_for-the-fake"
ALICE = User(501, "Alice", "alice_a")


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as fake:
        yield fake


def _bot(api: FakeBotAPI) -> Bot:
    return Bot(TOKEN, base_url=api.base_url + "/bot")


async def test_urlencoded_messages_keyboards_and_edits(api: FakeBotAPI) -> None:
    async with _bot(api) as bot:
        assert bot.username == api.username
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes é", callback_data="v1:y")]])
        sent = await bot.send_message(ALICE.id, "<b>Hello</b> & welcome", reply_markup=keyboard)
        [shown] = api.messages(ALICE.id)
        assert (shown.message_id, shown.plain, shown.labels) == (
            sent.message_id,
            "Hello & welcome",
            ["Yes é"],
        )
        await bot.edit_message_text("Changed", chat_id=ALICE.id, message_id=sent.message_id)
        [edited] = api.messages(ALICE.id)
        assert (edited.text, edited.labels) == ("Changed", []), "no markup: keyboard gone"
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("Changed", chat_id=ALICE.id, message_id=sent.message_id)
    assert api.tokens == {TOKEN}


async def test_multipart_upload_keeps_the_file(api: FakeBotAPI) -> None:
    content = '{"name": "Zoë"}\r\nsecond line\n'.encode()
    async with _bot(api) as bot:
        await bot.send_document(ALICE.id, content, filename="mydata.json", caption="Your data")
    [doc] = api.messages(ALICE.id)
    assert doc.text == "Your data"
    assert doc.document == {"filename": "mydata.json", "content": content}


async def test_long_poll_returns_as_soon_as_a_user_speaks(api: FakeBotAPI) -> None:
    async with _bot(api) as bot:
        asyncio.get_running_loop().call_later(0.3, api.user_says, ALICE, "/start now")
        started = time.monotonic()
        updates = await bot.get_updates(timeout=10)
        assert time.monotonic() - started < 5
        [update] = updates
        assert update.message is not None and update.message.text == "/start now"
        assert update.message.entities[0].type == "bot_command"
        # Asking with the next offset confirms it; nothing is delivered twice.
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_a_press_carries_what_ptb_needs(api: FakeBotAPI) -> None:
    async with _bot(api) as bot:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="v1:go:")]])
        await bot.send_message(ALICE.id, "Ready?", reply_markup=keyboard)
        api.user_presses(ALICE, api.messages(ALICE.id)[0], "Go")
        [update] = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.data == "v1:go:" and query.chat_instance
    assert query.message is not None and query.message.chat.id == ALICE.id


def test_json_bodies_and_unknown_paths(api: FakeBotAPI) -> None:
    body = json.dumps({"chat_id": ALICE.id, "text": "via JSON"}).encode()
    request = urllib.request.Request(
        f"{api.base_url}/bot{TOKEN}/sendMessage",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["result"]["text"] == "via JSON"
    assert [m.text for m in api.messages(ALICE.id)] == ["via JSON"]
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{api.base_url}/nothing-here", timeout=5)
    caught.value.close()
    assert caught.value.code == 404
