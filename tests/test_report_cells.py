"""The liaison's figures as the store reads them cell by cell (storage/reports.py, 0013):
the same numbers as counting every need by hand, whatever the period; a year's figures are
its months' put together; a change to a need shows in the very next read; and a year is
read from the indexes alone, never sorted, so its page loads in time (benchmarks/
dashboard.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.community import Area, Category, Community
from domain.models import Candidate
from domain.privacy import ANONYMOUS
from domain.reports import Supply, Tally, Week, weekly_rows
from storage import Store
from storage import web as web_storage
from storage.reports import tally_query

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 4, 20, 9, 30, tzinfo=UTC)  # the last month is still going on
MONTHS = [
    (datetime(2026, m, 1, tzinfo=UTC), datetime(2026, m + 1, 1, tzinfo=UTC)) for m in (1, 2, 3, 4)
]
WHOLE = (MONTHS[0][0], MONTHS[-1][1])
AREAS = ("Trinity", "Keyford", "Old Area Name")  # the last one is in no community file
CATEGORIES = ("Shopping", "Prescriptions", "Lifts")
# "released": accepted, then given back (open again); "dropped": accepted, then closed.
STATUSES = (
    *("open", "open", "held", "referred", "accepted", "done", "done", "done"),
    *("closed", "cancelled", "released", "dropped"),
)
VOLUNTEERS = (501, 502, 503, 504, 505, ANONYMOUS - 7)  # one of them forgotten


def _ts(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


@dataclass
class Need:
    id: int
    area: str
    category: str
    status: str
    created: datetime
    accepted: datetime | None = None
    done: datetime | None = None
    closed: datetime | None = None
    volunteer: int | None = None
    hours: float | None = None
    resident: int = 1
    phoned: str | None = None


def random_needs(seed: int, count: int = 400) -> list[Need]:
    """Needs of every kind over four months: open, held, referred, accepted (some released
    again), done (some accepted the month before, one never accepted), closed unmet,
    cancelled, some accepted and then closed; volunteers forgotten or gone."""
    rng = random.Random(seed)
    needs = []
    for i in range(1, count + 1):
        created = T0 + timedelta(seconds=rng.randrange(0, 112 * 86400))
        status = rng.choice(STATUSES)
        n = Need(i, rng.choice(AREAS), rng.choice(CATEGORIES), status, created)
        n.resident = rng.choice((1, 2, 3, 4, 5, 6, ANONYMOUS))
        n.phoned = "Doris" if rng.random() < 0.1 else None
        later = created + timedelta(seconds=rng.randrange(60, 30 * 86400))
        if status in ("accepted", "done", "released", "dropped"):
            n.accepted = later
            n.volunteer = rng.choice((*VOLUNTEERS, None))
        if status == "done":
            if rng.random() < 0.05:
                n.accepted = None  # marked done by a coordinator, never accepted
            n.done = later + timedelta(seconds=rng.randrange(60, 20 * 86400))
            n.hours = rng.choice((0.5, 1.0, 1.25, 2.0, 3.5))
        if status == "released":
            n.status = "open"  # accepted, then given back: open again
        if status == "dropped":
            n.status = "closed"  # accepted, then closed without help
            n.closed = later + timedelta(seconds=rng.randrange(60, 5 * 86400))
        if status in ("closed", "cancelled"):
            n.closed = later
        needs.append(n)
    return needs


async def seeded(tmp_path: Path, needs: list[Need]) -> Store:
    store = await Store.open(tmp_path / "cells.db")
    people = {1, 2, 3, 4, 5, 6, ANONYMOUS, *(v for v in VOLUNTEERS)}
    await store.db.conn.executemany(
        "INSERT INTO people (id, first_name, created_at) VALUES (?, 'x', ?)",
        [(p, _ts(T0)) for p in sorted(people)],
    )
    await store.db.conn.executemany(
        "INSERT INTO needs (id, resident_id, category, area, description, wanted, window_start, "
        "window_end, status, volunteer_id, accepted_at, done_at, closed_at, hours, "
        "on_behalf_of, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'x', 'today', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                n.id,
                n.resident,
                n.category,
                n.area,
                _ts(n.created),
                _ts(n.created + timedelta(days=1)),
                n.status,
                n.volunteer,
                _ts(n.accepted),
                _ts(n.done),
                _ts(n.closed),
                n.hours,
                n.phoned,
                _ts(n.created),
                _ts(n.created),
            )
            for n in needs
        ],
    )
    return store


@dataclass
class Cell:
    posted: int = 0
    matched: int = 0
    done: int = 0
    still_open: int = 0
    unmet: int = 0
    hours: float = 0.0
    match_hours: list[float] = field(default_factory=list)
    volunteers: set[int] = field(default_factory=set)


def by_hand(
    needs: list[Need], buckets: list[tuple[datetime, datetime]], now: datetime
) -> list[Tally]:
    """domain/reports.py's definitions, need by need (still open as the store has always
    judged it: open at the cut, among the needs open now or accepted or closed since the
    first cut)."""
    first_cut = min(min(stop, now) for _, stop in buckets)
    cells: dict[tuple[int, str, str], Cell] = {}

    def within(moment: datetime | None, start: datetime, stop: datetime) -> bool:
        return moment is not None and start <= moment < stop

    for i, (start, stop) in enumerate(buckets):
        cut = min(stop, now)
        for n in needs:
            key = (i, n.area, n.category)
            if within(n.created, start, stop):
                cells.setdefault(key, Cell()).posted += 1
            if n.accepted is not None and within(n.accepted, start, stop):
                c = cells.setdefault(key, Cell())
                c.matched += 1
                c.match_hours.append(round((n.accepted - n.created).total_seconds() / 3600, 4))
                c.volunteers |= {n.volunteer} if n.volunteer is not None else set()
            if n.status == "done" and within(n.done, start, stop):
                c = cells.setdefault(key, Cell())
                c.done += 1
                c.hours += n.hours or 0.0
                c.volunteers |= {n.volunteer} if n.volunteer is not None else set()
            if n.status == "closed" and within(n.closed, start, stop):
                cells.setdefault(key, Cell()).unmet += 1
            open_at_cut = (
                n.created < cut
                and (n.accepted is None or n.accepted >= cut)
                and (n.closed is None or n.closed >= cut)
            )
            maybe = (
                n.status == "open"
                or (n.accepted is not None and n.accepted >= first_cut)
                or (n.closed is not None and n.closed >= first_cut)
            )
            if open_at_cut and maybe:
                cells.setdefault(key, Cell()).still_open += 1
    return [
        Tally(
            area=area,
            category=category,
            bucket=i,
            posted=c.posted,
            matched=c.matched,
            done=c.done,
            still_open=c.still_open,
            unmet=c.unmet,
            hours=c.hours,
            match_hours=tuple(sorted(c.match_hours)),
            volunteers=frozenset(c.volunteers),
        )
        for (i, area, category), c in sorted(cells.items())
    ]


def comparable(tallies: list[Tally]) -> list[Tally]:
    """Tallies with their hours to a match in order (the order they are read in is not a
    figure)."""
    return [replace(t, match_hours=tuple(sorted(t.match_hours))) for t in tallies]


def weeks_of(start: datetime, stop: datetime) -> list[tuple[datetime, datetime]]:
    out, day = [], start
    while day < stop:
        out.append((day, min(day + timedelta(days=7), stop)))
        day += timedelta(days=7)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_store_counts_what_counting_every_need_by_hand_counts(
    tmp_path: Path, seed: int
) -> None:
    needs = random_needs(seed)
    store = await seeded(tmp_path, needs)
    try:
        for buckets, now in (
            ([WHOLE], NOW),  # four months, the last not over: still open judged now
            (MONTHS, NOW),
            (weeks_of(*MONTHS[1]), NOW),  # a month's weeks (the CSV)
            ([WHOLE], WHOLE[1] + timedelta(days=30)),  # after it ended
            ([(T0 + timedelta(days=10), T0 + timedelta(days=11))], NOW),  # a single day
        ):
            read = await store.reports.tallies(buckets, now)
            assert comparable(read) == by_hand(needs, buckets, now)
            assert await store.web.tallies(buckets, now) == read  # the dashboard's read
    finally:
        await store.close()


async def test_a_periods_figures_are_its_months_put_together(tmp_path: Path) -> None:
    needs = random_needs(4)
    store = await seeded(tmp_path, needs)
    try:
        whole = {(t.area, t.category): t for t in await store.reports.tallies([WHOLE], NOW)}
        months = await store.reports.tallies(MONTHS, NOW)
        assert whole
        for (area, category), t in whole.items():
            parts = [m for m in months if (m.area, m.category) == (area, category)]
            for name in ("posted", "matched", "done", "unmet"):
                assert getattr(t, name) == sum(getattr(m, name) for m in parts), name
            assert t.hours == sum(m.hours for m in parts)
            assert sorted(t.match_hours) == sorted(h for m in parts for h in m.match_hours)
            assert t.volunteers == frozenset().union(*(m.volunteers for m in parts))
            # Still open at the end of the whole is still open at the end of its last month.
            last = [m for m in parts if m.bucket == len(MONTHS) - 1]
            assert t.still_open == (last[0].still_open if last else 0)
    finally:
        await store.close()


async def test_a_change_to_a_need_shows_in_the_next_read(tmp_path: Path) -> None:
    posted = T0 + timedelta(days=40)
    needs = [Need(1, "Trinity", "Shopping", "open", posted)]
    store = await seeded(tmp_path, needs)
    march = [MONTHS[2]]
    try:

        async def trinity() -> Tally:
            (found,) = await store.reports.tallies([WHOLE], NOW)
            return found

        assert (await trinity()).still_open == 1
        # Accepted after 90 minutes: the wait is worked out from the row as it is now.
        await store.db.execute(
            "UPDATE needs SET status='accepted', volunteer_id=501, accepted_at=? WHERE id=1",
            (_ts(posted + timedelta(minutes=90)),),
        )
        t = await trinity()
        assert (t.matched, t.match_hours, t.volunteers, t.still_open) == (1, (1.5,), {501}, 0)
        # Given to someone else a day later: the wait and who matched move with it.
        await store.db.execute(
            "UPDATE needs SET volunteer_id=502, accepted_at=? WHERE id=1",
            (_ts(posted + timedelta(hours=26, minutes=15)),),
        )
        t = await trinity()
        assert (t.match_hours, t.volunteers) == ((26.25,), {502})
        # Done in March, 2.5 hours of help.
        await store.db.execute(
            "UPDATE needs SET status='done', done_at=?, hours=2.5 WHERE id=1",
            (_ts(MONTHS[2][0] + timedelta(days=3)),),
        )
        (done,) = await store.reports.tallies(march, NOW)
        assert (done.done, done.hours, done.volunteers) == (1, 2.5, {502})
        assert await store.web.people_helped(*march[0]) == (1, 0, 0)
        (week,) = await store.web.weekly_counts(march)
        assert (week.done, week.hours) == (1, 2.5)
        # Moved to another area (a coordinator's correction): the figures follow it.
        await store.db.execute("UPDATE needs SET area='Keyford' WHERE id=1")
        assert [t.area for t in await store.reports.tallies([WHOLE], NOW)] == ["Keyford"]
    finally:
        await store.close()


@pytest.mark.parametrize("long_from", [timedelta(days=10_000), timedelta(0)])
async def test_people_helped_are_the_same_however_they_are_read(
    tmp_path: Path, long_from: timedelta, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short period and a long one are read two ways (storage/web.py); each way gives
    the figures of counting by hand, for any period."""
    monkeypatch.setattr(web_storage, "HELPED_LONG_FROM", long_from)
    needs = random_needs(5)
    store = await seeded(tmp_path, needs)
    try:
        for start, stop in (WHOLE, *MONTHS, (T0 + timedelta(days=20), T0 + timedelta(days=95))):
            done = [n for n in needs if n.status == "done" and n.done and n.done < stop]
            inside = [n for n in done if n.done and n.done >= start]
            own = {n.resident for n in inside if n.resident > ANONYMOUS and n.phoned is None}
            calls = sum(1 for n in inside if n.resident > ANONYMOUS and n.phoned is not None)
            times = {r: sum(1 for n in done if n.resident == r and n.phoned is None) for r in own}
            unknown = sum(1 for n in inside if n.resident <= ANONYMOUS)
            expected = (len(own) + calls, sum(1 for r in own if times[r] > 1), unknown)
            assert await store.web.people_helped(start, stop) == expected
    finally:
        await store.close()


