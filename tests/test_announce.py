"""/announce: a message from the coordinators to volunteers, all or by area and skill,
previewed with how many will get it, sent as bulk through the outbox after people's own
messages, held over quiet hours, and never twice to anyone, crash or not."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

import pytest
from support.bot import RESIDENT, BotUnderTest, labels, plain, refused_messages

from bot.sandbox import Person
from domain.models import Role
from handlers import announce, jobs, texts
from handlers.context import Ctx
from handlers.outbox import BULK

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

ALICE = Person(9100001, "Alice")  # the configured coordinator, a volunteer too
ANNA = Person(6600001, "Anna")  # Trinity, shopping
BEN = Person(6600002, "Ben")  # Trinity, shopping and pets
CARA = Person(6600003, "Cara")  # Keyford, shopping
DAN = Person(6600004, "Dan")  # Trinity, shopping: waiting for approval
LIZ = Person(6600009, "Liz")  # council liaison
SHOPPING = "Shopping & essentials"
PETS = "Dog walking & pets"
WORDS = "Food bank collection this Saturday: can you help carry boxes?"


async def team(bot: BotUnderTest, *, approve: bool = True) -> None:
    await bot.agree(ALICE, ANNA, BEN, CARA, DAN, LIZ, RESIDENT)
    await bot.store.people.grant(LIZ.id, Role.LIAISON, bot.clock.now())
    await bot.sign_up(ALICE)
    await bot.sign_up(ANNA)
    await bot.sign_up(BEN, skills=(SHOPPING, PETS))
    await bot.sign_up(CARA, areas=("Keyford",))
    await bot.sign_up(DAN)
    if approve:
        for who in (ALICE, ANNA, BEN, CARA):
            await bot.say(ALICE, f"/approve {who.id}")


def got(bot: BotUnderTest, who: Person) -> int:
    """How many copies of the announcement this person has."""
    return sum(WORDS in t for t in bot.texts(who))


async def test_an_announcement_to_one_area_and_skill(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await team(bot)
        await bot.say(ALICE, "/announce")
        assert bot.last_text(ALICE) == texts.ANNOUNCE_AREA
        assert labels(bot.last(ALICE))[:3] == ["Every area", "Town Centre", "Trinity"]
        assert labels(bot.last(ALICE))[-1] == "Cancel"
        await bot.press(ALICE, "Trinity")
        assert (
            plain(bot.last_text(ALICE))
            == "And which volunteers in Trinity? Choose a skill, or every skill."
        )
        await bot.press(ALICE, PETS)
        assert bot.last_text(ALICE) == texts.ANNOUNCE_TYPE.format(
            audience="volunteers in Trinity for Dog walking &amp; pets"
        )
        before = bot.snapshot()
        await bot.say(ALICE, WORDS)
        preview = bot.last(ALICE)
        assert plain(preview.text).startswith(
            "This goes to 1 volunteer (volunteers in Trinity for Dog walking & pets):"
        )
        assert WORDS in preview.text and labels(preview) == ["Send", "Cancel"]
        assert got(bot, BEN) == 0
        after = bot.snapshot()
        after.pop("user_data")
        before.pop("user_data")
        after.pop("processed_updates")
        before.pop("processed_updates")
        assert after == before  # a preview sends and keeps nothing

        await bot.press(ALICE, "Send", preview)
        assert [got(bot, who) for who in (ANNA, BEN, CARA, DAN, ALICE)] == [0, 1, 0, 0, 0]
        sent = bot.messages_containing(BEN, WORDS)[0]
        assert plain(sent.text).startswith("📣 From the coordinators of Frome Mutual Aid")
        assert "Alice" not in sent.text
        assert (
            texts.ANNOUNCE_SENDING.format(
                count=1, audience="volunteers in Trinity for Dog walking &amp; pets"
            )
            == bot.request.messages[(ALICE.id, preview.message_id)].text
        )
        [(actor, detail)] = bot.rows(
            "SELECT actor_id, detail FROM audit_log WHERE action='announce'"
        )
        assert actor == ALICE.id and WORDS in detail and "1 to" in detail

        # Send pressed again (a second phone): nothing more goes.
        mark = bot.mark()
        await bot.press_data(ALICE, preview.callback_for("Send"), preview)
        assert bot.answers_since(mark) == [texts.ANNOUNCE_GONE]
        assert got(bot, BEN) == 1
        assert bot.count("scheduled_work", "kind='announcement'") == 1
        assert refused_messages(bot.request.calls) == []
        assert not bot.errors.records, bot.errors.describe()


async def test_every_area_and_skill_typed_instead_of_tapped(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await team(bot)
        await bot.say(ALICE, "/announce")
        await bot.say(ALICE, "Narnia")
        assert bot.last_text(ALICE) == texts.ANNOUNCE_EXPECTED_AREA
        await bot.say(ALICE, "all")
        await bot.say(ALICE, "every skill")
        await bot.say(ALICE, WORDS)
        assert "This goes to 3 volunteers" in plain(bot.last_text(ALICE))  # not Dan, not Alice
        await bot.press(ALICE, "Send")
        assert [got(bot, who) for who in (ANNA, BEN, CARA, DAN, ALICE, LIZ, RESIDENT)] == [
            1,
            1,
            1,
            0,
            0,
            0,
            0,
        ]
        # Bulk: each announcement waits behind people's own messages.
        for who in (ANNA, BEN, CARA):
            last = bot.rows(
                "SELECT priority FROM outbox WHERE chat_id=? ORDER BY id DESC", (who.id,)
            )
            assert last[0] == (BULK,)
        assert not bot.errors.records, bot.errors.describe()


async def test_typed_area_alias_and_cancel(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await team(bot, approve=False)
        await bot.say(ALICE, "/announce")
        await bot.say(ALICE, "Selwood Road")  # an alias of Trinity
        assert "in Trinity" in plain(bot.last_text(ALICE))
        await bot.press(ALICE, "Cancel")
        assert bot.last_text(ALICE) == texts.ANNOUNCE_CANCELLED
        await bot.say(ALICE, WORDS)  # an ordinary text again
        assert got(bot, ANNA) == 0 and bot.count("scheduled_work", "kind='announcement'") == 0

        await bot.say(ALICE, "/announce")
        await bot.press(ALICE, "Every area")
        await bot.press(ALICE, "Every skill")
        await bot.say(ALICE, "/cancel")
        assert bot.last_text(ALICE) == texts.INPUT_CANCELLED
        await bot.say(ALICE, WORDS)
        assert bot.count("scheduled_work", "kind='announcement'") == 0
        assert not bot.errors.records, bot.errors.describe()


async def test_nobody_to_send_it_to(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await team(bot)
        await bot.say(ALICE, "/announce")
        await bot.press(ALICE, "Badcox")
        await bot.press(ALICE, "Every skill")
        await bot.say(ALICE, WORDS)
        assert bot.last_text(ALICE) == texts.ANNOUNCE_NOBODY.format(audience="volunteers in Badcox")
        assert labels(bot.last(ALICE)) == []
        assert not bot.errors.records, bot.errors.describe()


async def test_in_quiet_hours_it_waits_for_the_morning(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await team(bot)
        bot.clock.advance(timedelta(hours=13))  # 22:30
        await bot.say(ALICE, "/announce")
        await bot.press(ALICE, "Every area")
        await bot.press(ALICE, "Every skill")
        await bot.say(ALICE, WORDS)
        await bot.press(ALICE, "Send")
        assert plain(bot.last_text(ALICE)) == (
            "📣 It's quiet hours: it goes to 3 volunteers (all volunteers) at 8:00 tomorrow."
        )
        assert got(bot, ANNA) == 0
        bot.clock.advance(timedelta(hours=9, minutes=31))  # 08:01
        await jobs.tick(Ctx(bot.app))
        assert [got(bot, who) for who in (ANNA, BEN, CARA)] == [1, 1, 1]
        await jobs.tick(Ctx(bot.app))
        assert [got(bot, who) for who in (ANNA, BEN, CARA)] == [1, 1, 1]
        assert not bot.errors.records, bot.errors.describe()


async def test_a_failure_half_way_sends_nobody_anything_then_everyone_one(
    start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await team(bot)
        told: list[int] = []
        real_tell = announce.tell

        def failing_tell(context: Ctx, chat_id: int, *args: Any, **kw: Any) -> None:
            told.append(chat_id)
            if len(told) == 2:
                raise OSError("the disk filled up half-way")
            real_tell(context, chat_id, *args, **kw)

        monkeypatch.setattr(announce, "tell", failing_tell)
        await bot.say(ALICE, "/announce")
        await bot.press(ALICE, "Every area")
        await bot.press(ALICE, "Every skill")
        await bot.say(ALICE, WORDS)
        await bot.press(ALICE, "Send")
        assert [got(bot, who) for who in (ANNA, BEN, CARA)] == [0, 0, 0]  # all or nothing
        monkeypatch.setattr(announce, "tell", real_tell)
        bot.clock.advance(timedelta(minutes=5))
        await jobs.tick(Ctx(bot.app))
        assert [got(bot, who) for who in (ANNA, BEN, CARA)] == [1, 1, 1]
        bot.errors.records.clear()  # the failure was logged, as it should be


async def test_a_restart_before_delivery_sends_each_one_copy(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await team(bot)
        request = bot.request
        answer = request.answer

        def telegram_down(method: str, params: dict[str, Any]) -> tuple[int, Any]:
            to_alice = str(params.get("chat_id")) == str(ALICE.id)
            if method == "sendMessage" and WORDS in str(params.get("text", "")) and not to_alice:
                return 502, "Bad Gateway"
            return answer(method, params)

        request.answer = telegram_down  # type: ignore[method-assign]
        await bot.say(ALICE, "/announce")
        await bot.press(ALICE, "Every area")
        await bot.press(ALICE, "Every skill")
        await bot.say(ALICE, WORDS)
        await bot.press(ALICE, "Send")
        assert [got(bot, who) for who in (ANNA, BEN, CARA)] == [0, 0, 0]
        assert bot.count("scheduled_work", "kind='announcement' AND done_at IS NOT NULL") == 1
        request.answer = answer  # type: ignore[method-assign]
        bot.errors.records.clear()
    bot.clock.advance(timedelta(hours=1))
    async with start_bot(coordinator_ids=[ALICE.id], request=request) as again:
        await jobs.tick(Ctx(again.app))
        assert [got(again, who) for who in (ANNA, BEN, CARA)] == [1, 1, 1]
        assert not again.errors.records, again.errors.describe()


@pytest.mark.parametrize("who", [ANNA, LIZ])
async def test_only_coordinators_announce(start_bot: StartBot, who: Person) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await team(bot)
        await bot.say(ALICE, "/announce")
        question = bot.last(ALICE)
        before = bot.snapshot()
        await bot.say(who, "/announce")
        assert bot.last_text(who) == texts.NOT_ALLOWED
        mark = bot.mark()
        for data in ("v1:anar:x", "v1:ansk:x", "v1:ansend:", "v1:ancxl:"):
            await bot.press_data(who, data, question)
        assert set(bot.answers_since(mark)) == {texts.NOT_ALLOWED}
        await bot.say(who, WORDS)
        assert [got(bot, x) for x in (ANNA, BEN, CARA)] == [0, 0, 0] or who is ANNA
        assert bot.count("scheduled_work", "kind='announcement'") == 0
        after = bot.snapshot()
        for table in ("processed_updates", "relay_messages"):
            before.pop(table, None)
            after.pop(table, None)
        assert after == before
