"""When a need is for, as the reader reads it (product.md, "Time as people read it").

A need's window is two UTC instants fixed when it was posted; what a person should read
depends on the day they read it, in the group's time zone: the need a resident wanted
"tomorrow" is for "today" in the next morning's reminder. `need_time` says which day words
apply at `now`; handlers/texts.py puts them into English. Pure: `now` and the time zone are
arguments, and every comparison is between local calendar dates, so midnight and the clocks
changing fall where a person expects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.models import Posting, When


class Relative(StrEnum):
    """A day as it relates to the reader's today."""

    YESTERDAY = "yesterday"
    TODAY = "today"
    TOMORROW = "tomorrow"
    OTHER = "other"  # said as a date: Wed 9 Dec


@dataclass(frozen=True)
class Day:
    date: date
    relative: Relative
    same_year: bool = True  # a date in another year is said with its year


class Span(StrEnum):
    """What kind of time the reader is told."""

    ON = "on"  # one day: `last` (today, tomorrow, Wed 9 Dec)
    UP_TO = "up_to"  # any day from now up to and including `last` (tomorrow or later)
    BETWEEN = "between"  # any day from `first` to `last`, not started yet
    ANY_TIME = "any_time"  # Flexible: whenever suits, while the need is live
    PASSED = "passed"  # the window is over; `last` was its last day


@dataclass(frozen=True)
class NeedTime:
    span: Span
    last: Day
    first: Day | None = None  # only for BETWEEN


def day_of(moment: date, today: date) -> Day:
    """A date as the reader of `today` would say it."""
    relative = {
        today - timedelta(days=1): Relative.YESTERDAY,
        today: Relative.TODAY,
        today + timedelta(days=1): Relative.TOMORROW,
    }.get(moment, Relative.OTHER)
    return Day(moment, relative, moment.year == today.year)


def last_day(window_end: datetime, tz: ZoneInfo) -> date:
    """The last local day of a window that ends at `window_end` (exclusive): a window
    ending at local midnight ends on the day before it."""
    local = window_end.astimezone(tz)
    if local.time() == datetime.min.time():
        return local.date() - timedelta(days=1)
    return local.date()


def need_time(posting: Posting, now: datetime, tz: ZoneInfo) -> NeedTime:
    """What a reader at `now` should be told about when a need (or an offer) is for."""
    return window_time(posting.when, posting.window_start, posting.window_end, now, tz)


def window_time(
    when: When, window_start: datetime, window_end: datetime, now: datetime, tz: ZoneInfo
) -> NeedTime:
    """The same from a window's parts: one day (today, tomorrow, a date); any day up to
    its last; any time (Flexible); or passed. A window read on its last day is for today,
    whatever the resident chose."""
    today = now.astimezone(tz).date()
    first = window_start.astimezone(tz).date()
    last = max(first, last_day(window_end, tz))
    if now >= window_end:
        return NeedTime(Span.PASSED, day_of(last, today))
    if last <= today:
        return NeedTime(Span.ON, day_of(today, today))
    if first == last:
        return NeedTime(Span.ON, day_of(last, today))
    if when is When.FLEXIBLE:
        return NeedTime(Span.ANY_TIME, day_of(last, today))
    if first <= today:
        return NeedTime(Span.UP_TO, day_of(last, today))
    return NeedTime(Span.BETWEEN, day_of(last, today), day_of(first, today))