async def test_the_weekly_trend_of_a_whole_year_reads_every_week(tmp_path: Path) -> None:
    needs = random_needs(6)
    store = await seeded(tmp_path, needs)
    year = (datetime(2025, 12, 29, tzinfo=UTC), datetime(2026, 12, 28, tzinfo=UTC))
    try:
        weeks = weeks_of(*year)
        assert len(weeks) == 52
        expected = [
            (i, t.posted, t.matched, t.done, t.hours)
            for i, bucket in enumerate(weeks)
            for t in [by_hand_week(needs, bucket)]
            if t.posted or t.matched or t.done
        ]
        read = await store.web.weekly_counts(weeks)
        assert [(t.bucket, t.posted, t.matched, t.done, t.hours) for t in read] == expected
    finally:
        await store.close()


def by_hand_week(needs: list[Need], bucket: tuple[datetime, datetime]) -> Tally:
    start, stop = bucket

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < stop

    done = [n for n in needs if n.status == "done" and within(n.done)]
    return Tally(
        area="",
        category="",
        posted=sum(1 for n in needs if within(n.created)),
        matched=sum(1 for n in needs if within(n.accepted)),
        done=len(done),
        hours=sum(n.hours or 0.0 for n in done),
    )


async def test_a_years_figures_are_read_from_the_indexes_without_sorting_a_need(
    tmp_path: Path,
) -> None:
    """What keeps a year's page quick: each cell's figures are ranges of 0013's indexes
    (its needs in time order), so no need is sorted to group it, and the needs table
    itself is never read."""
    store = await seeded(tmp_path, random_needs(7, count=50))
    try:
        sql, params = tally_query([WHOLE], NOW)
        plan = [r["detail"] for r in await store.db.read("EXPLAIN QUERY PLAN " + sql, params)]
        assert not [step for step in plan if "TEMP B-TREE" in step], plan
        searches = [step for step in plan if step.startswith(("SEARCH n", "SEARCH m", "SCAN n"))]
        assert searches and all("INDEX needs_cell_" in step for step in searches), plan
        program = await store.db.read("EXPLAIN " + sql, params)
        root = await store.db.read("SELECT rootpage FROM sqlite_master WHERE name = 'needs'")
        table = {r["p1"] for r in program if r["opcode"] == "OpenRead" and r["p2"] == root[0][0]}
        assert not [r for r in program if r["opcode"] == "Column" and r["p1"] in table]
    finally:
        await store.close()


