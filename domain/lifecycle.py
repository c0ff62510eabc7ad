"""Allowed status changes, need windows and the timings that follow from them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.models import Need, NeedStatus, When
from domain.quiet import QuietHours, waking_deadline

# Where a need may go from each status.
TRANSITIONS: dict[NeedStatus, frozenset[NeedStatus]] = {
    NeedStatus.OPEN: frozenset({NeedStatus.ACCEPTED, NeedStatus.CANCELLED, NeedStatus.CLOSED}),
    NeedStatus.ACCEPTED: frozenset({NeedStatus.DONE, NeedStatus.OPEN, NeedStatus.CANCELLED}),
    NeedStatus.DONE: frozenset(),
    NeedStatus.CANCELLED: frozenset(),
    NeedStatus.CLOSED: frozenset(),
    NeedStatus.HELD: frozenset({NeedStatus.OPEN, NeedStatus.CLOSED, NeedStatus.CANCELLED}),
    NeedStatus.REFERRED: frozenset({NeedStatus.OPEN, NeedStatus.CLOSED, NeedStatus.CANCELLED}),
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


REMINDER_HOUR = 8
FOLLOWUP_LATEST = timedelta(days=3)  # long windows get asked "how did it go?" by then
NUDGE_AFTER = timedelta(days=1)
STILL_NEEDED_GRACE = timedelta(days=1)
EXTENSION = timedelta(days=7)


def wave_deadline(
    when: When,
    now: datetime,
    timeout: timedelta,
    urgent_timeout: timedelta,
    *,
    quiet: QuietHours | None,
    tz: ZoneInfo,
) -> datetime:
    """When a wave with no accept moves on to the next volunteers. Wave timeouts do not run
    in quiet hours: the time to answer stops when they begin and runs on when they end, so
    a wave asked at 20:50 with 20 minutes to answer moves on at 08:10 the next morning."""
    return waking_deadline(now, urgent_timeout if is_urgent(when) else timeout, quiet, tz)


def reminder_at(need: Need, accepted_at: datetime, tz: ZoneInfo) -> datetime | None:
    """The morning of the need's day; none when accepted on that day already."""
    local_accept = accepted_at.astimezone(tz)
    if need.when is When.TODAY:
        return None
    day = need.window_start.astimezone(tz).date()
    if day <= local_accept.date():
        day = local_accept.date() + timedelta(days=1)
    morning = datetime.combine(day, time(REMINDER_HOUR), tzinfo=tz).astimezone(UTC)
    return morning if morning < need.window_end else None


def followup_at(need: Need, accepted_at: datetime) -> datetime:
    """When the volunteer is asked `Done` / `Couldn't do it`: the end of the window, or
    three days after accepting for long windows, whichever is first."""
    return max(accepted_at, min(need.window_end, accepted_at + FOLLOWUP_LATEST))


def after_accept(need: Need, accepted_at: datetime, tz: ZoneInfo) -> list[tuple[str, datetime]]:
    """The timed work an accepted need schedules: reminder, follow-up, nudge."""
    work: list[tuple[str, datetime]] = []
    reminder = reminder_at(need, accepted_at, tz)
    if reminder is not None:
        work.append(("reminder", reminder))
    followup = followup_at(need, accepted_at)
    work.append(("followup", followup))
    work.append(("nudge", followup + NUDGE_AFTER))
    return work
