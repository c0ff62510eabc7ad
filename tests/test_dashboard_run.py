"""The dashboard as a newcomer starts it: `mutualaid demo --dashboard` (a month of requests,
served, with sign-in links) and `mutualaid run` beside a dashboard port that is taken."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from support.fake_bot_api import FakeBotAPI, User
from test_end_to_end import Walk, launched

from bot.config import BUNDLED_COMMUNITY
from bot.dashboard_demo import MovingClock, with_wards
from domain.community import load_community


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _mutualaid() -> list[str]:
    script = Path(sys.executable).with_name("mutualaid")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def test_demo_dashboard_serves_a_month_with_sign_in_links(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "MUTUALAID_WEB_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [*_mutualaid(), "demo", "--dashboard"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        output = "".join(lines)
        links = re.findall(rf"(http://127\.0\.0\.1:{port}/signin/\S+)", output)
        assert len(links) == 2, output
        assert "coordinator" in output and "liaison" in output

        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False) as web:
            path = links[1].split(str(port), 1)[1]  # the liaison's
            page = web.get(path)
            nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
            assert nonce, page.text
            signed = web.post(path, data={"nonce": nonce[1]})
            assert signed.status_code == 303, signed.text
            home = web.get("/?period=" + _last_month())
            assert home.status_code == 200
            posted = re.search(r"Requests posted</dt><dd>([\d,]+)</dd>", home.text)
            assert posted and int(posted[1].replace(",", "")) >= 60, home.text[:2000]
            assert "By council ward" in web.get("/areas").text
            assert web.get("/needs").status_code == 403  # the liaison's link
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        rest = process.stdout.read()
        assert "Traceback" not in output + rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _last_month() -> str:
    first = date.today().replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


def test_run_goes_on_without_its_dashboard_when_the_port_is_taken(tmp_path: Path) -> None:
    """Residents come first: a taken port is logged plainly and the bot still answers."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            FakeBotAPI() as api,
            launched(
                api,
                "123456789:AAEport_taken_token_abcdefghijklmnopq",
                tmp_path,
                MUTUALAID_WEB_PORT=str(port),
            ) as bot,
        ):
            walk = Walk(api, bot)
            someone = User(43_001, "Ada")
            walk.says(someone, "/start")
            walk.expect_buttons(someone, "I agree")
            bot.process.send_signal(signal.SIGTERM)
            assert bot.process.wait(timeout=20) == 0
            output = bot.output()
            assert f"can't listen on 127.0.0.1:{port}" in output
            assert "MUTUALAID_WEB_PORT" in output and "Traceback" not in output


def test_the_demo_month_adds_wards_to_the_example() -> None:
    community = with_wards(load_community(BUNDLED_COMMUNITY))
    assert {a.ward for a in community.areas} >= {"Frome Market", "Frome Park"}
    assert all(a.ward for a in community.areas)
    clock = MovingClock(datetime(2026, 1, 1, tzinfo=UTC))
    clock.set(clock.now() - timedelta(days=1))  # the story's clock never goes back
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