COMMUNITY = Community(
    name="Cells",
    areas=(Area(name="Trinity", neighbours=("Keyford",)), Area(name="Keyford")),
    categories=(Category(name="Shopping"), Category(name="Prescriptions")),
)


def test_the_export_uses_who_could_be_asked_as_worked_out_already() -> None:
    """The dashboard's CSV hands over the Supply it keeps for a minute, rather than have it
    worked out again from every volunteer (/report.csv in benchmarks/dashboard.py)."""
    volunteers = [
        Candidate(user_id=v, skills=frozenset({"Shopping"}), areas=frozenset({area}))
        for v, area in ((1, "Trinity"), (2, "Keyford"), (3, "Keyford"))
    ]
    tallies = [
        Tally(area="Trinity", category="Shopping", posted=6),
        Tally(area="Keyford", category="Shopping", posted=7),
    ]
    weeks = [Week("2026-W01", T0.date(), T0.date() + timedelta(days=3))]
    given = weekly_rows(tallies, weeks, Supply(volunteers, COMMUNITY), COMMUNITY)
    assert given == weekly_rows(tallies, weeks, volunteers, COMMUNITY)
    eligible = {(r.area, r.category): r.eligible.text for r in given}
    # Trinity's neighbour Keyford's volunteers count for it too.
    assert eligible[("Trinity", "Shopping")] == "<5"
    assert eligible[("Keyford", "Shopping")] == "<5"
    assert eligible[("Trinity", "Prescriptions")] == "0"
