"""Kill -9 at the instant between saving a change and telling someone about it.

`mutualaid run` runs as its own process against the fake Bot API (as in
test_crash_restart.py). The fake holds one chosen call unanswered (`api.hold`): the bot has
committed the change that owes it and is waiting on Telegram. The process is killed with
SIGKILL right then, the held call is dropped (the person never saw it), and the bot is
started again on the same database. Each test checks what people see afterwards: what was
owed arrives exactly once, and what they do next follows on from the change, not from
before it. A bot that told people things before saving them fails every one of these.

The last test does the same for the scrub after /forget, in-process: the -wal file a crash
leaves behind still holds what was deleted until the next start-up empties it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.bot import FakeClock, running_bot
from support.fake_bot_api import FakeBotAPI, Message, User
from test_crash_restart import Bot, press, wait

from bot.sandbox import Person, SandboxRequest
from handlers import texts

RESIDENT = User(43_001, "Margaret", "maggie_frome")
VOLUNTEER = User(43_002, "Priya", "priya_helps")
SECOND_VOLUNTEER = User(43_003, "Tomasz", "tomasz_t")
CATEGORY, AREA = "Shopping & essentials", "Trinity"
DESCRIPTION = "A loaf of bread and four tins of soup"
TASK_BUTTONS = ["Done", "Couldn't do it", "Raise a concern"]
# The accepted details and each /tasks entry also reach the resident through the bot.
ACCEPTED_BUTTONS = ["Message Margaret", "Share my phone number", *TASK_BUTTONS]

# Distinctive, so a stray copy in the database file's bytes is unmistakable.
ZEPH = User(43_009, "Zephyrinella", "zq_quokka_77")
ZEPH_WORDS = "Quillworth marmalade jars"
SECRETS = (ZEPH.first_name, ZEPH.username or "", ZEPH_WORDS)


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
def bot(api: FakeBotAPI, tmp_path: Path) -> Iterator[Bot]:
    running = Bot(api, tmp_path)
    try:
        yield running
    finally:
        api.release()
        if not running.exited():
            assert running.process is not None
            running.process.kill()
            running.process.wait(timeout=10)


# --- steps -----------------------------------------------------------------------------------


def agree(api: FakeBotAPI, bot: Bot, user: User) -> None:
    api.user_says(user, "/start")
    press(api, bot, user, "I agree")
    wait(api, bot, user, lambda m: "I need help" in m.labels)


def sign_up(api: FakeBotAPI, bot: Bot, user: User) -> None:
    agree(api, bot, user)
    api.user_says(user, "/volunteer")
    press(api, bot, user, CATEGORY)
    wait(api, bot, user, lambda m: f"✅ {CATEGORY}" in m.raw_labels)
    press(api, bot, user, "Done")
    press(api, bot, user, AREA)
    wait(api, bot, user, lambda m: f"✅ {AREA}" in m.raw_labels)
    press(api, bot, user, "Done")
    press(api, bot, user, "Any time")
    wait(api, bot, user, lambda m: "✅ English" in m.raw_labels)
    press(api, bot, user, "Done")
    press(api, bot, user, "Save")
    wait(api, bot, user, lambda m: "Saved" in m.plain)


def fill_in_need(api: FakeBotAPI, bot: Bot, user: User, description: str = DESCRIPTION) -> None:
    """/need up to its summary, with Post waiting to be pressed."""
    api.user_says(user, "/need")
    press(api, bot, user, CATEGORY)
    press(api, bot, user, AREA)
    wait(api, bot, user, lambda m: "few words" in m.plain)
    api.user_says(user, description)
    press(api, bot, user, "Today")
    wait(api, bot, user, lambda m: "Post" in m.labels)


def sends(chat_id: int, fragment: str) -> Callable[[str, dict[str, Any]], bool]:
    """The sendMessage to this chat whose text contains `fragment`."""
    return lambda method, params: (
        method == "sendMessage"
        and int(params.get("chat_id", 0)) == chat_id
        and fragment in str(params.get("text", ""))
    )


def shows(chat_id: int, fragment: str) -> Callable[[str, dict[str, Any]], bool]:
    """The sendMessage or editMessageText in this chat whose text contains `fragment` (a
    question answered by its button becomes the next one in place)."""
    return lambda method, params: (
        method in ("sendMessage", "editMessageText")
        and int(params.get("chat_id", 0)) == chat_id
        and fragment in str(params.get("text", ""))
    )


def kill_while_held(api: FakeBotAPI, bot: Bot) -> None:
    """The bot is stuck on the held call: kill it there, and the call is lost."""
    try:
        api.wait_held(give_up=bot.exited)
    except TimeoutError:
        pytest.fail(f"the call to lose was never made\n{bot.output()[-3000:]}")
    bot.kill_9()
    api.release()


def restart(api: FakeBotAPI, bot: Bot) -> None:
    kill_while_held(api, bot)
    bot.start()


def shown(api: FakeBotAPI, user: User, fragment: str) -> list[Message]:
    """Every message on this person's screen containing `fragment`."""
    return [m for m in api.messages(user.id) if fragment in m.plain]


