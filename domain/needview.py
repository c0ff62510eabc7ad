"""A need as a coordinator sees it (`#12`, `/see 12`): what its status allows, whether it
may be reopened, and its history, told from the rows the store keeps.

Plain data in, plain data out: storage/casework.py reads the rows, handlers/needview.py
renders the events. Every time is an argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.lifecycle import EXTENSION
from domain.models import NeedStatus
from domain.privacy import is_anonymous

MAX_NOTE = 1000  # a note, or a message to a resident


class Act(StrEnum):
    """What a coordinator may do to a need, as buttons under its view."""

    ASSIGN = "assign"
    REASSIGN = "reassign"
    RELEASE = "release"  # a held need, to matching
    CLOSE = "close"  # an open need
    CLOSE_HELD = "close_held"
    CLOSE_TAKEN = "close_taken"  # a need a volunteer has: they are told not to go
    REOPEN = "reopen"
    NOTE = "note"
    MESSAGE = "message"  # to the resident, through the bot


@dataclass(frozen=True)
class Named:
    """Someone in a need's story, as a coordinator reaches them."""

    user_id: int
    first_name: str = ""
    username: str | None = None

    @property
    def known(self) -> bool:
        return bool(self.first_name) and not is_anonymous(self.user_id)


@dataclass(frozen=True)
class NeedFacts:
    """The need's own row, and who is in it."""

    id: int
    status: NeedStatus
    created_at: datetime
    window_start: datetime
    window_end: datetime
    resident: Named
    volunteer: Named | None = None
    accepted_at: datetime | None = None
    done_at: datetime | None = None
    closed_at: datetime | None = None
    hours: float | None = None
    caller: str | None = None  # the name a coordinator gave someone who phoned it in
    details_kept: bool = True  # false once retention or /forget took the words away
    resident_blocked: bool = False


@dataclass(frozen=True)
class ProposalFacts:
    volunteer: Named
    wave: int
    status: str
    created_at: datetime
    answered_at: datetime | None = None


@dataclass(frozen=True)
class WorkFacts:
    """A row of timed work about the need: a reminder, a question, an alert."""

    kind: str
    at: datetime  # when it was done (or, for `auto_close`, when the question was asked)
    volunteer_id: int | None = None


@dataclass(frozen=True)
class ConcernFacts:
    id: int
    raised_by: Named
    text: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: Named | None = None


@dataclass(frozen=True)
class AuditFacts:
    actor: Named
    action: str
    at: datetime
    detail: str | None = None


@dataclass(frozen=True)
class NoteFacts:
    author: Named
    kind: str  # note | message
    text: str
    at: datetime


@dataclass(frozen=True)
class NeedFile:
    """Everything kept about one need, for its view."""

    need: NeedFacts
    proposals: tuple[ProposalFacts, ...] = ()
    work: tuple[WorkFacts, ...] = ()
    concerns: tuple[ConcernFacts, ...] = ()
    audit: tuple[AuditFacts, ...] = ()
    notes: tuple[NoteFacts, ...] = ()


class Happened(StrEnum):
    POSTED = "posted"
    ENTERED = "entered"  # by a coordinator for someone who phoned in
    RELEASED = "released"
    ASKED = "asked"
    ASSIGNED = "assigned"  # a coordinator asked one volunteer
    DECLINED = "declined"
    MOVED_ON = "moved_on"
    ACCEPTED = "accepted"
    REMINDED = "reminded"
    FOLLOWED_UP = "followed_up"
    NUDGED = "nudged"
    STILL_NEEDED = "still_needed"
    ESCALATED = "escalated"
    DROPPED = "dropped"
    REASSIGNED = "reassigned"
    DONE = "done"
    CLOSED = "closed"
    CLOSED_BY = "closed_by"
    CANCELLED = "cancelled"
    REOPENED = "reopened"
    CONCERN = "concern"
    RESOLVED = "resolved"
    NOTE = "note"
    MESSAGED = "messaged"


@dataclass(frozen=True)
class Event:
    at: datetime
    happened: Happened
    who: Named | None = None  # who did it (or, for `asked`, who was asked)
    text: str = ""  # a note's or a concern's words, a caller's name
    hours: float | None = None
    wave: int | None = None
    other: Named | None = None  # the volunteer a coordinator asked, or took a task from


_WORK = {
    "reminder": Happened.REMINDED,
    "followup": Happened.FOLLOWED_UP,
    "nudge": Happened.NUDGED,
    "auto_close": Happened.STILL_NEEDED,
    "alert_unmatched": Happened.ESCALATED,
}
WORK_KINDS = tuple(_WORK)

# Proposal endings worth a line (a proposal "taken" by someone else, or withdrawn because
# the need closed, says nothing the need's own lines don't).
_ENDINGS = {
    "declined": Happened.DECLINED,
    "moved_on": Happened.MOVED_ON,
    "dropped": Happened.DROPPED,
}


def _held_task(proposals: Iterable[ProposalFacts], volunteer_id: int | None, at: datetime) -> bool:
    """Whether this volunteer had the task at that moment (a reminder is sent only then)."""
    for p in proposals:
        if p.volunteer.user_id != volunteer_id or p.answered_at is None:
            continue
        if p.status == "accepted" and p.answered_at <= at:
            return True
        if p.status == "dropped" and p.answered_at <= at:
            return False
    return False


def _detail(detail: str | None, key: str) -> str:
    """One `key:value` of an audit row's detail (`volunteer:123 accepted:2025-03-12...`)."""
    for part in (detail or "").split():
        name, _, value = part.partition(":")
        if name == key:
            return value
    return ""


