"""Quiet hours: the local hours in which nothing unasked-for is sent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.models import Frozen


class QuietHours(Frozen):
    """From `start` to `end`, local time; across midnight when `end` comes first (21:00-08:00)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def is_quiet(moment: datetime, quiet: QuietHours | None, tz: ZoneInfo) -> bool:
    return quiet is not None and quiet.contains(moment.astimezone(tz).time())


def after_quiet(moment: datetime, quiet: QuietHours | None, tz: ZoneInfo) -> datetime:
    """`moment` itself outside quiet hours; inside them, the moment they end (in UTC). The
    end is a local wall-clock time, so a change of the clocks overnight is honoured."""
    if not is_quiet(moment, quiet, tz):
        return moment
    assert quiet is not None
    local = moment.astimezone(tz)
    day = local.date()
    if local.time() >= quiet.end:  # evening part of an overnight quiet: ends tomorrow
        day += timedelta(days=1)
    end = datetime.combine(day, quiet.end, tzinfo=tz)
    return end.astimezone(UTC)
