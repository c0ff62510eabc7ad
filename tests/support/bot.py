"""A running bot for handler tests: the real Application, a stand-in Telegram, people, a clock.

`running_bot(path)` builds the Application exactly as `mutualaid run` does (through
`build_application`), with `SandboxRequest` at the transport seam, starts it the way
`run_polling` would (initialize, post_init; shutdown, post_shutdown) and hands back a
`BotUnderTest`: people say things and press buttons, and the test reads what is on their
screens, what Telegram was asked to do, and what is in the database file.
"""

from __future__ import annotations

import html
import itertools
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.sandbox import BOT_ID, Call, Person, Sandbox, SandboxRequest, Sent
from handlers.context import Services
from storage import Store

# A Wednesday morning in March (GMT, so local time is UTC): every "when" has a window left.
START = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)

# Tables a snapshot must at least contain (it takes every table the file has).
TABLES = (
    "people",
    "volunteers",
    "needs",
    "proposals",
    "scheduled_work",
    "conversations",
    "user_data",
)

# Loggers whose ERROR records mean an exception escaped a handler or a job.
WATCHED_LOGGERS = ("handlers", "telegram.ext")

ENV_PREFIXES = ("MUTUALAID_", "TELEGRAM_")


class FakeClock:
    """The bot's only clock in tests: stands still until told to move."""

    def __init__(self, start: datetime = START) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


class ErrorRecorder(logging.Handler):
    """Keeps every ERROR (or worse) record logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def describe(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" for r in self.records if r.exc_info]


@contextmanager
def recording_errors(*names: str) -> Iterator[ErrorRecorder]:
    recorder = ErrorRecorder()
    loggers = [logging.getLogger(n) for n in names or WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(recorder)
    try:
        yield recorder
    finally:
        for logger in loggers:
            logger.removeHandler(recorder)


def clean_environment() -> dict[str, str]:
    """The environment without any MUTUALAID_* or TELEGRAM_* variable (for subprocesses)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}


def make_settings(database: Path, **overrides: Any) -> Settings:
    """Settings for tests: never a developer's .env; approval off unless asked for."""
    values: dict[str, Any] = {"database": database, "volunteer_approval": False}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def labels(message: Sent) -> list[str]:
    """Button labels as a person reads them (without the ✅ of a ticked toggle)."""
    return [label.removeprefix("✅ ") for label in message.button_labels()]


