"""Telegram's command menu: each person sees the commands of their roles, the same lists
/help shows (texts.COMMANDS).

Everyone's private chat starts with the residents' menu (`BotCommandScopeAllPrivateChats`);
a volunteer, coordinator or liaison gets their own (`BotCommandScopeChat`), set when a role
is given or taken and checked at start-up. These calls change nothing in the database, so
they are made after the unit of work (`outbox.soon`); what Telegram took is remembered
(storage/menus.py), so start-up calls only for what is not yet set or has changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from domain.people import menu_sections
from handlers import i18n, outbox, texts
from handlers.context import Ctx
from storage import Store
from storage.menus import DEFAULT_CHAT

logger = logging.getLogger(__name__)

RESIDENT = ("resident",)
Languages = tuple[str, ...]  # the group's, its first the one everyone gets unless told


def commands(sections: tuple[str, ...]) -> list[tuple[str, str]]:
    """The commands of these sections, each once, in the order /help lists them (in the
    language of the work in progress)."""
    seen: dict[str, str] = {}
    for section in sections:
        for name, about in texts.COMMANDS[section]:
            seen.setdefault(name, about)
    return list(seen.items())


def menu_key(sections: tuple[str, ...]) -> str:
    """Names a menu: its sections and a digest of its words (a new wording, or the same
    menu in another language, is a new menu)."""
    words = json.dumps(commands(sections), ensure_ascii=False)
    return "+".join(sections) + ":" + hashlib.sha256(words.encode()).hexdigest()[:12]


def _bot_commands(sections: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, about[:256]) for name, about in commands(sections)]


def _own_menu(sections: tuple[str, ...], language: str | None, languages: Languages) -> str | None:
    """The chat's own menu, or None where everyone's serves: a resident whose language is
    the group's first (or not known) sees the menu Telegram shows for their app's language."""
    if sections == RESIDENT and language in (None, languages[0]):
        return None
    with i18n.speaking(language or languages[0]):
        return menu_key(sections)


def _default_menus(languages: Languages) -> str:
    keys = []
    for language in languages:
        with i18n.speaking(language):
            keys.append(f"{language}={menu_key(RESIDENT)}")
    return ";".join(keys)


async def _give(
    bot: Bot,
    store: Store,
    chat_id: int,
    sections: tuple[str, ...],
    language: str | None,
    languages: Languages,
    now: datetime,
) -> None:
    """One chat's menu, as Telegram should show it; remembered once Telegram took it."""
    if _own_menu(sections, language, languages) is None:
        # Only the residents' menu: the chat's own goes, and everyone's default shows.
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
        await store.menus.record(chat_id, None, now)
        return
    with i18n.speaking(language or languages[0]):
        menu, key = _bot_commands(sections), menu_key(sections)
    await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
    await store.menus.record(chat_id, key, now)


async def refresh_now(
    bot: Bot, store: Store, user_id: int, clock: Callable[[], datetime], languages: Languages
) -> None:
    """This person's menu, from the roles they hold and the language they read now (read
    after the change committed, or did not: either way it matches what is kept)."""
    found = await store.menus.holders(user_id, default_language=languages[0])
    roles, volunteer, language = (
        (found[0][1], found[0][2], found[0][3]) if found else (frozenset(), False, None)
    )
    sections = menu_sections(roles, volunteer)
    if await store.menus.given_to(user_id) == _own_menu(sections, language, languages):
        return
    try:
        await _give(bot, store, user_id, sections, language, languages, clock())
    except TelegramError as exc:
        # Start-up looks again: what Telegram did not take is not remembered as given.
        logger.info("Could not set the command menu of chat %s: %r", user_id, exc)


def refresh(context: Ctx, user_id: int) -> None:
    """After the unit of work in progress: this person's menu, if their roles or language
    changed it."""
    bot, s = context.bot, context.services
    languages = s.community.languages
    outbox.soon(lambda: refresh_now(bot, s.store, user_id, s.clock.now, languages))


def drop(context: Ctx, user_id: int) -> None:
    """After /forget: their chat's own menu goes (what was kept of it went with them)."""
    bot = context.bot

    async def delete() -> None:
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
        except TelegramError as exc:
            logger.info("Could not remove the command menu of chat %s: %r", user_id, exc)

    outbox.soon(delete)


async def sync(bot: Bot, store: Store, now: datetime, languages: Languages) -> int:
    """Start-up: every menu not yet set or changed since (everyone's, in each language the
    group offers, included), and chats whose own menu should go. Stops at the first sign
    that Telegram can't be reached (the next start tries again). Returns how many calls
    were made."""
    given = await store.menus.given()
    calls = 0
    try:
        default = _default_menus(languages)
        if given.get(DEFAULT_CHAT) != default:
            for i, language in enumerate(languages):
                # The first language is everyone's; each other one is for the apps set to it.
                with i18n.speaking(language):
                    menu = _bot_commands(RESIDENT)
                await bot.set_my_commands(
                    menu,
                    scope=BotCommandScopeAllPrivateChats(),
                    language_code=language if i else None,
                )
                calls += 1
            await store.menus.record(DEFAULT_CHAT, default, now)
        wanted = {
            chat: (menu_sections(roles, volunteer), reads)
            for chat, roles, volunteer, reads in await store.menus.holders(
                default_language=languages[0]
            )
        }
        for chat, (sections, reads) in wanted.items():
            if given.get(chat) != _own_menu(sections, reads, languages):
                calls += 1
                await _try(_give(bot, store, chat, sections, reads, languages, now), chat)
        for chat in given:
            if chat != DEFAULT_CHAT and chat not in wanted:
                calls += 1
                await _try(_give(bot, store, chat, RESIDENT, None, languages, now), chat)
    except NetworkError as exc:  # BadRequest is one too: Telegram refused the default menu
        logger.warning("Command menus not all set (%r); the next start tries again", exc)
    return calls


async def _try(call: Awaitable[None], chat_id: int) -> None:
    """One chat's menu; a chat Telegram refuses (never started the bot, say) is skipped."""
    try:
        await call
    except (BadRequest, Forbidden) as exc:
        logger.info("Command menu of chat %s not set: %s", chat_id, exc.message)
