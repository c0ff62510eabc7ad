"""End to end: the real `mutualaid run`, as a newcomer starts it, against a fake Bot API.

The bot runs as its own process, configured only by the environment, in an empty working
directory (so no developer's .env is read) with a fresh database. A volunteer signs up, a
resident asks for shopping, the volunteer accepts, and both get the same doorstep code;
then the process is stopped the way a service manager stops it.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from support.fake_bot_api import FakeBotAPI, Message, User

WAIT = 20.0  # generous per step; the whole walk normally takes a few seconds
STOP_WAIT = 10.0

VOLUNTEER = User(41_001, "Priya", "priya_helps")
RESIDENT = User(41_002, "Margaret", "maggie_frome")
COORDINATOR_ID = 41_999

CATEGORY = "Shopping & essentials"
AREA = "Town Centre"
AREA_AS_TYPED = "ba11 1"  # an alias of Town Centre in the bundled example, typed loosely
DESCRIPTION = "Bread, milk and a few tins from the Co-op, please"

_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _command() -> list[str]:
    """The `mutualaid` script a newcomer runs, or the module if it is not installed here."""
    script = Path(sys.executable).with_name("mutualaid")
    if script.exists():
        return [str(script), "run"]
    return [sys.executable, "-m", "bot", "run"]


def _clean_env() -> dict[str, str]:
    """The caller's environment without any bot configuration or proxy of its own."""
    drop = ("TELEGRAM_", "MUTUALAID_")
    return {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(drop) and not k.lower().endswith("_proxy")
    }


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path

    def exited(self) -> bool:
        return self.process.poll() is not None

    def output(self) -> str:
        """Everything the process wrote so far, stdout then stderr."""
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(
            errors="replace"
        )


def _start(
    cwd: Path, env: dict[str, str], out: IO[bytes], err: IO[bytes]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        _command(), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
    )


@pytest.fixture
def fake_api() -> Iterator[FakeBotAPI]:
    api = FakeBotAPI()
    api.start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def bot_token() -> str:
    """A token shaped like a real one and unique to this run, so any leak is unmistakable."""
    return f"{secrets.randbelow(10**9) + 10**9}:AAE{secrets.token_urlsafe(27)}"


@pytest.fixture
def bot_process(fake_api: FakeBotAPI, bot_token: str, tmp_path: Path) -> Iterator[BotProcess]:
    """`mutualaid run` pointed at the fake API; always stopped, killed if it must be."""
    with launched(fake_api, bot_token, tmp_path) as process:
        yield process