@dataclass
class BotUnderTest:
    app: Any
    request: SandboxRequest
    sandbox: Sandbox
    clock: FakeClock
    settings: Settings
    errors: ErrorRecorder
    people: dict[str, Person] = field(default_factory=dict)
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(10**8))

    # --- what the bot is made of ---------------------------------------------------------
    @property
    def services(self) -> Services:
        services: Services = self.app.bot_data["services"]
        return services

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def db_path(self) -> Path:
        return Path(self.settings.database)

    # --- people --------------------------------------------------------------------------
    def person(self, user_id: int, first_name: str, username: str | None = None) -> Person:
        who = Person(user_id, first_name, username)
        self.people[first_name] = who
        return who

    async def say(self, who: Person, text: str, **kw: Any) -> None:
        await self.sandbox.say(who, text, **kw)

    async def send(self, who: Person, **message: Any) -> None:
        """Anything but text: a sticker, a photo, a contact..."""
        await self.app.process_update(self.sandbox.message_update(who, None, **message))

    async def share_location(self, who: Person, lat: float, lon: float) -> None:
        await self.sandbox.share_location(who, lat, lon)

    async def press(self, who: Person, label: str, message: Sent | None = None) -> None:
        """Press the button with this label (on the newest message on their screen showing it)."""
        message = message or self.message_with_button(who, label)
        await self.sandbox.press(who, label, message)

    async def press_data(self, who: Person, data: str, message: Sent | None = None) -> None:
        """Send a callback query with any data at all, as a modified client could."""
        message = message or self.screen(who)[-1]
        await self.app.process_update(self.sandbox.press_update(who, message, data))

    async def press_in_group(
        self, who: Person, data: str, chat_id: int, kind: str = "group"
    ) -> None:
        """A button pressed under a message the bot (supposedly) sent in a group chat."""
        update = Update.de_json(
            {
                "update_id": next(self._update_ids),
                "callback_query": {
                    "id": f"group{next(self._update_ids)}",
                    "from": who.as_user(),
                    "chat_instance": f"group{chat_id}",
                    "data": data,
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": chat_id, "type": kind, "title": "Riverside chat"},
                        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Mutual Aid"},
                        "text": "Old menu",
                    },
                },
            },
            self.app.bot,
        )
        await self.app.process_update(update)

    # --- what people see -----------------------------------------------------------------
    def screen(self, who: Person | int) -> list[Sent]:
        chat_id = who if isinstance(who, int) else who.id
        return self.request.sent_to(chat_id)

    def texts(self, who: Person | int) -> list[str]:
        return [m.text for m in self.screen(who)]

    def last(self, who: Person | int) -> Sent:
        screen = self.screen(who)
        assert screen, f"nothing was sent to {who}"
        return screen[-1]

    def last_text(self, who: Person | int) -> str:
        return self.last(who).text

    def message_with_button(self, who: Person, label: str) -> Sent:
        for message in reversed(self.screen(who)):
            if label in labels(message):
                return message
        shown = [labels(m) for m in self.screen(who)]
        raise AssertionError(f"no {label!r} button on {who.first_name}'s screen: {shown}")

    def messages_containing(self, who: Person | int, fragment: str) -> list[Sent]:
        return [m for m in self.screen(who) if fragment in m.text]

    def mark(self) -> int:
        """A bookmark in the call log: `calls_since(mark)` is what happened after it."""
        return len(self.request.calls)

    def calls_since(self, mark: int, method: str | None = None) -> list[Call]:
        calls = self.request.calls[mark:]
        return [c for c in calls if method is None or c.method == method]

    def sent_since(self, mark: int, chat_id: int | None = None) -> list[str]:
        """Texts of the messages sent (not edited) after the bookmark."""
        return [
            str(c.params.get("text", ""))
            for c in self.calls_since(mark, "sendMessage")
            if chat_id is None or int(c.params["chat_id"]) == chat_id
        ]

    def answers_since(self, mark: int) -> list[str | None]:
        """The texts of the callback query answers (None: answered silently)."""
        return [c.params.get("text") for c in self.calls_since(mark, "answerCallbackQuery")]

    # --- the database, read directly ------------------------------------------------------
    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        uri = f"file:{self.db_path}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            return list(conn.execute(sql, params).fetchall())

    def count(self, table: str, where: str = "1=1", params: tuple[Any, ...] = ()) -> int:
        return int(self.rows(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0])

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table: what a bad input must leave exactly as it was. The
        outbox is left out: it records what the bot said (a kind answer), not what changed."""
        tables = [
            r[0]
            for r in self.rows("SELECT name FROM sqlite_master WHERE type='table'")
            if not r[0].startswith("sqlite_") and r[0] != "outbox"
        ]
        assert set(TABLES) <= set(tables), tables
        return {t: sorted(self.rows(f"SELECT * FROM {t}"), key=repr) for t in tables}

    def conversation_state(self, who: Person, name: str = "need") -> Any:
        rows = self.rows(
            "SELECT state FROM conversations WHERE name=? AND key=?",
            (name, f"[{who.id}, {who.id}]"),
        )
        return rows[0][0] if rows else None

    # --- whole steps, for tests that are about what comes after --------------------------
    async def agree(self, *people: Person) -> None:
        for who in people:
            await self.say(who, "/start")
            await self.press(who, "I agree")

    async def sign_up(
        self,
        who: Person,
        skills: tuple[str, ...] = ("Shopping & essentials",),
        areas: tuple[str, ...] = ("Trinity",),
        availability: str = "Any time",
    ) -> None:
        """Consent (if needed) and a volunteer profile, all through the buttons."""
        await self.say(who, "/volunteer")
        for skill in skills:
            await self.press(who, skill)
        await self.press(who, "Done")
        for area in areas:
            await self.press(who, area)
        await self.press(who, "Done")
        await self.press(who, availability)
        await self.press(who, "Done")  # the languages they speak: their own, ticked
        await self.press(who, "Save")

    async def start_need(
        self, who: Person, category: str = "Shopping & essentials", area: str | None = None
    ) -> None:
        """/need, a category and (if given) an area button: the description is next."""
        await self.say(who, "/need")
        await self.press(who, category)
        if area is not None:
            await self.press(who, area)

    async def its_new_if_asked(self, who: Person) -> None:
        """After Post: a request like one still open asks whether it is new; say it is."""
        if "Yes, it's new" in labels(self.last(who)):
            await self.press(who, "Yes, it's new")

    async def post_need(
        self,
        who: Person,
        category: str = "Shopping & essentials",
        area: str = "Trinity",
        description: str = "A loaf of bread and some milk",
        when: str = "Today",
    ) -> int:
        """A whole /need, through the buttons; returns the id of the posted need."""
        await self.start_need(who, category, area)
        await self.say(who, description)
        await self.press(who, when)
        await self.press(who, "Post")
        await self.its_new_if_asked(who)
        rows = self.rows("SELECT max(id) FROM needs WHERE resident_id=?", (who.id,))
        assert rows[0][0] is not None, f"no need was posted: {self.texts(who)[-3:]}"
        return int(rows[0][0])


@asynccontextmanager
async def running_bot(
    database: Path,
    *,
    clock: FakeClock | None = None,
    request: SandboxRequest | None = None,
    **settings: Any,
) -> AsyncIterator[BotUnderTest]:
    """The real Application on this database file, started and (whatever happens) stopped.

    Pass the `request` of an earlier run to keep "Telegram" (the messages on people's
    screens) across a restart of the bot.
    """
    config = make_settings(database, **settings)
    request = request or SandboxRequest()
    clock = clock or FakeClock()
    app = build_application(config, request=request, rate_limit=False, clock=clock)
    with recording_errors() as errors:
        # The order run_polling uses: post_shutdown closes the database after shutdown
        # has flushed the persistence into it.
        try:
            await app.initialize()
            assert app.post_init is not None and app.post_shutdown is not None
            await app.post_init(app)
            yield BotUnderTest(
                app=app,
                request=request,
                sandbox=Sandbox(app, request),
                clock=clock,
                settings=config,
                errors=errors,
            )
        finally:
            try:
                await app.shutdown()
            finally:
                assert app.post_shutdown is not None
                await app.post_shutdown(app)


# The people the handler tests meet. Ids are distinctive, so a leak is easy to spot.
RESIDENT = Person(7301942, "Margaret", "maggie_w")
NEIGHBOUR = Person(7301943, "Harold", "harold_k")
VOLUNTEER = Person(5500011, "Priya")


def plain(text: str) -> str:
    """What a person reads of an HTML message: no tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


