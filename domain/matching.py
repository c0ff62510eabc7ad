"""Who may be asked to help with a need, and in what order. Pure functions of data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class NeedView:
    """What matching needs to know about one need, worked out once for all candidates."""

    need: Need
    neighbours: frozenset[str]
    lat: float | None
    lon: float | None
    vetted_only: bool
    available: dict[Availability, bool]

    @classmethod
    def of(cls, need: Need, community: Community, tz: ZoneInfo) -> NeedView:
        area = community.area(need.area)
        category = community.category(need.category)
        return cls(
            need=need,
            neighbours=community.neighbours_of(need.area),
            lat=area.lat if area else None,
            lon=area.lon if area else None,
            vetted_only=bool(category and category.vetted_only),
            available={
                a: available_in(a, need.window_start, need.window_end, tz) for a in Availability
            },
        )

    def proximity(self, candidate: Candidate) -> tuple[int, float]:
        """(0 same area | 1 neighbour | 2 within radius | 3 out of reach, distance in km)."""
        if self.need.area in candidate.areas:
            return 0, 0.0
        if self.neighbours & candidate.areas:
            return 1, 0.0
        if (
            self.lat is not None
            and self.lon is not None
            and candidate.lat is not None
            and candidate.lon is not None
            and candidate.radius_km
        ):
            km = distance_km(candidate.lat, candidate.lon, self.lat, self.lon)
            if km <= candidate.radius_km:
                return 2, km
        return 3, 0.0

    def ineligibility(self, candidate: Candidate) -> list[Reason]:
        need = self.need
        checks = (
            (need.category not in candidate.skills, Reason.SKILL),
            (self.proximity(candidate)[0] == 3, Reason.AREA),
            (not candidate.on_duty, Reason.OFF_DUTY),
            (not candidate.approved, Reason.NOT_APPROVED),
            (self.vetted_only and not candidate.vetted, Reason.NOT_VETTED),
            (candidate.blocked, Reason.BLOCKED),
            (not candidate.reachable, Reason.UNREACHABLE),
            (candidate.open_tasks >= candidate.max_open_tasks, Reason.BUSY),
            (not self.available[candidate.availability], Reason.UNAVAILABLE),
            (candidate.user_id == need.resident_id, Reason.SELF),
            (candidate.excluded, Reason.EXCLUDED),
        )
        return [reason for broken, reason in checks if broken]

    def rank_key(self, candidate: Candidate) -> tuple[int, bool, float, int, datetime, int]:
        """Same area before neighbour before distance; within each, one who speaks the
        resident's language first; then nearer; fewer recent tasks; longest idle; id."""
        near, km = self.proximity(candidate)
        last = candidate.last_task_at.replace(tzinfo=None) if candidate.last_task_at else _NEVER
        foreign = self.need.language is not None and self.need.language not in candidate.languages
        return (near, foreign, km, candidate.tasks_last_30_days, last, candidate.user_id)


_NEVER = datetime.min


def ineligibility(
    need: Need, candidate: Candidate, community: Community, tz: ZoneInfo
) -> list[Reason]:
    """Every hard rule this candidate breaks for this need; empty means they may be asked."""
    return NeedView.of(need, community, tz).ineligibility(candidate)


def rank(
    need: Need, candidates: Iterable[Candidate], community: Community, tz: ZoneInfo
) -> list[Candidate]:
    """Eligible candidates, best first, in the same order every time."""
    view = NeedView.of(need, community, tz)
    eligible = [c for c in candidates if not view.ineligibility(c)]
    return sorted(eligible, key=view.rank_key)


def next_wave(
    need: Need, candidates: Iterable[Candidate], community: Community, tz: ZoneInfo, size: int
) -> list[Candidate]:
    return rank(need, candidates, community, tz)[:size]
