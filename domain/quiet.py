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


MAX_QUIET_SPELLS = 400  # a bound on the walk below: more than a year of nights


def next_quiet_start(moment: datetime, quiet: QuietHours, tz: ZoneInfo) -> datetime:
    """The first moment after `moment` (outside quiet hours) at which quiet hours begin."""
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(3):  # today's start, or tomorrow's (a skipped hour may need one more)
        start = datetime.combine(day, quiet.start, tzinfo=tz).astimezone(UTC)
        if start > moment:
            return start
        day += timedelta(days=1)
    raise AssertionError("quiet hours start every day")  # pragma: no cover


def waking_deadline(
    start: datetime, duration: timedelta, quiet: QuietHours | None, tz: ZoneInfo
) -> datetime:
    """`duration` after `start`, counting only time outside quiet hours: the clock stops
    when they begin and runs on when they end. Asked at 20:50 with 20 minutes to answer
    and quiet hours of 21:00-08:00, the time is up at 08:10 the next morning."""
    if quiet is None:
        return start + duration
    moment = after_quiet(start, quiet, tz)
    left = duration
    for _ in range(MAX_QUIET_SPELLS):
        pause = next_quiet_start(moment, quiet, tz)
        if moment + left < pause:
            return moment + left
        left -= pause - moment
        moment = after_quiet(pause, quiet, tz)
    return moment + left
