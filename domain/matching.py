"""Who may be asked to help with a need, and in what order. Pure functions of data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.community import Community, distance_km
from domain.models import Availability, Candidate, Need

EVENING_START_HOUR = 17
EVENING_END_HOUR = 21


class Reason(StrEnum):
    """Why a volunteer is not asked; one per hard rule."""

    SKILL = "category is not among their skills"
    AREA = "area is not theirs, a neighbour's or within their radius"
    OFF_DUTY = "paused"
    NOT_APPROVED = "not yet approved"
    NOT_VETTED = "category needs a vetted volunteer"
    BLOCKED = "blocked"
    UNREACHABLE = "has blocked the bot"
    BUSY = "at their open-task limit"
    UNAVAILABLE = "not available in the need's window"
    SELF = "is the resident"
    EXCLUDED = "declined or dropped this need"


def _local_dates(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz)
    days: list[date] = []
    d = first
    while d <= last.date() and len(days) < 31:
        days.append(d)
        d += timedelta(days=1)
    return days


def available_in(availability: Availability, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """Whether someone with this availability can help at some point of the window."""
    if availability is Availability.ANY:
        return True
    days = _local_dates(start, end, tz)
    if availability is Availability.WEEKDAYS:
        return any(d.weekday() < 5 for d in days)
    if availability is Availability.WEEKENDS:
        return any(d.weekday() >= 5 for d in days)
    # Evenings: the window must reach past the start of some evening and begin before its end.
    for d in days:
        evening_start = datetime(d.year, d.month, d.day, EVENING_START_HOUR, tzinfo=tz)
        evening_end = datetime(d.year, d.month, d.day, EVENING_END_HOUR, tzinfo=tz)
        if start < evening_end and end > evening_start:
            return True
    return False


def proximity(need_area: str, candidate: Candidate, community: Community) -> tuple[int, float]:
    """(0 same area | 1 neighbour | 2 within radius | 3 out of reach, distance in km)."""
    if need_area in candidate.areas:
        return 0, 0.0
    if community.neighbours_of(need_area) & candidate.areas:
        return 1, 0.0
    area = community.area(need_area)
    if (
        area is not None
        and area.lat is not None
        and area.lon is not None
        and candidate.lat is not None
        and candidate.lon is not None
        and candidate.radius_km
    ):
        km = distance_km(candidate.lat, candidate.lon, area.lat, area.lon)
        if km <= candidate.radius_km:
            return 2, km
    return 3, 0.0


def ineligibility(
    need: Need, candidate: Candidate, community: Community, tz: ZoneInfo
) -> list[Reason]:
    """Every hard rule this candidate breaks for this need; empty means they may be asked."""
    reasons = []
    category = community.category(need.category)
    if need.category not in candidate.skills:
        reasons.append(Reason.SKILL)
    if proximity(need.area, candidate, community)[0] == 3:
        reasons.append(Reason.AREA)
    if not candidate.on_duty:
        reasons.append(Reason.OFF_DUTY)
    if not candidate.approved:
        reasons.append(Reason.NOT_APPROVED)
    if category is not None and category.vetted_only and not candidate.vetted:
        reasons.append(Reason.NOT_VETTED)
    if candidate.blocked:
        reasons.append(Reason.BLOCKED)
    if not candidate.reachable:
        reasons.append(Reason.UNREACHABLE)
    if candidate.open_tasks >= candidate.max_open_tasks:
        reasons.append(Reason.BUSY)
    if not available_in(candidate.availability, need.window_start, need.window_end, tz):
        reasons.append(Reason.UNAVAILABLE)
    if candidate.user_id == need.resident_id:
        reasons.append(Reason.SELF)
    if candidate.excluded:
        reasons.append(Reason.EXCLUDED)
    return reasons


_NEVER = datetime.min


def rank_key(need: Need, candidate: Candidate, community: Community) -> tuple:
    """Same area before neighbour before distance; fewer recent tasks; longest idle; id."""
    near, km = proximity(need.area, candidate, community)
    last = candidate.last_task_at.replace(tzinfo=None) if candidate.last_task_at else _NEVER
    return (near, km, candidate.tasks_last_30_days, last, candidate.user_id)


def rank(
    need: Need, candidates: Iterable[Candidate], community: Community, tz: ZoneInfo
) -> list[Candidate]:
    """Eligible candidates, best first, in the same order every time."""
    eligible = [c for c in candidates if not ineligibility(need, c, community, tz)]
    return sorted(eligible, key=lambda c: rank_key(need, c, community))


def next_wave(
    need: Need, candidates: Iterable[Candidate], community: Community, tz: ZoneInfo, size: int
) -> list[Candidate]:
    return rank(need, candidates, community, tz)[:size]
