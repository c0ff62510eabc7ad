"""Allowed status changes, need windows and the timings that follow from them."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.models import NeedStatus, When

# Where a need may go from each status.
TRANSITIONS: dict[NeedStatus, frozenset[NeedStatus]] = {
    NeedStatus.OPEN: frozenset({NeedStatus.ACCEPTED, NeedStatus.CANCELLED, NeedStatus.CLOSED}),
    NeedStatus.ACCEPTED: frozenset({NeedStatus.DONE, NeedStatus.OPEN, NeedStatus.CANCELLED}),
    NeedStatus.DONE: frozenset(),
    NeedStatus.CANCELLED: frozenset(),
    NeedStatus.CLOSED: frozenset(),
}

FLEXIBLE_DAYS = 14
WEEK_DAYS = 7


def can_move(old: NeedStatus, new: NeedStatus) -> bool:
    return new in TRANSITIONS[old]


def window_for(when: When, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC start and end of the time a need is wanted, from a resident's choice."""
    local = now.astimezone(tz)

    def day_end(days: int) -> datetime:
        return datetime.combine(local.date() + timedelta(days=days + 1), time(0), tzinfo=tz)

    if when is When.TODAY:
        start, end = local, day_end(0)
    elif when is When.TOMORROW:
        start, end = day_end(0), day_end(1)
    elif when is When.THIS_WEEK:
        start, end = local, day_end(WEEK_DAYS - 1)
    else:
        start, end = local, day_end(FLEXIBLE_DAYS - 1)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def is_urgent(when: When) -> bool:
    return when is When.TODAY


def new_doorstep_code() -> str:
    """Four digits the volunteer says at the door, so the resident knows who is there."""
    return f"{secrets.randbelow(10000):04d}"
