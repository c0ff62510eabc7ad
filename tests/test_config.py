"""Configuration as a deployer writes it: durations, times, ids; mistakes named clearly."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("45", 45), ("90s", 90), ("20m", 1200), ("2h", 7200), ("30d", 2_592_000)],
)
def test_durations_as_the_product_page_writes_them(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["soon", "-5m", "0", "2 weeks", ""])
def test_a_bad_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("MUTUALAID_COORDINATOR_IDS", "101, 202")
    monkeypatch.setenv("MUTUALAID_DIGEST_TIME", "8:30")
    monkeypatch.setenv("MUTUALAID_WAVE_TIMEOUT", "90m")
    settings = Settings()
    assert settings.coordinator_ids == [101, 202]
    assert settings.digest_time == time(8, 30)
    assert settings.wave_timeout == timedelta(minutes=90)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MUTUALAID_COORDINATOR_IDS", "101, alice"),
        ("MUTUALAID_TIMEZONE", "Mars/Olympus"),
        ("MUTUALAID_DIGEST_TIME", "25:00"),
        ("MUTUALAID_TICK", "often"),
    ],
)
def test_a_bad_setting_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, isolated_env: Path, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert name in str(caught.value)
