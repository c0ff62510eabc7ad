"""Roles: one-time invite links (consent first, a week, once), role checks on every command
and every button against the database at the time of the press, and /roles."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import pytest
from support.bot import NEIGHBOUR, RESIDENT, BotUnderTest, labels, plain, refused_messages

from bot.sandbox import BOT_USERNAME, Person
from domain.models import Role
from handlers import texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

ALICE = Person(9100001, "Alice")  # the configured coordinator
BOB = Person(9200002, "Bob")  # invited
LIZ = Person(9300003, "Liz")  # the council's liaison officer
PRIYA = Person(5500011, "Priya")

LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)")


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    """Alice is the configured coordinator, and has agreed to the privacy notice."""
    async with start_bot(coordinator_ids=[ALICE.id]) as running:
        await running.agree(ALICE)
        yield running
        assert not running.errors.records, running.errors.describe()
        assert refused_messages(running.request.calls) == []  # Telegram would take them all


async def invite(bot: BotUnderTest, role: str = "coordinator", by: Person = ALICE) -> str:
    """/invite, and the code from the link in the answer."""
    await bot.say(by, f"/invite {role}")
    found = LINK.search(bot.last_text(by))
    assert found, bot.last_text(by)
    return found.group(1)


def roles_of(bot: BotUnderTest, who: Person) -> set[str]:
    return {r[0] for r in bot.rows("SELECT role FROM roles WHERE user_id=?", (who.id,))}


def audit(bot: BotUnderTest, action: str) -> list[tuple[object, ...]]:
    return bot.rows(
        "SELECT actor_id, target, detail, at FROM audit_log WHERE action=? ORDER BY id", (action,)
    )


# --- invites ---------------------------------------------------------------------------------


async def test_an_invite_grants_the_role_once_and_only_after_the_privacy_notice(
    bot: BotUnderTest,
) -> None:
    code = await invite(bot)
    assert len(code) >= 16
    assert texts.local_time(bot.clock.now() + timedelta(days=7), bot.services.tz) in plain(
        bot.last_text(ALICE)
    )

    await bot.say(BOB, f"/start {code}")
    assert plain(bot.texts(BOB)[0]) == plain(texts.INVITE_HELD.format(role="coordinator"))
    assert labels(bot.last(BOB)) == [
        "I agree",
        "No thanks",
        "Українська",
        "Polski",
    ]  # the notice comes first
    assert roles_of(bot, BOB) == set()
    assert bot.count("people", "id=?", (BOB.id,)) == 0  # nothing kept before agreeing

    await bot.press(BOB, "I agree")
    assert roles_of(bot, BOB) == {"coordinator"}
    assert "You're now a coordinator" in plain(bot.last_text(BOB))
    assert "/open" in bot.last_text(BOB)
    assert bot.rows("SELECT granted_by FROM roles WHERE user_id=?", (BOB.id,)) == [(ALICE.id,)]
    assert bot.rows("SELECT used_by FROM invites WHERE code=?", (code,)) == [(BOB.id,)]
    assert [a[:2] for a in audit(bot, "invite")] == [(ALICE.id, "role:coordinator")]
    assert [a[:2] for a in audit(bot, "invite_used")] == [(BOB.id, "role:coordinator")]

    # The same link, forwarded: used once, so nobody else gets anything from it.
    await bot.agree(NEIGHBOUR)
    await bot.say(NEIGHBOUR, f"/start {code}")
    assert bot.last_text(NEIGHBOUR) == texts.CONSENT_THANKS
    assert texts.INVITE_USED in bot.texts(NEIGHBOUR)
    assert roles_of(bot, NEIGHBOUR) == set()


async def test_someone_who_has_agreed_already_gets_the_role_at_once(bot: BotUnderTest) -> None:
    await bot.agree(PRIYA)
    code = await invite(bot, "liaison")
    await bot.say(PRIYA, f"/start {code}")
    assert roles_of(bot, PRIYA) == {"liaison"}
    assert "council liaison" in plain(bot.last_text(PRIYA))
    assert "/report" in bot.last_text(PRIYA)


async def test_an_opened_invite_survives_a_restart_before_agreeing(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE)
        code = await invite(bot)
        await bot.say(BOB, f"/start {code}")
        telegram = bot.request
    async with start_bot(coordinator_ids=[ALICE.id], request=telegram) as bot:
        await bot.press(BOB, "I agree")
        assert roles_of(bot, BOB) == {"coordinator"}
        assert not bot.errors.records, bot.errors.describe()


async def test_an_invite_lasts_seven_days(bot: BotUnderTest) -> None:
    await bot.agree(BOB, LIZ)
    first, second = await invite(bot), await invite(bot, "liaison")

    bot.clock.advance(timedelta(days=7) - timedelta(minutes=1))
    await bot.say(BOB, f"/start {first}")
    assert roles_of(bot, BOB) == {"coordinator"}

    bot.clock.advance(timedelta(minutes=1))
    await bot.say(LIZ, f"/start {second}")
    assert roles_of(bot, LIZ) == set()
    assert texts.INVITE_EXPIRED in bot.texts(LIZ)


async def test_an_invite_that_expires_while_the_notice_is_being_read_grants_nothing(
    bot: BotUnderTest,
) -> None:
    code = await invite(bot)
    bot.clock.advance(timedelta(days=7) - timedelta(minutes=5))
    await bot.say(BOB, f"/start {code}")
    bot.clock.advance(timedelta(minutes=10))
    await bot.press(BOB, "I agree")
    assert roles_of(bot, BOB) == set()
    assert bot.last_text(BOB) == texts.INVITE_EXPIRED
    assert bot.count("people", "id=? AND consent_version > 0", (BOB.id,)) == 1


async def test_no_thanks_lets_the_invite_go_and_keeps_nothing(bot: BotUnderTest) -> None:
    code = await invite(bot)
    await bot.say(BOB, f"/start {code}")
    await bot.press(BOB, "No thanks")
    assert bot.rows("SELECT pending_by, used_by FROM invites WHERE code=?", (code,)) == [
        (None, None)
    ]
    assert bot.count("people", "id=?", (BOB.id,)) == 0
    # It still works for whoever it was meant for.
    await bot.agree(LIZ)
    await bot.say(LIZ, f"/start {code}")
    assert roles_of(bot, LIZ) == {"coordinator"}


@pytest.mark.parametrize("code", ["not-a-real-code-123", "x", "<b>hi</b>"])
async def test_an_unknown_code_gets_a_kind_answer_and_the_usual_start(
    bot: BotUnderTest, code: str
) -> None:
    await bot.say(BOB, f"/start {code}")
    assert bot.texts(BOB)[0] == texts.INVITE_UNKNOWN
    assert labels(bot.last(BOB)) == ["I agree", "No thanks", "Українська", "Polski"]
    await bot.press(BOB, "I agree")
    assert roles_of(bot, BOB) == set()


async def test_only_coordinators_invite(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/invite coordinator")
    assert bot.last_text(RESIDENT) == texts.NOT_ALLOWED
    await bot.say(ALICE, "/invite boss")
    assert bot.last_text(ALICE) == texts.INVITE_USAGE
    assert bot.count("invites") == 0


# --- role checks on commands and buttons ---------------------------------------------------------


COORDINATOR_COMMANDS = [
    "/open",
    "/approve",
    "/assign 1 5500011",
    "/vetted 5500011",
    "/block 5500011",
    "/unblock 5500011",
    "/concerns",
    "/invite liaison",
    "/roles",
    "/newneed Doris",
]


@pytest.mark.parametrize("command", COORDINATOR_COMMANDS)
async def test_coordinator_commands_refuse_everyone_else_and_change_nothing(
    bot: BotUnderTest, command: str
) -> None:
    await bot.agree(RESIDENT)
    code = await invite(bot, "liaison")
    await bot.say(LIZ, f"/start {code}")
    await bot.press(LIZ, "I agree")
    for who in (RESIDENT, LIZ):
        before = bot.snapshot()
        mark = bot.mark()
        await bot.say(who, command)
        assert bot.sent_since(mark) == [texts.NOT_ALLOWED]
        assert bot.snapshot() == before


async def test_a_coordinator_button_pressed_by_someone_else_does_nothing(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT, PRIYA)
    need_id = await bot.post_need(RESIDENT)
    await bot.say(ALICE, "/open")
    listed = bot.message_with_button(ALICE, "Close")
    for label in ("See in full", "Assign", "Close"):
        before = bot.snapshot()
        mark = bot.mark()
        await bot.press_data(PRIYA, listed.callback_for(label))
        assert bot.answers_since(mark) == [texts.NOT_ALLOWED]
        assert bot.sent_since(mark) == []
        assert bot.snapshot() == before
    assert bot.rows("SELECT status FROM needs WHERE id=?", (need_id,)) == [("open",)]


async def test_a_removed_coordinator_loses_access_with_the_next_press(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    code = await invite(bot)
    await bot.say(BOB, f"/start {code}")
    await bot.press(BOB, "I agree")
    need_id = await bot.post_need(RESIDENT)
    await bot.say(BOB, "/open")
    bobs_list = bot.message_with_button(BOB, "Close")  # shown while he was a coordinator

    await bot.say(ALICE, "/roles")
    await bot.press(ALICE, "Remove Bob (coordinator)")
    assert roles_of(bot, BOB) == set()
    assert texts.ROLE_REMOVED_NOTICE.format(role="coordinator") in bot.texts(BOB)
    assert "Bob" not in plain(bot.last_text(ALICE))  # the list is redrawn without him
    assert [a[:3] for a in audit(bot, "role_removed")] == [
        (ALICE.id, f"user:{BOB.id}", "coordinator")
    ]

    mark = bot.mark()
    await bot.press(BOB, "Close", bobs_list)
    assert bot.answers_since(mark) == [texts.NOT_ALLOWED]
    assert bot.rows("SELECT status FROM needs WHERE id=?", (need_id,)) == [("open",)]
    await bot.say(BOB, "/open")
    assert bot.last_text(BOB) == texts.NOT_ALLOWED
    await bot.say(BOB, "/help")
    assert "/open" not in bot.last_text(BOB)


async def test_the_configured_coordinator_cannot_be_removed(bot: BotUnderTest) -> None:
    code = await invite(bot, "liaison")
    await bot.say(LIZ, f"/start {code}")
    await bot.press(LIZ, "I agree")
    await bot.say(ALICE, "/roles")
    shown = bot.last(ALICE)
    assert "Alice" in plain(shown.text) and "configuration" in plain(shown.text)
    assert labels(shown) == ["Remove Liz (council liaison)"]  # no button for Alice

    # A forged or edited button for Alice is refused all the same.
    mark = bot.mark()
    await bot.press_data(ALICE, f"v1:rrm:{ALICE.id}c", shown)
    assert bot.answers_since(mark) == [texts.ROLE_CANNOT_REMOVE["configured"]]
    assert roles_of(bot, ALICE) == {"coordinator"}
    assert audit(bot, "role_removed") == []


async def test_the_last_coordinator_stays_when_none_is_configured(start_bot: StartBot) -> None:
    async with start_bot() as bot:
        await bot.agree(ALICE, BOB)
        for who in (ALICE, BOB):
            await bot.store.people.grant(who.id, Role.COORDINATOR, bot.clock.now())
        await bot.say(ALICE, "/roles")
        await bot.press(ALICE, "Remove Bob (coordinator)")
        assert roles_of(bot, BOB) == set()
        await bot.say(ALICE, "/roles")
        mark = bot.mark()
        await bot.press(ALICE, "Remove Alice (coordinator)")
        assert bot.answers_since(mark) == [texts.ROLE_CANNOT_REMOVE["last"]]
        assert roles_of(bot, ALICE) == {"coordinator"}
        assert not bot.errors.records, bot.errors.describe()


async def test_help_lists_the_commands_of_the_callers_roles(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    code = await invite(bot, "liaison")
    await bot.say(LIZ, f"/start {code}")
    await bot.press(LIZ, "I agree")
    for who in (RESIDENT, ALICE, LIZ):
        await bot.say(who, "/help")
    assert "/open" not in bot.last_text(RESIDENT) and "/report" not in bot.last_text(RESIDENT)
    assert "/open" in bot.last_text(ALICE) and "/invite" in bot.last_text(ALICE)
    assert "/report" in bot.last_text(LIZ) and "/open" not in bot.last_text(LIZ)
