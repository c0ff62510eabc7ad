"""A crash between posting and matching: `mutualaid run` killed with SIGKILL, then started again.

The real process runs against the fake Bot API (as in test_end_to_end.py). A resident posts
a request while no volunteer exists, so it is saved and waits; the process is killed -9 with
no chance to tidy up; Telegram hands the Post press over again, as it does for an update
the bot never confirmed; the bot starts again. The request is still there, the redelivered
press does nothing, and when a volunteer signs up they are asked exactly once.
"""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from support.fake_bot_api import FakeBotAPI, Message, User

WAIT = 20.0
RESIDENT = User(42_001, "Margaret", "maggie_frome")
VOLUNTEER = User(42_002, "Priya", "priya_helps")
CATEGORY, AREA = "Shopping & essentials", "Trinity"
DESCRIPTION = "A loaf of bread and four tins of soup"


def _command() -> list[str]:
    script = Path(sys.executable).with_name("mutualaid")
    return [str(script), "run"] if script.exists() else [sys.executable, "-m", "bot", "run"]


def _clean_env() -> dict[str, str]:
    drop = ("TELEGRAM_", "MUTUALAID_")
    return {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(drop) and not k.lower().endswith("_proxy")
    }


class Bot:
    """`mutualaid run` as a child process that can be started, killed and started again."""

    def __init__(self, api: FakeBotAPI, tmp_path: Path) -> None:
        self.token = f"{secrets.randbelow(10**9) + 10**9}:AAE{secrets.token_urlsafe(27)}"
        self.db = tmp_path / "crash.db"
        self.env = _clean_env() | {
            "TELEGRAM_BOT_TOKEN": self.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_BASE_FILE_URL": api.base_url,
            "MUTUALAID_DATABASE": str(self.db),
            "MUTUALAID_VOLUNTEER_APPROVAL": "false",
            "MUTUALAID_TICK": "1s",
            # The real clock: at night, quiet hours would hold proposals until the morning.
            "MUTUALAID_QUIET_HOURS": "off",
            "PYTHONUNBUFFERED": "1",
        }
        self.workdir = tmp_path / "work"
        self.workdir.mkdir()
        self.log = tmp_path / "bot.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                _command(),
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def kill_9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)) as conn:
            return list(conn.execute(sql, params).fetchall())

    def until(self, what: str, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and not self.exited():
            try:
                if check():
                    return
            except sqlite3.OperationalError:
                pass  # not created or migrated yet
            time.sleep(0.05)
        pytest.fail(f"never: {what}\n{self.output()[-3000:]}")


UNSETTLED = "SELECT count(*) FROM outbox WHERE settled_at IS NULL"


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
        if not running.exited():
            assert running.process is not None
            running.process.kill()
            running.process.wait(timeout=10)


def wait(api: FakeBotAPI, bot: Bot, user: User, pred: Callable[[Message], bool]) -> Message:
    try:
        return api.wait_for(user.id, pred, WAIT, give_up=bot.exited)
    except TimeoutError as exc:
        pytest.fail(f"{user.first_name}: {exc}\n{bot.output()[-3000:]}")


def press(api: FakeBotAPI, bot: Bot, user: User, label: str) -> dict[str, Any]:
    message = wait(api, bot, user, lambda m: label in m.labels)
    return api.user_presses(user, message, label)


def test_a_need_posted_before_a_kill_9_is_kept_and_matched_exactly_once(
    api: FakeBotAPI, bot: Bot
) -> None:
    bot.start()
    api.user_says(RESIDENT, "/start")
    press(api, bot, RESIDENT, "I agree")
    wait(api, bot, RESIDENT, lambda m: "I need help" in m.labels)
    api.user_says(RESIDENT, "/need")
    press(api, bot, RESIDENT, CATEGORY)
    press(api, bot, RESIDENT, AREA)
    wait(api, bot, RESIDENT, lambda m: "few words" in m.plain)
    api.user_says(RESIDENT, DESCRIPTION)
    press(api, bot, RESIDENT, "Today")
    post = press(api, bot, RESIDENT, "Post")
    wait(api, bot, RESIDENT, lambda m: "Posted as #1" in m.plain)
    # Saved, and the flow's end saved too, before the kill: nothing is half-done.
    bot.until("the need saved", lambda: bot.rows("SELECT count(*) FROM needs") == [(1,)])
    bot.until("the flow ended", lambda: bot.rows("SELECT count(*) FROM conversations") == [(0,)])
    # And Telegram's acceptance of "Posted" recorded (only a kill in that one instant would
    # send it again: README, "Crashes and restarts").
    bot.until("all owed was sent", lambda: bot.rows(UNSETTLED) == [(0,)])
    assert bot.rows("SELECT count(*) FROM proposals") == [(0,)]

    bot.kill_9()
    # Telegram never heard the press was handled: it hands it over again after the restart.
    with api._changed:
        api._updates.append(post)
    bot.start()

    api.user_says(VOLUNTEER, "/start")
    press(api, bot, VOLUNTEER, "I agree")
    press(api, bot, VOLUNTEER, "I can help")
    press(api, bot, VOLUNTEER, CATEGORY)
    wait(api, bot, VOLUNTEER, lambda m: f"✅ {CATEGORY}" in m.raw_labels)
    press(api, bot, VOLUNTEER, "Done")
    press(api, bot, VOLUNTEER, AREA)
    wait(api, bot, VOLUNTEER, lambda m: f"✅ {AREA}" in m.raw_labels)
    press(api, bot, VOLUNTEER, "Done")
    press(api, bot, VOLUNTEER, "Any time")
    wait(api, bot, VOLUNTEER, lambda m: "✅ English" in m.raw_labels)
    press(api, bot, VOLUNTEER, "Done")
    press(api, bot, VOLUNTEER, "Save")
    proposal = wait(api, bot, VOLUNTEER, lambda m: "#1" in m.plain and "Accept" in m.labels)
    assert DESCRIPTION in proposal.plain
    time.sleep(1.5)  # more than a tick: anything sent twice would be here by now

    assert bot.rows("SELECT id, status, description FROM needs") == [(1, "open", DESCRIPTION)]
    assert bot.rows("SELECT need_id, volunteer_id, status FROM proposals") == [
        (1, VOLUNTEER.id, "open")
    ]
    asked = [m for m in api.messages(VOLUNTEER.id) if "Accept" in m.labels]
    assert len(asked) == 1, api.transcript(VOLUNTEER.id)
    posted = [m for m in api.messages(RESIDENT.id) if "Posted as" in m.plain]
    assert len(posted) == 1, api.transcript(RESIDENT.id)
    assert bot.rows(
        "SELECT count(*) FROM processed_updates WHERE update_id=?", (post["update_id"],)
    ) == [(1,)]

    assert bot.stop() == 0, bot.output()[-3000:]
    output = bot.output()
    assert "Traceback" not in output, output[-3000:]
    assert f"Update {post['update_id']} was delivered again; ignored" in output
    assert bot.token not in output and bot.token.partition(":")[2] not in output
