"""Telegram's command menu shows each person the commands of their roles (the same lists as
/help), set at start-up where not yet set or changed, and whenever a role is given or taken."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from support.bot import RESIDENT, BotUnderTest, plain

from bot.sandbox import Call, Person
from domain.models import Role
from handlers import texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

ALICE = Person(9100001, "Alice")  # configured coordinator
BOB = Person(9100002, "Bob")  # invited coordinator
LIZ = Person(9100003, "Liz")  # invited liaison
ANNA = Person(6700011, "Anna")  # volunteer


def _scope(call: Call) -> dict[str, Any]:
    scope = call.params.get("scope")
    return json.loads(scope) if isinstance(scope, str) else dict(scope or {})


def menus_since(bot: BotUnderTest, mark: int = 0) -> dict[object, list[str] | None]:
    """What each scope was last given since the bookmark: the commands, or None (deleted);
    keyed by chat id, or "all" for every private chat."""
    out: dict[object, list[str] | None] = {}
    for call in bot.calls_since(mark):
        if call.method not in ("setMyCommands", "deleteMyCommands"):
            continue
        scope = _scope(call)
        key: object = scope.get("chat_id", "all") if scope else "default"
        if call.method == "deleteMyCommands":
            out[key] = None
            continue
        commands = call.params["commands"]
        commands = json.loads(commands) if isinstance(commands, str) else commands
        out[key] = [c["command"] for c in commands]
    return out


def help_commands(text: str) -> list[str]:
    return re.findall(r"^/(\w+) – ", plain(text), flags=re.MULTILINE)


def section(name: str) -> list[str]:
    return [c for c, _ in texts.COMMANDS[name]]


async def invite(bot: BotUnderTest, role: str, who: Person) -> None:
    await bot.say(ALICE, f"/invite {role}")
    code = re.search(r"start=([\w-]+)", bot.last_text(ALICE))
    assert code is not None
    await bot.say(who, f"/start {code.group(1)}")
    await bot.press(who, "I agree")


async def test_start_up_sets_each_menu_once(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        given = menus_since(bot)
        assert given["all"] == section("resident")
        coordinator = given[ALICE.id]
        assert coordinator is not None
        assert coordinator[: len(section("resident"))] == section("resident")
        assert {"see", "assign", "volunteers", "announce", "approve", "invite"} <= set(coordinator)
        assert len(coordinator) == len(set(coordinator))  # /report once, though two lists have it
        request = bot.request
    before = len(request.calls)
    async with start_bot(coordinator_ids=[ALICE.id], request=request) as again:
        assert menus_since(again, before) == {}  # all set already: nothing called
        assert not again.errors.records, again.errors.describe()


async def test_help_and_the_menu_list_the_same_commands(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE, RESIDENT, ANNA)
        await bot.sign_up(ANNA)
        await invite(bot, "liaison", LIZ)
        given = menus_since(bot)
        for who, key in ((RESIDENT, "all"), (ANNA, ANNA.id), (ALICE, ALICE.id), (LIZ, LIZ.id)):
            await bot.say(who, "/help")
            assert help_commands(bot.last_text(who)) == given[key], who.first_name
        assert given[ANNA.id] == section("resident") + section("volunteer")
        assert given[LIZ.id] == section("resident") + section("liaison")
        assert not bot.errors.records, bot.errors.describe()


async def test_a_role_given_and_taken_changes_the_menu(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE)
        mark = bot.mark()
        await invite(bot, "coordinator", BOB)
        assert "announce" in (menus_since(bot, mark)[BOB.id] or [])
        mark = bot.mark()
        await bot.say(ALICE, "/roles")
        await bot.press(ALICE, "Remove Bob (coordinator)")
        assert menus_since(bot, mark) == {BOB.id: None}  # back to everyone's menu
        await bot.say(BOB, "/help")
        assert help_commands(bot.last_text(BOB)) == section("resident")
        assert bot.rows("SELECT chat_id FROM command_menus ORDER BY chat_id") == [(0,), (ALICE.id,)]
        assert not bot.errors.records, bot.errors.describe()


async def test_approval_gives_a_volunteer_their_menu(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await bot.agree(ALICE, ANNA)
        mark = bot.mark()
        await bot.sign_up(ANNA)
        assert menus_since(bot, mark) == {}  # waiting: nothing to add yet
        await bot.say(ANNA, "/help")
        assert "tasks" not in help_commands(bot.last_text(ANNA))
        await bot.say(ALICE, "/approve")
        await bot.press(ALICE, "Approve")
        assert menus_since(bot, mark) == {ANNA.id: section("resident") + section("volunteer")}
        await bot.say(ANNA, "/help")
        assert "tasks" in help_commands(bot.last_text(ANNA))
        assert not bot.errors.records, bot.errors.describe()


async def test_a_menu_telegram_did_not_take_is_set_at_the_next_start(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE)
        request = bot.request
        answer = request.answer

        def refuse_menus(method: str, params: dict[str, Any]) -> tuple[int, Any]:
            if method == "setMyCommands":
                return 502, "Bad Gateway"
            return answer(method, params)

        request.answer = refuse_menus  # type: ignore[method-assign]
        await invite(bot, "liaison", LIZ)
        assert (
            Role.LIAISON.value in bot.rows("SELECT role FROM roles WHERE user_id=?", (LIZ.id,))[0]
        )
        request.answer = answer  # type: ignore[method-assign]
        assert bot.rows("SELECT count(*) FROM command_menus WHERE chat_id=?", (LIZ.id,)) == [(0,)]
    before = len(request.calls)
    async with start_bot(coordinator_ids=[ALICE.id], request=request) as again:
        assert menus_since(again, before) == {LIZ.id: section("resident") + section("liaison")}
        assert again.count("command_menus", "chat_id=?", (LIZ.id,)) == 1
        assert not again.errors.records, again.errors.describe()


async def test_forgetting_a_liaison_takes_their_menu_away(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE)
        await invite(bot, "liaison", LIZ)
        mark = bot.mark()
        await bot.say(LIZ, "/forget")
        await bot.press(LIZ, "Delete my data")
        assert menus_since(bot, mark) == {LIZ.id: None}
        assert bot.count("command_menus", "chat_id=?", (LIZ.id,)) == 0
        # A resident who forgets costs Telegram nothing.
        await bot.agree(RESIDENT)
        mark = bot.mark()
        await bot.say(RESIDENT, "/forget")
        await bot.press(RESIDENT, "Delete my data")
        assert menus_since(bot, mark) == {}
        assert not bot.errors.records, bot.errors.describe()


async def test_dashboard_is_in_the_coordinators_and_liaisons_help_and_menu(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE, RESIDENT, ANNA)
        await bot.sign_up(ANNA)
        await invite(bot, "liaison", LIZ)
        given = menus_since(bot)
        for who, key, listed in (
            (ALICE, ALICE.id, True),
            (LIZ, LIZ.id, True),
            (ANNA, ANNA.id, False),
            (RESIDENT, "all", False),
        ):
            await bot.say(who, "/help")
            assert ("dashboard" in help_commands(bot.last_text(who))) is listed, who.first_name
            assert ("dashboard" in (given[key] or [])) is listed, who.first_name
        assert given[ALICE.id].count("dashboard") == 1  # type: ignore[union-attr]
        assert not bot.errors.records, bot.errors.describe()
