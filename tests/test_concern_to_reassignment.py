"""The whole story through the real bot: a resident raises a concern about the volunteer who
accepted her request; the coordinator goes from the alert to the request, reads its history,
notes a call, takes the task from the volunteer and gives it to another, who accepts.

Run with `-s` to read the transcript (TRANSCRIPT=1 prints it)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from support.bot import RESIDENT, BotUnderTest, labels, plain, refused_messages

from bot.sandbox import Person

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

ALICE = Person(9100001, "Alice", "alice_coord")  # the coordinator
ANNA = Person(6700011, "Anna")  # the volunteer who accepted
BEN = Person(6700012, "Ben", "ben_b")  # the volunteer who takes over
NAMES = {ALICE.id: "Alice", ANNA.id: "Anna", BEN.id: "Ben", RESIDENT.id: "Margaret"}


class Transcript:
    """What each person did and saw, in order, as they would read it."""

    def __init__(self, bot: BotUnderTest) -> None:
        self.bot = bot
        self.lines: list[str] = []
        self.seen = len(bot.request.calls)

    def _catch_up(self) -> None:
        for call in self.bot.request.calls[self.seen :]:
            chat = call.params.get("chat_id")
            who = NAMES.get(int(str(chat))) if chat is not None else None
            if who is None or call.method not in ("sendMessage", "editMessageText"):
                continue
            text = plain(str(call.params.get("text", ""))).strip()
            markup = call.params.get("reply_markup")
            markup = json.loads(markup) if isinstance(markup, str) else markup or {}
            buttons = [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
            verb = "bot → " if call.method == "sendMessage" else "bot ✎ "
            shown = text.replace("\n", "\n      ")
            self.lines.append(f"{verb}{who}: {shown}")
            if buttons:
                self.lines.append("      " + "  ".join(f"[{b}]" for b in buttons))
        self.seen = len(self.bot.request.calls)

    async def say(self, who: Person, text: str) -> None:
        self._catch_up()
        self.lines.append(f"{who.first_name} → bot: {text}")
        await self.bot.say(who, text)
        self._catch_up()

    async def press(self, who: Person, label: str) -> None:
        self._catch_up()
        self.lines.append(f"{who.first_name} taps [{label}]")
        await self.bot.press(who, label)
        self._catch_up()

    def note(self, text: str) -> None:
        self._catch_up()
        self.lines.append(f"— {text} —")


async def test_a_concern_from_the_alert_to_the_reassignment(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], wave_size=1) as bot:
        await bot.agree(ALICE, RESIDENT, ANNA, BEN)
        await bot.sign_up(ANNA)
        bot.clock.advance(timedelta(minutes=5))
        await bot.sign_up(BEN)
        bot.clock.advance(timedelta(minutes=5))
        need_id = await bot.post_need(RESIDENT, description="Bread, milk and teabags, please")
        bot.clock.advance(timedelta(minutes=12))
        await bot.press(ANNA, "Accept")
        bot.clock.advance(timedelta(hours=2))

        story = Transcript(bot)
        story.note(f"#{need_id} was posted at 09:40 and Anna accepted it at 09:52; it is now 11:52")
        await story.press(RESIDENT, "Raise a concern")
        await story.say(RESIDENT, "The volunteer asked me for my bank card and PIN on the phone")
        alert = bot.last(ALICE)
        assert labels(alert) == [f"See #{need_id}"]

        bot.clock.advance(timedelta(minutes=3))
        await story.press(ALICE, f"See #{need_id}")
        view = plain(bot.last_text(ALICE))
        assert "Volunteer: Anna (id 6700011)" in view and "bank card" in view

        bot.clock.advance(timedelta(minutes=4))
        await story.press(ALICE, "Message resident")
        await story.say(
            ALICE,
            "Thank you for telling us. Please never share your card. We'll send someone else.",
        )
        bot.clock.advance(timedelta(minutes=1))
        await story.press(ALICE, "Add note")
        await story.say(ALICE, "Phoned Margaret 11:58. Card not handed over. Anna to be spoken to.")

        bot.clock.advance(timedelta(minutes=1))
        await story.say(ALICE, f"#{need_id}")
        await story.press(ALICE, "Reassign")
        await story.press(ALICE, "Yes, reassign")
        assert bot.rows("SELECT status, volunteer_id FROM needs WHERE id=?", (need_id,)) == [
            ("open", None)
        ]
        bot.clock.advance(timedelta(minutes=1))
        await story.press(ALICE, "Ask Ben")
        bot.clock.advance(timedelta(minutes=6))
        await story.press(BEN, "Accept")
        assert bot.rows("SELECT status, volunteer_id FROM needs WHERE id=?", (need_id,)) == [
            ("accepted", BEN.id)
        ]
        bot.clock.advance(timedelta(minutes=1))
        await story.say(ALICE, f"/see {need_id}")
        final = plain(bot.last_text(ALICE))
        assert "Volunteer: Ben @ben_b" in final
        for line in (
            "posted by Margaret @maggie_w",
            "Anna (id 6700011) accepted",
            "⚠️ concern from Margaret @maggie_w",
            "✉️ Alice @alice_coord to the resident",
            "📝 Alice @alice_coord: Phoned Margaret 11:58",
            "Alice @alice_coord took it from Anna (id 6700011) to ask someone else",
            "Alice @alice_coord asked Ben @ben_b",
            "Ben @ben_b accepted",
        ):
            assert line in final, line
        # Anna's task message lost the address and its buttons; she was told not to go.
        assert any("please don't go" in t for t in bot.texts(ANNA))
        assert refused_messages(bot.request.calls) == []
        assert not bot.errors.records, bot.errors.describe()
        if os.environ.get("TRANSCRIPT"):
            print("\n" + "\n".join(story.lines))
