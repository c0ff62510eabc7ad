"""The coordinators' daily digest (product.md, Coordinators), from plain rows.

Needs waiting, held for a coordinator, overdue and done since the last digest, volunteers
waiting for approval, open concerns, and the gaps where a need waits with nobody to ask,
each grouped by area in the community's order. Pure functions: the store hands over rows
(storage/reports.py), handlers/digest.py renders what comes back, and every time is an
argument; who could be asked is domain/reports.py's Supply.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from domain.community import Community
from domain.lifecycle import FOLLOWUP_LATEST, NUDGE_AFTER
from domain.models import Candidate, When
from domain.reports import Supply, area_order, category_order

T = TypeVar("T")
Grouped = tuple[tuple[str, tuple[T, ...]], ...]


@dataclass(frozen=True)
class NeedRow:
    """A need as the digest sees it (coordinators may see everything)."""

    id: int
    category: str
    area: str
    created_at: datetime
    window_end: datetime
    accepted_at: datetime | None = None
    done_at: datetime | None = None
    hours: float | None = None
    volunteer: str | None = None  # the volunteer's first name
    volunteer_id: int | None = None  # with the username: how a coordinator reaches them
    volunteer_username: str | None = None
    note: str | None = None  # the latest coordinator's note on it
    when: When | None = None  # with window_start, for saying when it is wanted
    window_start: datetime | None = None


@dataclass(frozen=True)
class PendingVolunteer:
    user_id: int
    first_name: str
    since: datetime
    skills: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    username: str | None = None


@dataclass(frozen=True)
class ConcernRow:
    id: int
    raised_by: str
    text: str
    created_at: datetime
    need_id: int | None = None
    category: str | None = None
    area: str | None = None
    raised_by_id: int | None = None  # with the username: how a coordinator reaches them
    raised_by_username: str | None = None


@dataclass(frozen=True)
class DigestRows:
    """What the store found: open needs, accepted ones, done ones since the last digest,
    volunteers waiting for approval, open concerns and the volunteers who could be asked."""

    waiting: tuple[NeedRow, ...] = ()
    held: tuple[NeedRow, ...] = ()  # held for a coordinator after signposts
    referred: tuple[NeedRow, ...] = ()  # referred by the council, not yet taken or declined
    accepted: tuple[NeedRow, ...] = ()
    done: tuple[NeedRow, ...] = ()
    pending: tuple[PendingVolunteer, ...] = ()
    concerns: tuple[ConcernRow, ...] = ()
    volunteers: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class Item:
    """One need in a digest section: how old it is, and for overdue ones by how much."""

    need: NeedRow
    age: timedelta
    late: timedelta | None = None


@dataclass(frozen=True)
class Gap:
    category: str
    area: str
    waiting: int


@dataclass(frozen=True)
class Digest:
    now: datetime
    since: datetime
    waiting: Grouped[Item] = ()
    held: Grouped[Item] = ()
    referred: Grouped[Item] = ()
    overdue: Grouped[Item] = ()
    done: Grouped[Item] = ()
    done_hours: float = 0.0
    pending: tuple[tuple[PendingVolunteer, timedelta], ...] = ()
    concerns: Grouped[tuple[ConcernRow, timedelta]] = ()
    gaps: Grouped[Gap] = ()


def size(grouped: Grouped[T]) -> int:
    return sum(len(items) for _, items in grouped)


def overdue_from(accepted_at: datetime, window_end: datetime) -> datetime:
    """When an accepted need counts as overdue: a day after its follow-up (the nudge), with
    the follow-up at the end of the window or three days after accepting, as in
    domain/lifecycle.py."""
    followup = max(accepted_at, min(window_end, accepted_at + FOLLOWUP_LATEST))
    return followup + NUDGE_AFTER


def group_by_area(
    items: Iterable[T], area_of: Callable[[T], str | None], community: Community, last: str = ""
) -> Grouped[T]:
    """Items grouped by area in the community's order, each group in the given order; items
    with no area (`last`) come at the end."""
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[area_of(item) or last].append(item)
    order = area_order(community, (a for a in groups if a != last))
    if last in groups:
        order.append(last)
    return tuple((a, tuple(groups[a])) for a in order if a in groups)


def build_digest(rows: DigestRows, community: Community, now: datetime, since: datetime) -> Digest:
    """The sections of the daily digest (product.md, Coordinators)."""
    waiting = sorted(rows.waiting, key=lambda n: (n.created_at, n.id))
    overdue = []
    for n in rows.accepted:
        if n.accepted_at is None:
            continue
        due = overdue_from(n.accepted_at, n.window_end)
        if now >= due:
            overdue.append(Item(n, now - n.created_at, now - due))
    overdue.sort(key=lambda i: (-(i.late or timedelta()), i.need.id))
    done = sorted(
        (n for n in rows.done if n.done_at is not None and since < n.done_at <= now),
        key=lambda n: (n.done_at, n.id),
    )
    supply = Supply(rows.volunteers, community)
    cells: Counter[tuple[str, str]] = Counter((n.category, n.area) for n in waiting)
    categories = category_order(community, (c for c, _ in cells))
    gaps = sorted(
        (Gap(c, a, count) for (c, a), count in cells.items() if not supply.cell[(c, a)]),
        key=lambda g: categories.index(g.category),
    )
    concerns = sorted(rows.concerns, key=lambda c: (c.created_at, c.id))
    return Digest(
        now=now,
        since=since,
        waiting=group_by_area(
            (Item(n, now - n.created_at) for n in waiting), lambda i: i.need.area, community
        ),
        held=group_by_area(
            (
                Item(n, now - n.created_at)
                for n in sorted(rows.held, key=lambda n: (n.created_at, n.id))
            ),
            lambda i: i.need.area,
            community,
        ),
        referred=group_by_area(
            (
                Item(n, now - n.created_at)
                for n in sorted(rows.referred, key=lambda n: (n.created_at, n.id))
            ),
            lambda i: i.need.area,
            community,
        ),
        overdue=group_by_area(overdue, lambda i: i.need.area, community),
        done=group_by_area(
            (Item(n, now - n.created_at) for n in done), lambda i: i.need.area, community
        ),
        done_hours=sum(n.hours or 0.0 for n in done),
        pending=tuple(
            (p, now - p.since) for p in sorted(rows.pending, key=lambda p: (p.since, p.user_id))
        ),
        concerns=group_by_area(
            ((c, now - c.created_at) for c in concerns), lambda t: t[0].area, community
        ),
        gaps=group_by_area(gaps, lambda g: g.area, community),
    )