def _volunteer_in(detail: str | None) -> int:
    """The volunteer an audit row's detail names, or 0."""
    value = _detail(detail, "volunteer")
    return int(value) if value.lstrip("-").isdigit() else 0


def _accepted_in(detail: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(_detail(detail, "accepted")) or None
    except ValueError:
        return None


def history(file: NeedFile) -> list[Event]:
    """What happened to the need, oldest first."""
    need = file.need
    events: list[Event] = []
    audit_by = {a.action: a for a in file.audit}
    entered = audit_by.get("newneed")
    if entered is not None:
        events.append(Event(need.created_at, Happened.ENTERED, entered.actor, need.caller or ""))
    else:
        events.append(Event(need.created_at, Happened.POSTED, need.resident))
    reassigned_at = {a.at for a in file.audit if a.action == "reassign"}
    assigned = {(a.at, _volunteer_in(a.detail)) for a in file.audit if a.action == "assign"}
    for p in file.proposals:
        if (p.created_at, p.volunteer.user_id) not in assigned:  # else the coordinator's line
            events.append(Event(p.created_at, Happened.ASKED, p.volunteer, wave=p.wave))
        if p.answered_at is None:
            continue
        if p.status == "accepted":
            events.append(Event(need.accepted_at or p.answered_at, Happened.ACCEPTED, p.volunteer))
        elif p.status == "dropped" and p.answered_at in reassigned_at:
            continue  # the coordinator's own line says so
        elif p.status in _ENDINGS:
            events.append(Event(p.answered_at, _ENDINGS[p.status], p.volunteer))
    volunteers = {p.volunteer.user_id: p.volunteer for p in file.proposals}
    for w in file.work:
        happened = _WORK.get(w.kind)
        if happened is None:
            continue
        if happened in (Happened.REMINDED, Happened.FOLLOWED_UP, Happened.NUDGED):
            if not _held_task(file.proposals, w.volunteer_id, w.at):
                continue
            events.append(Event(w.at, happened, volunteers.get(w.volunteer_id or 0)))
        else:
            events.append(Event(w.at, happened))
    for a in file.audit:
        kind = {
            "assign": Happened.ASSIGNED,
            "release_need": Happened.RELEASED,
            "reassign": Happened.REASSIGNED,
            "close_need": Happened.CLOSED_BY,
            "reopen_need": Happened.REOPENED,
        }.get(a.action)
        if kind is None:
            continue
        other = volunteers.get(_volunteer_in(a.detail))
        events.append(Event(a.at, kind, a.actor, other=other))
        accepted = _accepted_in(a.detail) if kind is Happened.REASSIGNED else None
        if accepted is not None and other is not None:
            events.append(Event(accepted, Happened.ACCEPTED, other))
    if need.done_at is not None:
        events.append(Event(need.done_at, Happened.DONE, need.volunteer, hours=need.hours))
    if need.closed_at is not None and need.status in (NeedStatus.CLOSED, NeedStatus.CANCELLED):
        closed_by_coordinator = any(
            a.action == "close_need" and abs((a.at - need.closed_at).total_seconds()) < 1
            for a in file.audit
        )
        if not closed_by_coordinator:
            kind = Happened.CANCELLED if need.status is NeedStatus.CANCELLED else Happened.CLOSED
            events.append(Event(need.closed_at, kind))
    for c in file.concerns:
        events.append(Event(c.created_at, Happened.CONCERN, c.raised_by, c.text))
        if c.resolved_at is not None:
            events.append(Event(c.resolved_at, Happened.RESOLVED, c.resolved_by))
    for n in file.notes:
        kind = Happened.MESSAGED if n.kind == "message" else Happened.NOTE
        events.append(Event(n.at, kind, n.author, n.text))
    order = {h: i for i, h in enumerate(Happened)}
    return sorted(events, key=lambda e: (e.at, order[e.happened]))


def can_reopen(need: NeedFacts) -> bool:
    """A closed or cancelled need may be opened again while its words are still kept and its
    resident can still be helped."""
    return (
        need.status in (NeedStatus.CLOSED, NeedStatus.CANCELLED)
        and need.details_kept
        and need.resident.known
        and not need.resident_blocked
    )


def reopen_window(need: NeedFacts, now: datetime) -> tuple[datetime, datetime]:
    """The window a reopened need gets: its own while it lasts, else a week from now."""
    if need.window_end > now:
        return need.window_start, need.window_end
    return now, now + EXTENSION


def acts(need: NeedFacts, coordinator_id: int) -> list[Act]:
    """The buttons under a need's view, in the order shown."""
    found: list[Act] = []
    status = need.status
    if status is NeedStatus.OPEN:
        found += [Act.ASSIGN, Act.CLOSE]
    elif status is NeedStatus.HELD:
        found += [Act.RELEASE, Act.ASSIGN, Act.CLOSE_HELD]
    elif status is NeedStatus.ACCEPTED:
        found += [Act.REASSIGN, Act.CLOSE_TAKEN]
    elif can_reopen(need):
        found.append(Act.REOPEN)
    if need.details_kept:
        found.append(Act.NOTE)
        if need.resident.known and need.resident.user_id != coordinator_id:
            found.append(Act.MESSAGE)
    return found


def latest_note(notes: Iterable[NoteFacts]) -> NoteFacts | None:
    kept = [n for n in notes if n.kind == "note"]
    return max(kept, key=lambda n: n.at) if kept else None


NOTE_WAIT = timedelta(minutes=30)  # how long `Add note` waits for the note's words