# --- the /need flow, step by step ----------------------------------------------------------

NEED_STEPS = ("category", "area", "description", "when", "confirm")


async def need_until(bot: BotUnderTest, who: Person, step: str) -> None:
    """Start /need and answer every step before `step` (which is then waiting for input)."""
    await bot.say(who, "/need")
    position = NEED_STEPS.index(step)
    if position > 0:
        await bot.press(who, "Shopping & essentials")
    if position > 1:
        await bot.press(who, "Trinity")
    if position > 2:
        await bot.say(who, "Bread and milk")
    if position > 3:
        await bot.press(who, "Today")


async def finish_need(bot: BotUnderTest, who: Person, step: str) -> None:
    """Answer `step` and every step after it, properly, and post."""
    position = NEED_STEPS.index(step)
    if position <= 0:
        await bot.press(who, "Shopping & essentials")
    if position <= 1:
        await bot.press(who, "Trinity")
    if position <= 2:
        await bot.say(who, "Bread and milk")
    if position <= 3:
        await bot.press(who, "Today")
    await bot.press(who, "Post")
    await bot.its_new_if_asked(who)


# --- what Telegram would refuse ------------------------------------------------------------

_TAG = re.compile(
    r"</?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|span|tg-spoiler|blockquote)(\s[^<>]*)?>"
)
_BAD_AMP = re.compile(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
MAX_MESSAGE = 4096


def html_problems(text: str) -> list[str]:
    """Why Telegram would refuse this text with parse_mode HTML (empty: it would not)."""
    rest = _TAG.sub("", text)
    problems = []
    if "<" in rest or ">" in rest:
        problems.append("a < or > outside a supported tag")
    if _BAD_AMP.search(rest):
        problems.append("an & that starts no entity")
    if not plain(text).strip():
        problems.append("empty")
    if len(plain(text)) > MAX_MESSAGE:
        problems.append(f"{len(plain(text))} characters")
    return problems


def refused_messages(calls: list[Call]) -> list[tuple[str, list[str]]]:
    """Every text the bot sent or edited that Telegram would have refused."""
    out = []
    for call in calls:
        if call.method in {"sendMessage", "editMessageText"}:
            text = str(call.params.get("text", ""))
            problems = (
                html_problems(text)
                if call.params.get("parse_mode") == "HTML"
                else (["empty"] if not text.strip() else [])
            )
            if problems:
                out.append((text[:80], problems))
    return out
