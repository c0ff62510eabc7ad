"""Settings from the environment (and a .env file): the only place that reads them."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.quiet import QuietHours

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}

BUNDLED_COMMUNITY = Path(__file__).with_name("community.example.toml")


def parse_duration(value: object) -> timedelta:
    """`45`, `90s`, `20m`, `2h`, `30d` -> timedelta; anything else is a clear error."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        m = _DURATION.match(str(value))
        if not m:
            raise ValueError(
                f"{value!r} is not a duration: use seconds (45) or a number with s, m, h or d "
                "(90s, 20m, 2h, 30d)"
            )
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be more than zero")
    return timedelta(seconds=seconds)


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    token: SecretStr | None = Field(default=None, validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    api_base_url: str | None = Field(default=None, validation_alias=_env("TELEGRAM_API_BASE_URL"))
    api_base_file_url: str | None = Field(
        default=None, validation_alias=_env("TELEGRAM_API_BASE_FILE_URL")
    )
    database: Path = Field(
        default=Path("mutualaid.db"), validation_alias=_env("MUTUALAID_DATABASE")
    )
    community_file: Path | None = Field(
        default=None, validation_alias=_env("MUTUALAID_COMMUNITY_FILE")
    )
    coordinator_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=_env("MUTUALAID_COORDINATOR_IDS")
    )
    timezone: str = Field(default="Europe/London", validation_alias=_env("MUTUALAID_TIMEZONE"))
    digest_time: time = Field(default=time(8, 0), validation_alias=_env("MUTUALAID_DIGEST_TIME"))
    volunteer_approval: bool = Field(
        default=True, validation_alias=_env("MUTUALAID_VOLUNTEER_APPROVAL")
    )
    wave_size: int = Field(default=3, ge=1, le=50, validation_alias=_env("MUTUALAID_WAVE_SIZE"))
    wave_timeout: timedelta = Field(
        default=timedelta(hours=2), validation_alias=_env("MUTUALAID_WAVE_TIMEOUT")
    )
    urgent_wave_timeout: timedelta = Field(
        default=timedelta(minutes=20), validation_alias=_env("MUTUALAID_URGENT_WAVE_TIMEOUT")
    )
    tick: timedelta = Field(default=timedelta(seconds=30), validation_alias=_env("MUTUALAID_TICK"))
    retention: timedelta = Field(
        default=timedelta(days=30), validation_alias=_env("MUTUALAID_RETENTION")
    )
    # Local hours in which nothing unasked-for is sent; None (`off`) for none.
    quiet_hours: Annotated[QuietHours | None, NoDecode] = Field(
        default=QuietHours(start=time(21, 0), end=time(8, 0)),
        validation_alias=_env("MUTUALAID_QUIET_HOURS"),
    )
    flow_timeout: timedelta = Field(
        default=timedelta(minutes=30), validation_alias=_env("MUTUALAID_FLOW_TIMEOUT")
    )
    # The dashboard, served by `mutualaid run` beside the bot; None (`off`) for none.
    web_host: Annotated[str | None, NoDecode] = Field(
        default="127.0.0.1", validation_alias=_env("MUTUALAID_WEB_HOST")
    )
    web_port: int = Field(default=8080, ge=1, le=65535, validation_alias=_env("MUTUALAID_WEB_PORT"))
    web_url: str | None = Field(default=None, validation_alias=_env("MUTUALAID_WEB_URL"))
    webhook_url: str | None = Field(default=None, validation_alias=_env("MUTUALAID_WEBHOOK_URL"))
    webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("MUTUALAID_WEBHOOK_SECRET")
    )

    @field_validator("web_host", mode="before")
    @classmethod
    def _web_host(cls, value: object) -> object:
        """A host name or address to listen on, or `off`."""
        if isinstance(value, str):
            text = value.strip()
            if text.lower() in ("off", "none", "false", ""):
                return None
            return text
        return value

    @field_validator("web_url", "webhook_url", mode="before")
    @classmethod
    def _url(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip().rstrip("/")
            if not text:
                return None
            if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", text):
                raise ValueError(f"{value!r} is not an address like https://aid.example.org")
            return text
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret(cls, value: object) -> object:
        """Telegram takes 1 to 256 of A-Z, a-z, 0-9, _ and - as a webhook's secret."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str):
            text = text.strip()
            if not text:
                return None
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", text):
                raise ValueError(
                    "the webhook secret must be 1 to 256 letters, digits, _ or - (Telegram's rule)"
                )
        return text

    @model_validator(mode="after")
    def _webhook_needs(self) -> Settings:
        if self.webhook_url is not None:
            if self.webhook_secret is None:
                raise ValueError(
                    "MUTUALAID_WEBHOOK_URL needs MUTUALAID_WEBHOOK_SECRET, so that only "
                    "Telegram can send updates"
                )
            if self.web_host is None:
                raise ValueError(
                    "MUTUALAID_WEBHOOK_URL needs the web server: MUTUALAID_WEB_HOST is off"
                )
        return self

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet(cls, value: object) -> object:
        """`21:00-08:00` (across midnight or not), or `off`."""
        if not isinstance(value, str):
            return value
        text = value.strip().lower()
        if text in ("off", "none", ""):
            return None
        found = re.fullmatch(r"(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)", text)
        if not found:
            raise ValueError(f"{value!r} is not like 21:00-08:00 (or off)")
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"{value!r} has a time that does not exist")
        if (h1, m1) == (h2, m2):
            raise ValueError(f"{value!r} starts and ends at the same time; use off for none")
        return QuietHours(start=time(h1, m1), end=time(h2, m2))

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            bad = [p for p in parts if not p.lstrip("-").isdigit()]
            if bad:
                raise ValueError(f"not Telegram user ids: {', '.join(bad)}")
            return [int(p) for p in parts]
        return value

    @field_validator("digest_time", mode="before")
    @classmethod
    def _clock_time(cls, value: object) -> object:
        """`8:00` as well as `08:00`, the way people write it."""
        if isinstance(value, str) and re.fullmatch(r"\s*\d:\d\d\s*", value):
            return "0" + value.strip()
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name like Europe/London") from None
        return value

    @field_validator(
        "wave_timeout", "urgent_wave_timeout", "tick", "retention", "flow_timeout", mode="before"
    )
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)

    @property
    def community_path(self) -> Path:
        return self.community_file or BUNDLED_COMMUNITY

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def dashboard_url(self) -> str:
        """The dashboard's public address, for links (MUTUALAID_WEB_URL, or where it listens)."""
        if self.web_url:
            return self.web_url
        host = self.web_host or "127.0.0.1"
        host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.web_port}"

    @property
    def webhook_path(self) -> str:
        """Where on the web server Telegram's updates arrive: the webhook address's path,
        or /telegram when it names none."""
        path = "/" + (self.webhook_url or "").split("://", 1)[-1].partition("/")[2]
        return path if path != "/" else "/telegram"

    @property
    def webhook_address(self) -> str | None:
        """The address Telegram is told to send updates to."""
        if not self.webhook_url:
            return None
        base = self.webhook_url.split("://", 1)[1]
        return self.webhook_url if "/" in base else self.webhook_url + self.webhook_path