@contextmanager
def launched(
    fake_api: FakeBotAPI, bot_token: str, tmp_path: Path, **extra: str
) -> Iterator[BotProcess]:
    env = (
        _clean_env()
        | extra
        | {
            "TELEGRAM_BOT_TOKEN": bot_token,
            "TELEGRAM_API_BASE_URL": fake_api.base_url,
            "TELEGRAM_API_BASE_FILE_URL": fake_api.base_url,
            "MUTUALAID_DATABASE": str(tmp_path / "e2e.db"),
            "MUTUALAID_VOLUNTEER_APPROVAL": "false",
            "MUTUALAID_TICK": "1s",
            "MUTUALAID_COORDINATOR_IDS": str(COORDINATOR_ID),
            # The real clock: at night, quiet hours would hold proposals until the morning.
            "MUTUALAID_QUIET_HOURS": "off",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env = env | extra
    workdir = tmp_path / "work"
    workdir.mkdir()
    stdout_path, stderr_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = _start(workdir, env, out, err)
    try:
        yield BotProcess(process, stdout_path, stderr_path)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_WAIT)


class Walk:
    """The people's side of the conversation, with failures that show the whole chat."""

    def __init__(self, api: FakeBotAPI, bot: BotProcess) -> None:
        self.api = api
        self.bot = bot

    def expect(
        self,
        user: User,
        what: str,
        predicate: Callable[[Message], bool],
        *,
        since: int | None = None,
    ) -> Message:
        try:
            return self.api.wait_for(user.id, predicate, WAIT, since=since, give_up=self.bot.exited)
        except TimeoutError as exc:
            state = f"exited with {self.bot.process.returncode}" if self.bot.exited() else "running"
            pytest.fail(
                f"{user.first_name} never got {what}.\n{exc}\n"
                f"The bot process is {state}; its output:\n{self.bot.output()[-4000:]}"
            )

    def expect_buttons(self, user: User, *labels: str) -> Message:
        return self.expect(
            user, f"buttons {labels}", lambda m: all(label in m.labels for label in labels)
        )

    def says(self, user: User, text: str) -> None:
        self.api.user_says(user, text)

    def presses(self, user: User, message: Message, label: str) -> None:
        self.api.user_presses(user, message, label)

    def toggles(self, user: User, message: Message, label: str) -> Message:
        """Press a toggle button and wait until the message shows it ticked."""
        self.presses(user, message, label)
        return self.expect(user, f"{label!r} ticked", lambda m: f"✅ {label}" in m.raw_labels)


def sign_up(walk: Walk, user: User) -> None:
    """A volunteer for shopping in the Town Centre, at any time."""
    walk.says(user, "/start")
    walk.presses(user, walk.expect_buttons(user, "I agree"), "I agree")
    walk.presses(user, walk.expect_buttons(user, "I can help"), "I can help")
    skills = walk.toggles(user, walk.expect_buttons(user, CATEGORY, "Done"), CATEGORY)
    walk.presses(user, skills, "Done")
    areas = walk.toggles(user, walk.expect_buttons(user, AREA, "Done"), AREA)
    walk.presses(user, areas, "Done")
    walk.presses(user, walk.expect_buttons(user, "Any time"), "Any time")
    walk.presses(user, walk.expect_buttons(user, "Polski", "Done"), "Done")
    walk.presses(user, walk.expect_buttons(user, "Save"), "Save")
    walk.expect(user, "the saved profile", lambda m: "Saved" in m.plain)


def _codes(text: str) -> set[str]:
    return set(_FOUR_DIGITS.findall(text))


def test_a_newcomers_run_matches_a_volunteer_to_a_resident(
    fake_api: FakeBotAPI, bot_process: BotProcess, bot_token: str
) -> None:
    walk = Walk(fake_api, bot_process)

    # The volunteer signs up.
    walk.says(VOLUNTEER, "/start")
    notice = walk.expect_buttons(VOLUNTEER, "I agree", "No thanks")
    walk.presses(VOLUNTEER, notice, "I agree")
    menu = walk.expect_buttons(VOLUNTEER, "I need help", "I can help")
    walk.presses(VOLUNTEER, menu, "I can help")
    skills = walk.expect_buttons(VOLUNTEER, CATEGORY, "Done")
    skills = walk.toggles(VOLUNTEER, skills, CATEGORY)
    walk.presses(VOLUNTEER, skills, "Done")
    areas = walk.expect_buttons(VOLUNTEER, AREA, "Done")
    areas = walk.toggles(VOLUNTEER, areas, AREA)
    walk.presses(VOLUNTEER, areas, "Done")
    availability = walk.expect_buttons(VOLUNTEER, "Any time")
    walk.presses(VOLUNTEER, availability, "Any time")
    walk.presses(VOLUNTEER, walk.expect_buttons(VOLUNTEER, "Polski", "Done"), "Done")
    summary = walk.expect_buttons(VOLUNTEER, "Save")
    assert CATEGORY in summary.plain and AREA in summary.plain
    walk.presses(VOLUNTEER, summary, "Save")
    saved = walk.expect(VOLUNTEER, "the saved profile", lambda m: "Saved" in m.plain)
    assert "approve" not in saved.plain, "approval is off: no waiting for a coordinator"

    # The resident asks for help, typing the area as a postcode district.
    walk.says(RESIDENT, "/start")
    notice = walk.expect_buttons(RESIDENT, "I agree")
    walk.presses(RESIDENT, notice, "I agree")
    walk.expect_buttons(RESIDENT, "I need help")
    walk.says(RESIDENT, "/need")
    categories = walk.expect_buttons(RESIDENT, CATEGORY)
    walk.presses(RESIDENT, categories, CATEGORY)
    walk.expect_buttons(RESIDENT, AREA)
    walk.says(RESIDENT, AREA_AS_TYPED)
    walk.expect(RESIDENT, f"the area taken as {AREA}", lambda m: AREA in m.plain)
    walk.says(RESIDENT, DESCRIPTION)
    when = walk.expect_buttons(RESIDENT, "Today", "Tomorrow")
    walk.presses(RESIDENT, when, "Today")
    check = walk.expect_buttons(RESIDENT, "Post", "Cancel")
    assert DESCRIPTION in check.plain and AREA in check.plain and CATEGORY in check.plain
    walk.presses(RESIDENT, check, "Post")
    posted = walk.expect(RESIDENT, "the need's reference", lambda m: "#1" in m.plain)
    assert re.search(r"#1\b", posted.plain), posted.plain

    # The volunteer is asked, without being told who is asking.
    proposal = walk.expect(
        VOLUNTEER, "a proposal for #1", lambda m: "#1" in m.plain and "Accept" in m.labels
    )
    assert proposal.labels == ["Accept", "Decline"]
    assert DESCRIPTION in proposal.plain and AREA in proposal.plain
    for secret in (RESIDENT.first_name, RESIDENT.username):
        assert secret is not None and secret.lower() not in proposal.text.lower(), secret
    assert str(RESIDENT.id) not in proposal.text

    # The volunteer accepts: both sides get each other's first name and the same code.
    walk.presses(VOLUNTEER, proposal, "Accept")
    accepted = walk.expect(
        VOLUNTEER, "the resident's details", lambda m: RESIDENT.first_name in m.plain
    )
    walk.expect(
        VOLUNTEER,
        "the proposal edited to lose its Accept button",
        lambda m: m.message_id == proposal.message_id and "Accept" not in m.labels,
        since=proposal.version,
    )
    told = walk.expect(RESIDENT, "the volunteer's name", lambda m: VOLUNTEER.first_name in m.plain)
    volunteer_codes, resident_codes = _codes(accepted.plain), _codes(told.plain)
    assert "code" in accepted.plain.lower() and "code" in told.plain.lower()
    assert len(volunteer_codes) == 1, accepted.plain
    assert volunteer_codes == resident_codes, (accepted.plain, told.plain)

    # They reach each other through the bot, both ways, with no account or number shown.
    assert f"Message {RESIDENT.first_name}" in accepted.labels
    walk.says(RESIDENT, "The side gate is open")
    relayed = walk.expect(
        VOLUNTEER, "the resident's message", lambda m: "The side gate is open" in m.plain
    )
    assert relayed.plain.startswith(f"{RESIDENT.first_name} · #1") and relayed.labels == ["Reply"]
    walk.presses(VOLUNTEER, relayed, "Reply")
    walk.expect(VOLUNTEER, "the reply prompt", lambda m: "Type your message" in m.plain)
    walk.says(VOLUNTEER, "Thanks, on my way")
    answer = walk.expect(RESIDENT, "the volunteer's reply", lambda m: "on my way" in m.plain)
    assert answer.plain.startswith(f"{VOLUNTEER.first_name} · #1")

    # Every button press was answered, so no one's button kept spinning.
    answered = {c.params.get("callback_query_id") for c in fake_api.calls("answerCallbackQuery")}
    pressed = {u["callback_query"]["id"] for u in fake_api.injected("callback_query")}
    assert pressed and pressed <= answered, pressed - answered

    # Stopped the way systemd or Docker stops it: a clean exit, soon.
    bot_process.process.send_signal(signal.SIGTERM)
    try:
        returncode = bot_process.process.wait(timeout=STOP_WAIT)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"the bot did not stop within {STOP_WAIT}s of SIGTERM:\n{bot_process.output()[-4000:]}"
        )
    output = bot_process.output()
    assert returncode == 0, output[-4000:]

    # It talked to the configured server with the configured token, and never logged it.
    assert fake_api.tokens == {bot_token}
    assert bot_token not in output
    assert bot_token.split(":", 1)[1] not in output
    assert "Traceback" not in output, output[-4000:]