def proposals_sent(api: FakeBotAPI, user: User) -> list[dict[str, Any]]:
    """Every proposal this person was sent (and Telegram accepted), whatever it became."""
    return [
        c.params
        for c in api.calls("sendMessage")
        if int(c.params.get("chat_id", 0)) == user.id and "Can you help?" in c.params["text"]
    ]


def settle(bot: Bot) -> None:
    """Everything owed has been sent (and more than a tick has passed for anything extra)."""
    bot.until(
        "all owed was sent",
        lambda: bot.rows("SELECT count(*) FROM outbox WHERE settled_at IS NULL") == [(0,)],
    )
    time.sleep(1.2)  # more than a tick: anything sent twice would be here by now


def stop_cleanly(bot: Bot) -> None:
    assert bot.stop() == 0, bot.output()[-3000:]
    assert "Traceback" not in bot.output(), bot.output()[-3000:]


# --- the crash points ------------------------------------------------------------------------


def test_killed_after_an_area_is_chosen_the_flow_carries_on_from_the_description(
    api: FakeBotAPI, bot: Bot
) -> None:
    bot.start()
    agree(api, bot, RESIDENT)
    api.user_says(RESIDENT, "/need")
    press(api, bot, RESIDENT, CATEGORY)
    api.hold(shows(RESIDENT.id, "few words"))
    press(api, bot, RESIDENT, AREA)
    restart(api, bot)

    # The question of the area became the question of what would help, in place.
    question = wait(api, bot, RESIDENT, lambda m: "few words" in m.plain)
    assert f"What: {CATEGORY} ✓" in question.plain and f"Area: {AREA}" in question.plain
    api.user_says(RESIDENT, DESCRIPTION)
    when = wait(api, bot, RESIDENT, lambda m: texts.ASK_WHEN in m.plain)
    assert "Today" in when.labels
    settle(bot)

    assert len(shown(api, RESIDENT, "few words")) == 1, api.transcript(RESIDENT.id)
    assert not shown(api, RESIDENT, "I don't know an area"), api.transcript(RESIDENT.id)
    assert not shown(api, RESIDENT, "Which area are you in?"), api.transcript(RESIDENT.id)
    assert not [m for m in api.messages(RESIDENT.id) if AREA in m.labels]
    press(api, bot, RESIDENT, "Today")
    summary = wait(api, bot, RESIDENT, lambda m: "Post" in m.labels)
    assert DESCRIPTION in summary.plain and AREA in summary.plain
    stop_cleanly(bot)


def test_killed_after_post_the_need_is_posted_once_and_the_flow_is_over(
    api: FakeBotAPI, bot: Bot
) -> None:
    bot.start()
    agree(api, bot, RESIDENT)
    fill_in_need(api, bot, RESIDENT)
    api.hold(shows(RESIDENT.id, "Posted as"))
    press(api, bot, RESIDENT, "Post")
    restart(api, bot)

    wait(api, bot, RESIDENT, lambda m: "Posted as #1" in m.plain)
    settle(bot)
    assert len(shown(api, RESIDENT, "Posted as")) == 1, api.transcript(RESIDENT.id)
    assert bot.rows("SELECT id, status, description FROM needs") == [(1, "open", DESCRIPTION)]

    api.user_says(RESIDENT, "/cancel")
    wait(api, bot, RESIDENT, lambda m: m.plain == texts.NOTHING_TO_CANCEL)
    api.user_says(RESIDENT, "/need")
    category = wait(api, bot, RESIDENT, lambda m: texts.ASK_CATEGORY in m.plain)
    assert CATEGORY in category.labels
    assert not shown(api, RESIDENT, texts.IN_A_FLOW), api.transcript(RESIDENT.id)
    stop_cleanly(bot)


