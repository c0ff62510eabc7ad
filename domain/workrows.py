"""What the coordinators' dashboard pages list: needs, volunteers, concerns and the audit
log, as plain rows (storage/web.py reads them; web/ shows them). These hold names and
words, so they are for coordinators only; the liaison's pages use domain/dashboard.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from domain.models import NeedStatus, When

PAGE_SIZE = 50
T = TypeVar("T")


class Age(StrEnum):
    """How old a need is, as the needs page filters it."""

    ANY = ""
    DAY = "1d"
    THREE_DAYS = "3d"
    WEEK = "7d"

    @property
    def at_least(self) -> timedelta | None:
        return {"1d": timedelta(days=1), "3d": timedelta(days=3), "7d": timedelta(days=7)}.get(
            self.value
        )


@dataclass(frozen=True)
class NeedFilter:
    area: str | None = None
    category: str | None = None
    status: NeedStatus | None = None
    age: Age = Age.ANY
    page: int = 1

    def created_before(self, now: datetime) -> datetime | None:
        """Needs posted before this are old enough for the filter (None: any age)."""
        least = self.age.at_least
        return now - least if least is not None else None


@dataclass(frozen=True)
class NeedRow:
    id: int
    category: str
    area: str
    status: NeedStatus
    when: When
    created_at: datetime
    window_end: datetime
    resident: str  # first name, or what a coordinator called someone who phoned in
    volunteer: str | None = None
    asked: int = 0
    waiting: int = 0


@dataclass(frozen=True)
class ProposalRow:
    volunteer_id: int
    volunteer: str
    wave: int
    status: str
    created_at: datetime
    answered_at: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int
    actor: str | None
    action: str
    target: str | None
    detail: str | None


@dataclass(frozen=True)
class ConcernRow:
    id: int
    need_id: int | None
    raised_by: str
    text: str
    created_at: datetime
    status: str


@dataclass(frozen=True)
class NeedDetail:
    id: int
    category: str
    area: str
    description: str
    status: NeedStatus
    when: When
    created_at: datetime
    window_start: datetime
    window_end: datetime
    resident_id: int
    resident: str | None
    resident_username: str | None
    caller: str | None  # the name a coordinator gave someone who phoned it in
    volunteer_id: int | None
    volunteer: str | None
    accepted_at: datetime | None
    done_at: datetime | None
    closed_at: datetime | None
    hours: float | None
    proposals: tuple[ProposalRow, ...] = ()
    concerns: tuple[ConcernRow, ...] = ()
    audit: tuple[AuditRow, ...] = ()


@dataclass(frozen=True)
class VolunteerRow:
    user_id: int
    first_name: str
    username: str | None
    skills: tuple[str, ...]
    areas: tuple[str, ...]
    approved: bool
    vetted: bool
    on_duty: bool
    blocked: bool
    reachable: bool
    radius_km: float | None = None
    tasks_30d: int = 0
    hours_30d: float = 0.0
    open_tasks: int = 0
    roles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        if self.blocked:
            return "blocked"
        if not self.approved:
            return "waiting for approval"
        if not self.reachable:
            return "has blocked the bot"
        return "on duty" if self.on_duty else "paused"


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    page: int
    more: bool  # another page follows
    total: int | None = None