def test_run_without_a_token_explains_how_to_get_one(tmp_path: Path) -> None:
    env = _clean_env() | {"MUTUALAID_DATABASE": str(tmp_path / "never.db")}
    result = subprocess.run(
        _command(),
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "@BotFather" in output
    assert "TELEGRAM_BOT_TOKEN" in output
    assert "Traceback" not in output
    assert not (tmp_path / "never.db").exists(), "nothing is created before there is a token"


def test_a_silent_wave_widens_to_the_next_volunteer_and_a_late_yes_wins(
    fake_api: FakeBotAPI, bot_token: str, tmp_path: Path
) -> None:
    """With one volunteer per wave and a two-second wait, nobody answering asks the next
    volunteer too; the first keeps their Accept, and a late yes from them still wins."""
    first, second = User(41_101, "Aisha"), User(41_102, "Ben")
    with launched(
        fake_api,
        bot_token,
        tmp_path,
        MUTUALAID_WAVE_SIZE="1",
        MUTUALAID_URGENT_WAVE_TIMEOUT="2s",
    ) as bot:
        walk = Walk(fake_api, bot)
        sign_up(walk, first)
        sign_up(walk, second)
        walk.says(RESIDENT, "/start")
        walk.presses(RESIDENT, walk.expect_buttons(RESIDENT, "I agree"), "I agree")
        walk.says(RESIDENT, "/need")
        walk.presses(RESIDENT, walk.expect_buttons(RESIDENT, CATEGORY), CATEGORY)
        walk.presses(RESIDENT, walk.expect_buttons(RESIDENT, AREA), AREA)
        walk.says(RESIDENT, DESCRIPTION)
        walk.presses(RESIDENT, walk.expect_buttons(RESIDENT, "Today"), "Today")
        walk.presses(RESIDENT, walk.expect_buttons(RESIDENT, "Post"), "Post")

        # The best-ranked volunteer (never tasked, lowest id on a tie) is asked alone.
        asked = walk.expect(first, "the first wave", lambda m: "Accept" in m.labels)
        assert not [m for m in fake_api.messages(second.id) if "Accept" in m.labels]
        # Nobody answers: the next volunteer is asked as well, and the first keeps Accept.
        later = walk.expect(second, "the second wave", lambda m: "Accept" in m.labels)
        assert "#1" in later.plain
        still = next(m for m in fake_api.messages(first.id) if m.message_id == asked.message_id)
        assert "Accept" in still.labels
        # A late yes from the first wave wins; the second's proposal says it was taken.
        walk.presses(first, still, "Accept")
        walk.expect(
            first,
            "the task in full",
            lambda m: m.message_id == asked.message_id and "You've got #1" in m.plain,
        )
        taken = walk.expect(
            second,
            "the second proposal edited",
            lambda m: m.message_id == later.message_id and "Accept" not in m.labels,
            since=later.version,
        )
        assert "taken" in taken.plain.lower()