def test_killed_after_accept_both_sides_get_the_details_once(api: FakeBotAPI, bot: Bot) -> None:
    bot.start()
    sign_up(api, bot, VOLUNTEER)
    agree(api, bot, RESIDENT)
    fill_in_need(api, bot, RESIDENT)
    press(api, bot, RESIDENT, "Post")
    proposal = wait(api, bot, VOLUNTEER, lambda m: "#1" in m.plain and "Accept" in m.labels)
    api.hold(
        lambda method, params: (
            method == "editMessageText"
            and int(params.get("chat_id", 0)) == VOLUNTEER.id
            and "You've got" in str(params.get("text", ""))
        )
    )
    api.user_presses(VOLUNTEER, proposal, "Accept")
    restart(api, bot)

    accepted = wait(
        api,
        bot,
        VOLUNTEER,
        lambda m: m.message_id == proposal.message_id and "You've got" in m.plain,
    )
    good_news = wait(api, bot, RESIDENT, lambda m: "Good news" in m.plain)
    settle(bot)

    assert accepted.labels == ACCEPTED_BUTTONS
    assert "You've got #1" in accepted.plain and RESIDENT.first_name in accepted.plain
    assert not [m for m in api.messages(VOLUNTEER.id) if "Accept" in m.labels]
    assert len(shown(api, RESIDENT, "Good news")) == 1, api.transcript(RESIDENT.id)
    found = re.search(r"say the code (\S+?);", good_news.plain)
    assert found, good_news.plain
    code = found.group(1)
    assert f"Doorstep code: {code}" in accepted.plain
    assert bot.rows("SELECT status, volunteer_id, doorstep_code FROM needs") == [
        ("accepted", VOLUNTEER.id, code)
    ]

    api.user_says(VOLUNTEER, "/tasks")
    task = wait(
        api,
        bot,
        VOLUNTEER,
        lambda m: m.message_id > accepted.message_id and "Done" in m.labels,
    )
    assert DESCRIPTION in task.plain and f"Doorstep code: {code}" in task.plain
    assert RESIDENT.first_name in task.plain  # who they are helping, and how to reach them
    assert task.labels == ACCEPTED_BUTTONS
    stop_cleanly(bot)


def test_killed_after_forget_nothing_of_them_is_on_disk_and_they_hear_once(
    api: FakeBotAPI, bot: Bot
) -> None:
    bot.start()
    agree(api, bot, ZEPH)
    fill_in_need(api, bot, ZEPH, ZEPH_WORDS)
    press(api, bot, ZEPH, "Post")
    wait(api, bot, ZEPH, lambda m: "Posted as #1" in m.plain)
    api.user_says(ZEPH, "/forget")
    api.hold(sends(ZEPH.id, "your data is deleted"))
    press(api, bot, ZEPH, "Delete my data")
    kill_while_held(api, bot)

    # What a kill -9 at this instant leaves on disk, as a backup would copy it.
    for path in (bot.db, bot.db.with_name(bot.db.name + "-wal")):
        content = path.read_bytes() if path.exists() else b""
        for secret in SECRETS:
            assert secret.encode() not in content, (path.name, secret)

    bot.start()
    wait(api, bot, ZEPH, lambda m: m.plain == texts.FORGET_DONE)
    settle(bot)
    assert len(shown(api, ZEPH, "your data is deleted")) == 1, api.transcript(ZEPH.id)
    assert bot.rows("SELECT count(*) FROM people WHERE id=?", (ZEPH.id,)) == [(0,)]
    assert bot.rows("SELECT status, description FROM needs") == [("cancelled", "")]
    stop_cleanly(bot)
    for path in (bot.db, bot.db.with_name(bot.db.name + "-wal")):
        content = path.read_bytes() if path.exists() else b""
        for secret in SECRETS:
            assert secret.encode() not in content, (path.name, secret)


