"""Periods and times: the period a /report or /export covers and the next local time.

`parse_period` reads a period from a command's arguments (this month, a month, or two dates
spanning at most MAX_PERIOD_DAYS days, not starting in the future); a `Period` gives its
whole-month flag, weeks and bounds at the group's local midnight; `next_local` is the next
moment the group's clock shows a time, for booking the digest and the weekly report. Pure
functions: today and now are arguments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.reports import Week

MAX_PERIOD_DAYS = 366


class PeriodProblem(StrEnum):
    FORMAT = "format"
    ORDER = "order"
    TOO_LONG = "too_long"
    FUTURE = "future"


class PeriodError(ValueError):
    def __init__(self, problem: PeriodProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day, inclusive

    @property
    def whole_month(self) -> bool:
        return self.start.day == 1 and self.end == _month_end(self.start)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC instants of local midnight at its start and after its last day."""
        return local_midnight(self.start, tz), local_midnight(self.end + timedelta(days=1), tz)

    def weeks(self) -> list[Week]:
        out = []
        monday = self.start - timedelta(days=self.start.weekday())
        while monday <= self.end:
            year, number, _ = monday.isocalendar()
            out.append(
                Week(
                    f"{year}-W{number:02d}",
                    max(monday, self.start),
                    min(monday + timedelta(days=6), self.end),
                )
            )
            monday += timedelta(days=7)
        return out


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def month(day: date) -> Period:
    return Period(day.replace(day=1), _month_end(day))


def last_week(today: date) -> Period:
    """Monday to Sunday of the week before the one `today` is in."""
    monday = today - timedelta(days=today.weekday() + 7)
    return Period(monday, monday + timedelta(days=6))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(PeriodProblem.FORMAT) from None


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_period(args: Sequence[str], today: date) -> Period:
    """`/report` (this month), `/report 2026-10`, `/report 2026-10-01 2026-10-31`."""
    if not args:
        return month(today)
    if len(args) == 1:
        found = _MONTH.match(args[0].strip())
        if found is None or not 1 <= int(found[2]) <= 12:
            raise PeriodError(PeriodProblem.FORMAT)
        period = month(date(int(found[1]), int(found[2]), 1))
    elif len(args) == 2:
        start, end = _date(args[0].strip()), _date(args[1].strip())
        if end < start:
            raise PeriodError(PeriodProblem.ORDER)
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise PeriodError(PeriodProblem.TOO_LONG)
        period = Period(start, end)
    else:
        raise PeriodError(PeriodProblem.FORMAT)
    if period.start > today:
        raise PeriodError(PeriodProblem.FUTURE)
    return period


def next_local(after: datetime, at: time, tz: ZoneInfo, weekday: int | None = None) -> datetime:
    """The first moment strictly after `after` when the group's clock shows `at` (on
    `weekday`, Monday 0, if given), in UTC. Daylight saving is the zone's business."""
    day = after.astimezone(tz).date()
    for offset in range(9):
        d = day + timedelta(days=offset)
        if weekday is not None and d.weekday() != weekday:
            continue
        moment = datetime.combine(d, at, tzinfo=tz).astimezone(UTC)
        if moment > after:
            return moment
    raise AssertionError("unreachable: a week always has the day")
