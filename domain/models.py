"""The group's nouns: people, needs, offers, proposals and the work the clock owes them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

MAX_DESCRIPTION = 1000
DEFAULT_MAX_OPEN_TASKS = 3


class Role(StrEnum):
    COORDINATOR = "coordinator"
    LIAISON = "liaison"


class When(StrEnum):
    TODAY = "today"
    TOMORROW = "tomorrow"
    THIS_WEEK = "week"
    FLEXIBLE = "flexible"


class Availability(StrEnum):
    ANY = "any"
    WEEKDAYS = "weekdays"
    WEEKENDS = "weekends"
    EVENINGS = "evenings"


class NeedStatus(StrEnum):
    OPEN = "open"  # waiting for a volunteer
    ACCEPTED = "accepted"  # a volunteer has it
    DONE = "done"
    CANCELLED = "cancelled"  # withdrawn by the resident or a coordinator
    CLOSED = "closed"  # ended without help (window passed, resident said no)
    # Shown signposts, the resident said "it's not that": waits for a coordinator to
    # release it to matching or close it (product.md, Signposts in context).
    HELD = "held"
    # Referred by the council's liaison: waits for a coordinator to take it (it is then
    # matched like any need) or decline it (product.md, Council referrals).
    REFERRED = "referred"


class ProposalStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TAKEN = "taken"  # someone else accepted first
    MOVED_ON = "moved_on"  # the volunteer can't be reached (or, before waves widened, timed out)
    WITHDRAWN = "withdrawn"  # the need was cancelled or closed
    DROPPED = "dropped"  # accepted, then "couldn't do it"
    LAPSED = "lapsed"  # only in rows from before waves widened: may be asked again


class Claim(StrEnum):
    """What pressing Accept came to."""

    WON = "won"
    TAKEN = "taken"  # someone else accepted first
    STALE = "stale"  # the proposal is no longer open (answered, moved on, withdrawn)
    BUSY = "busy"  # the volunteer is at their open-task limit; the proposal stays open
    NOT_YOURS = "not_yours"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Person(Frozen):
    id: int
    first_name: str
    username: str | None = None
    consent_at: datetime | None = None
    consent_version: int = 0
    roles: frozenset[Role] = frozenset()
    reachable: bool = True
    blocked: bool = False
    language: str | None = None  # a code (`en`, `uk`, `pl`); None: not known


class VolunteerProfile(Frozen):
    user_id: int
    skills: tuple[str, ...]
    areas: tuple[str, ...]
    availability: Availability = Availability.ANY
    on_duty: bool = True
    approved: bool = False
    vetted: bool = False
    max_open_tasks: int = DEFAULT_MAX_OPEN_TASKS
    # A shared location and how far from it they will go, besides (or instead of) areas.
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    languages: tuple[str, ...] = ("en",)  # codes of the languages they speak


class Candidate(Frozen):
    """A volunteer as matching sees them: their profile plus what the store counted."""

    user_id: int
    skills: frozenset[str]
    areas: frozenset[str]
    availability: Availability = Availability.ANY
    on_duty: bool = True
    approved: bool = True
    vetted: bool = False
    blocked: bool = False
    reachable: bool = True
    open_tasks: int = 0
    max_open_tasks: int = DEFAULT_MAX_OPEN_TASKS
    tasks_last_30_days: int = 0
    last_task_at: datetime | None = None
    excluded: bool = False  # declined or dropped this need before
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    languages: frozenset[str] = frozenset({"en"})


class Posting(Frozen):
    """What a need and a one-off offer both are: a category, an area, words and a window."""

    id: int
    category: str
    area: str
    description: str
    when: When
    window_start: datetime
    window_end: datetime
    status: NeedStatus = NeedStatus.OPEN
    created_at: datetime


class Need(Posting):
    resident_id: int
    volunteer_id: int | None = None
    accepted_at: datetime | None = None
    doorstep_code: str | None = None
    wave: int = 0
    language: str | None = None  # the resident's, when it was posted


class Offer(Posting):
    user_id: int


class Proposal(Frozen):
    id: int
    need_id: int
    volunteer_id: int
    wave: int
    status: ProposalStatus = ProposalStatus.OPEN
    chat_id: int | None = None
    message_id: int | None = None
    created_at: datetime


class Work(Frozen):
    """One row of timed work: something the bot owes someone at `due_at`."""

    id: int
    kind: str
    due_at: datetime
    payload: dict[str, int | str | None] = Field(default_factory=dict)
    attempts: int = 0