def test_killed_while_a_wave_moves_on_the_next_volunteer_is_asked_once(
    api: FakeBotAPI, bot: Bot
) -> None:
    bot.env |= {"MUTUALAID_WAVE_SIZE": "1", "MUTUALAID_URGENT_WAVE_TIMEOUT": "3s"}
    bot.start()
    sign_up(api, bot, VOLUNTEER)
    sign_up(api, bot, SECOND_VOLUNTEER)
    agree(api, bot, RESIDENT)
    fill_in_need(api, bot, RESIDENT)
    press(api, bot, RESIDENT, "Post")
    # The best-ranked volunteer (never tasked, lowest id) is asked alone.
    first = wait(api, bot, VOLUNTEER, lambda m: "#1" in m.plain and "Accept" in m.labels)
    assert not [m for m in api.messages(SECOND_VOLUNTEER.id) if "Accept" in m.labels]
    # Nobody answers; the next wave's proposal is lost with the process.
    api.hold(sends(SECOND_VOLUNTEER.id, "Can you help?"))
    restart(api, bot)

    second = wait(api, bot, SECOND_VOLUNTEER, lambda m: "#1" in m.plain and "Accept" in m.labels)
    # The first volunteer's proposal stays open (waves widen); the second accepts first.
    api.user_presses(SECOND_VOLUNTEER, second, "Accept")
    wait(
        api,
        bot,
        SECOND_VOLUNTEER,
        lambda m: m.message_id == second.message_id and "You've got #1" in m.plain,
    )
    closed = wait(
        api,
        bot,
        VOLUNTEER,
        lambda m: m.message_id == first.message_id and "Accept" not in m.labels,
    )
    settle(bot)

    assert "another volunteer has taken this one" in closed.plain, api.transcript(VOLUNTEER.id)
    assert len(proposals_sent(api, SECOND_VOLUNTEER)) == 1, api.transcript(SECOND_VOLUNTEER.id)
    assert len(proposals_sent(api, VOLUNTEER)) == 1, api.transcript(VOLUNTEER.id)
    assert not [m for m in api.messages(VOLUNTEER.id) if "Accept" in m.labels]
    assert bot.rows("SELECT status, volunteer_id FROM needs") == [("accepted", SECOND_VOLUNTEER.id)]
    assert bot.rows("SELECT volunteer_id, status FROM proposals ORDER BY volunteer_id") == [
        (VOLUNTEER.id, "taken"),
        (SECOND_VOLUNTEER.id, "accepted"),
    ]
    stop_cleanly(bot)


# --- the scrub after /forget, interrupted ------------------------------------------------------


def _disk(db: Path) -> dict[str, bytes]:
    """The database file and its -wal, as they are on disk."""
    return {p.name: p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists()}


def _holds_secrets(db: Path) -> list[tuple[str, str]]:
    return [
        (name, secret)
        for name, content in _disk(db).items()
        for secret in SECRETS
        if secret.encode() in content
    ]


class WatchingRequest(SandboxRequest):
    """Telegram, noting what was on disk whenever the bot sent or changed a message."""

    def __init__(self, db: Path) -> None:
        super().__init__()
        self.db = db
        self.on_disk: list[tuple[str, list[tuple[str, str]]]] = []

    async def do_request(self, url: str, method: str, *args: Any, **kw: Any) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        if api_method.startswith(("send", "edit")):
            self.on_disk.append((api_method, _holds_secrets(self.db)))
        return await super().do_request(url, method, *args, **kw)


async def test_a_scrub_interrupted_by_a_crash_is_finished_before_anything_is_sent(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zeph = Person(ZEPH.id, ZEPH.first_name, ZEPH.username)
    first_db = isolated_env / "first" / "aid.db"
    copied_db = isolated_env / "copied" / "aid.db"
    first_db.parent.mkdir()
    copied_db.parent.mkdir()
    clock = FakeClock()

    async with running_bot(first_db, clock=clock, request=SandboxRequest()) as first:
        await first.agree(zeph)
        await first.post_need(zeph, description=ZEPH_WORDS)

        # The crash instant: the deletion has committed; neither the scrub nor the
        # confirmation it owes has happened yet.
        async def not_yet() -> int:
            return 0

        async def nothing_sent(chats: Any = None, rows: Any = None) -> bool:
            return False

        await first.say(zeph, "/forget")
        monkeypatch.setattr(first.store.privacy, "finish_scrubs", not_yet)
        monkeypatch.setattr(first.services.sender, "drain", nothing_sent)
        await first.press(zeph, "Delete my data")
        assert first.count("people", "id=?", (zeph.id,)) == 0
        assert texts.FORGET_DONE not in first.texts(zeph)
        # What a kill -9 right now leaves on disk: the file and its -wal, as they are.
        for name, content in _disk(first_db).items():
            (copied_db.parent / name).write_bytes(content)
        assert ZEPH.first_name.encode() in _disk(copied_db)["aid.db-wal"]  # the hazard
        monkeypatch.undo()

    request = WatchingRequest(copied_db)
    async with running_bot(copied_db, clock=clock, request=request) as second:
        # Scrubbed before the first message went out, and nothing left after start-up.
        assert request.on_disk, "nothing was sent"
        assert all(found == [] for _, found in request.on_disk), request.on_disk
        assert _holds_secrets(copied_db) == []
        assert second.rows("SELECT count(*) FROM pending_scrub") == [(0,)]
        assert second.texts(zeph) == [texts.FORGET_DONE]
        assert second.count("people", "id=?", (zeph.id,)) == 0
        assert not second.errors.records, second.errors.describe()
