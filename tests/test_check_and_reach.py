"""`mutualaid check` names what is wrong precisely, and `mutualaid run` with Telegram out of
reach says so in one line per attempt and keeps trying, with no traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.__main__ import main

AREAS = '[[areas]]\nname = "Northfield"\n\n[[areas]]\nname = "Old Town"\n'


def check(tmp_path: Path, toml: str, capsys: pytest.CaptureFixture[str], **env: str) -> str:
    path = tmp_path / "community.toml"
    path.write_text(toml, encoding="utf-8")
    os.environ["MUTUALAID_COMMUNITY_FILE"] = str(path)
    os.environ.update(env)
    try:
        main(["check"])
    except SystemExit as stop:
        return str(stop.code)
    finally:
        os.environ.pop("MUTUALAID_COMMUNITY_FILE")
        for key in env:
            os.environ.pop(key)
    out = capsys.readouterr()
    return out.out + out.err


def test_a_missing_group_name_is_named_as_such(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said = check(isolated_env, AREAS, capsys)
    problems = said.splitlines()[1:]
    assert len(problems) == 1, said
    assert problems[0].startswith("  name: required: the group's name, at the top of the file")
    assert "line" not in problems[0]  # not the area's `name =` line, as it used to say


def test_two_areas_with_one_name_are_both_pointed_at(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said = check(
        isolated_env, 'name = "X"\n\n' + AREAS + '\n[[areas]]\nname = "northfield"\n', capsys
    )
    assert said.splitlines()[1:] == [
        "  areas.0.name (line 4) and areas.2.name (line 10): two areas share the name "
        "'Northfield' (names are matched without regard to case)"
    ]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "lat",
            "151.5",
            "  areas.0.lat (line 5): 151.5 is not a latitude: it must be between -90 and 90",
        ),
        (
            "lon",
            "-200",
            "  areas.0.lon (line 5): -200 is not a longitude: it must be between -180 and 180",
        ),
    ],
)
def test_a_place_off_the_map_gets_one_clear_message(
    isolated_env: Path, capsys: pytest.CaptureFixture[str], key: str, value: str, expected: str
) -> None:
    said = check(isolated_env, f'name = "X"\n\n[[areas]]\nname = "N"\n{key} = {value}\n', capsys)
    assert said.splitlines()[1:] == [expected]


def test_approval_with_nobody_to_approve_is_warned_about(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = 'name = "X"\n\n' + AREAS
    said = check(isolated_env, toml, capsys, MUTUALAID_VOLUNTEER_APPROVAL="true")
    assert "Warning: volunteer approval is on" in said and "nobody could ever approve" in said
    said = check(
        isolated_env,
        toml,
        capsys,
        MUTUALAID_VOLUNTEER_APPROVAL="true",
        MUTUALAID_COORDINATOR_IDS="5550001",
    )
    assert "Warning" not in said
    said = check(isolated_env, toml, capsys, MUTUALAID_VOLUNTEER_APPROVAL="false")
    assert "Warning" not in said


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_with_telegram_out_of_reach_says_so_and_keeps_trying(tmp_path: Path) -> None:
    port = _closed_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "MUTUALAID_")) and not k.lower().endswith("_proxy")
    }
    env |= {
        "TELEGRAM_BOT_TOKEN": "123456:not-a-real-token",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}",
        "MUTUALAID_DATABASE": str(tmp_path / "bot.db"),
        "MUTUALAID_WEB_HOST": "off",
    }
    script = Path(sys.executable).with_name("mutualaid")
    command = [str(script), "run"] if script.exists() else [sys.executable, "-m", "bot", "run"]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(4.5)  # attempts at 0 s, 1 s and 3 s
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) >= 3, output
    for attempt, line in enumerate(lines, 1):
        assert line.startswith(f"Can't reach Telegram at http://127.0.0.1:{port} ("), line
        assert line.endswith(f"(attempt {attempt}).")
    assert "not-a-real-token" not in output
