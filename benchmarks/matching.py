"""How long choosing a need's first wave takes on a large community.

Seeds a temporary SQLite file (migrated by `storage.Store`) with volunteers spread over a
synthetic community of areas with neighbours and centroids, plus a year of historic needs,
then times `MutualAid.choose_wave` (the bot's own path: SQL for the hard rules, nearest
tier first and only as many rows as a wave needs, then the domain's ranking) for a batch of
new needs, beside the naive way (every nearby volunteer, ranked in Python). Nothing is sent
and nothing is written while timing.

    python benchmarks/matching.py            # 100,000 volunteers, 200,000 needs, 1,000 timed
    python benchmarks/matching.py --small    # a few seconds, for the smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.community import Area, Category, Community
from domain.matching import next_wave
from domain.models import Need, NeedStatus, When
from domain.services import MutualAid, Policy
from storage import Store
from storage.db import ts

NOW = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)  # a Wednesday morning, GMT
TZ = ZoneInfo("Europe/London")
WAVE_SIZE = 3

CATEGORY_NAMES = (
    "Shopping & essentials",
    "Prescriptions",
    "Dog walking & pets",
    "Phone befriending",
    "Transport to appointments",
    "Post & errands",
    "Lending items",
    "Gardening",
    "Meals",
    "Tech help",
    "Form filling",
    "Other",
)
VETTED_ONLY = {"Transport to appointments", "Form filling"}
# Popularity of categories for needs (shopping and prescriptions dominate).
CATEGORY_WEIGHTS = (30, 20, 8, 6, 6, 6, 3, 4, 6, 4, 3, 4)
AVAILABILITY = (("any", 55), ("weekdays", 15), ("weekends", 12), ("evenings", 18))

# Shares among volunteers.
APPROVED = 0.85
ON_DUTY = 0.75
VETTED = 0.30
BLOCKED = 0.005
UNREACHABLE = 0.02

RESIDENTS_PER_NEED = 10  # one resident for every ten historic needs
VOLUNTEER_BASE = 10_000_000  # volunteer ids start here; residents are 1..


def make_community(n_areas: int) -> Community:
    """A grid of areas (about twice as wide as tall), each bordering up to four others."""
    cols = max(1, math.ceil(math.sqrt(n_areas * 2)))
    names = [f"Area {i:03d}" for i in range(n_areas)]
    areas = []
    for i, name in enumerate(names):
        row, col = divmod(i, cols)
        neighbours = []
        for r, c in ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)):
            j = r * cols + c
            if 0 <= c < cols and 0 <= j < n_areas and r >= 0:
                neighbours.append(names[j])
        areas.append(
            Area(
                name=name,
                neighbours=tuple(neighbours),
                lat=51.20 + row * 0.009,  # about 1 km apart
                lon=-2.40 + col * 0.014,
            )
        )
    categories = tuple(Category(name=n, vetted_only=n in VETTED_ONLY) for n in CATEGORY_NAMES)
    return Community(name="Benchmark Mutual Aid", areas=tuple(areas), categories=categories)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


async def seed(
    store: Store,
    community: Community,
    n_volunteers: int,
    n_needs: int,
    radius_share: float,
    rng: random.Random,
) -> None:
    """Bulk insert straight into the migrated schema, in one transaction."""
    conn = store.db.conn
    areas = community.areas
    area_names = [a.name for a in areas]
    created = ts(NOW - timedelta(days=400))
    n_residents = max(1, n_needs // RESIDENTS_PER_NEED)
    volunteer_ids = [VOLUNTEER_BASE + i for i in range(n_volunteers)]

    people = [
        (i, f"Resident {i}", None, created, 1, 1, 0, created) for i in range(1, n_residents + 1)
    ]
    people += [
        (
            v,
            f"Volunteer {v}",
            None,
            created,
            1,
            0 if rng.random() < UNREACHABLE else 1,
            1 if rng.random() < BLOCKED else 0,
            created,
        )
        for v in volunteer_ids
    ]
    volunteers, skills, varea = [], [], []
    for v in volunteer_ids:
        home = rng.randrange(len(areas))
        lat = lon = radius = None
        if rng.random() < radius_share:
            lat = areas[home].lat + rng.uniform(-0.004, 0.004)  # type: ignore[operator]
            lon = areas[home].lon + rng.uniform(-0.006, 0.006)  # type: ignore[operator]
            radius = rng.choice((1.0, 2.0, 3.0, 5.0))
        volunteers.append(
            (
                v,
                _weighted(rng, AVAILABILITY),
                1 if rng.random() < ON_DUTY else 0,
                1 if rng.random() < APPROVED else 0,
                1 if rng.random() < VETTED else 0,
                rng.choice((1, 2, 3, 3, 3, 5)),
                lat,
                lon,
                radius,
                created,
                created,
            )
        )
        for cat in rng.sample(CATEGORY_NAMES, rng.randint(1, 3)):
            skills.append((cat, v))
        # Home plus (often) a neighbouring area or two.
        mine = {area_names[home]}
        want = rng.randint(1, 3)
        nearby = list(areas[home].neighbours)
        rng.shuffle(nearby)
        while len(mine) < want and nearby:
            mine.add(nearby.pop())
        for name in mine:
            varea.append((name, v))

    # A few volunteers do most of the work: Pareto-ish weights.
    weights = list(itertools.accumulate(rng.paretovariate(1.2) for _ in volunteer_ids))
    needs = []
    statuses = (("done", 78), ("closed", 12), ("cancelled", 6), ("accepted", 2), ("open", 2))
    for i in range(1, n_needs + 1):
        status = _weighted(rng, statuses)
        created_at = NOW - timedelta(seconds=rng.randrange(365 * 86400))
        accepted_at = volunteer = done_at = closed_at = None
        if status in ("done", "accepted"):
            volunteer = rng.choices(volunteer_ids, cum_weights=weights)[0]
            accepted_at = ts(created_at + timedelta(minutes=rng.randrange(5, 600)))
            if status == "done":
                done_at = accepted_at
        elif status in ("closed", "cancelled"):
            closed_at = ts(created_at + timedelta(days=rng.randrange(1, 7)))
        when = rng.choice(list(When)).value
        needs.append(
            (
                i,
                rng.randrange(1, n_residents + 1),
                rng.choices(CATEGORY_NAMES, weights=CATEGORY_WEIGHTS)[0],
                rng.choice(area_names),
                "Historic need",
                when,
                ts(created_at),
                ts(created_at + timedelta(days=1)),
                status,
                1,
                volunteer,
                accepted_at,
                done_at,
                closed_at,
                1.0 if status == "done" else None,
                ts(created_at),
                ts(created_at),
            )
        )

    await conn.execute("BEGIN IMMEDIATE")
    await conn.executemany(
        "INSERT INTO people (id, first_name, username, consent_at, consent_version, reachable, "
        "blocked, created_at) VALUES (?,?,?,?,?,?,?,?)",
        people,
    )
    await conn.executemany(
        "INSERT INTO volunteers (user_id, availability, on_duty, approved, vetted, "
        "max_open_tasks, lat, lon, radius_km, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        volunteers,
    )
    await conn.executemany("INSERT INTO volunteer_skills (category, user_id) VALUES (?,?)", skills)
    await conn.executemany("INSERT INTO volunteer_areas (area, user_id) VALUES (?,?)", varea)
    await conn.executemany(
        "INSERT INTO needs (id, resident_id, category, area, description, wanted, window_start, "
        "window_end, status, wave, volunteer_id, accepted_at, done_at, closed_at, hours, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        needs,
    )
    await conn.execute("COMMIT")
    await conn.execute("ANALYZE")


def new_needs(
    community: Community, count: int, first_id: int, n_residents: int, rng: random.Random
) -> list[Need]:
    """Needs as a resident would post them now (not stored: candidates() only reads)."""
    out = []
    for i in range(count):
        when = rng.choice((When.TODAY, When.TODAY, When.TOMORROW, When.THIS_WEEK, When.FLEXIBLE))
        days = {When.TODAY: 0, When.TOMORROW: 1, When.THIS_WEEK: 6, When.FLEXIBLE: 13}[when]
        out.append(
            Need(
                id=first_id + i,
                resident_id=rng.randrange(1, n_residents + 1),
                category=rng.choices(CATEGORY_NAMES, weights=CATEGORY_WEIGHTS)[0],
                area=rng.choice(community.areas).name,
                description="Bread and milk",
                when=when,
                window_start=NOW,
                window_end=NOW + timedelta(days=days, hours=12),
                status=NeedStatus.OPEN,
                created_at=NOW,
            )
        )
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


class Spy:
    """Counts the rows and remembers the statements `fetchall` runs, for the report."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.statements: list[tuple[str, Any]] = []
        self.rows = 0
        self._original = store.db.fetchall

    async def fetchall(self, sql: str, params: Any = ()) -> Any:
        rows = await self._original(sql, params)
        self.statements.append((sql, params))
        self.rows += len(rows)
        return rows

    def __enter__(self) -> Spy:
        self.store.db.fetchall = self.fetchall  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        del self.store.db.fetchall  # back to the class's method


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    community = make_community(args.areas)
    aid_policy = Policy(wave_size=WAVE_SIZE, timezone=TZ.key, volunteer_approval=True)
    with tempfile.TemporaryDirectory(prefix="mutualaid-bench-") as tmp:
        path = Path(tmp) / "matching.db"
        store = await Store.open(path)
        aid = MutualAid(store, community, aid_policy)
        try:
            t0 = time.perf_counter()
            await seed(store, community, args.volunteers, args.needs, args.radius_share, rng)
            seeding = time.perf_counter() - t0
            size_mb = path.stat().st_size / 1e6

            n_residents = max(1, args.needs // RESIDENTS_PER_NEED)
            batch = new_needs(community, args.timed, args.needs + 1, n_residents, rng)
            # Warm the page cache and the statement cache, as a running bot would be.
            for need in batch[: min(20, len(batch))]:
                await aid.choose_wave(need, NOW)

            total, waves = [], []
            for need in batch:
                t0 = time.perf_counter()
                wave = await aid.choose_wave(need, NOW)
                total.append((time.perf_counter() - t0) * 1000)
                waves.append(len(wave))

            # The same needs again, counting what the database returned for each.
            with Spy(store) as spy:
                for need in batch[:100]:
                    await aid.choose_wave(need, NOW)
            rows_per_need = spy.rows / min(100, len(batch))
            queries_per_need = len(spy.statements) / min(100, len(batch))
            sql, params = spy.statements[0]
            plan = await store.db.fetchall("EXPLAIN QUERY PLAN " + sql, params)

            # For comparison: every volunteer of the area and its neighbours, ranked.
            broad = []
            for need in batch[:200]:
                t0 = time.perf_counter()
                areas = {need.area} | community.neighbours_of(need.area)
                found = await store.needs.candidates(need, areas, NOW)
                next_wave(need, found, community, TZ, WAVE_SIZE)
                broad.append((time.perf_counter() - t0) * 1000)
        finally:
            await store.close()

    def row(label: str, values: list[float]) -> str:
        return (
            f"{label:<30}{statistics.median(values):>9.2f}{percentile(values, 0.90):>9.2f}"
            f"{percentile(values, 0.99):>9.2f}{max(values):>9.2f}"
        )

    print("Matching benchmark: choosing the first wave for a new need (MutualAid.choose_wave)")
    print(
        f"  community: {len(community.areas)} areas, {len(community.categories)} categories; "
        f"{args.volunteers:,} volunteers; {args.needs:,} historic needs; "
        f"{args.radius_share:.0%} of volunteers with a radius"
    )
    print(f"  seeding: {seeding:.1f} s (database file {size_mb:.0f} MB)")
    print()
    print(f"{'per need (ms)':<30}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}")
    print(row("choose_wave (nearest first)", total))
    print(row("all nearby, then rank", broad))
    print()
    print(f"needs timed:               {len(total):,}")
    print(f"queries per need:          {queries_per_need:.2f}")
    print(f"rows from SQL per need:    {rows_per_need:.1f}")
    print(f"avg wave size:             {statistics.mean(waves):.2f} (of {WAVE_SIZE})")
    print(f"needs with an empty wave:  {sum(1 for w in waves if not w)}")
    median, p99 = statistics.median(total), percentile(total, 0.99)
    print(
        f"targets: median < 2 ms: {'met' if median < 2 else 'MISSED'}; "
        f"p99 < 10 ms: {'met' if p99 < 10 else 'MISSED'}"
    )
    print()
    print("EXPLAIN QUERY PLAN (the own-area query):")
    parents = {p["id"]: p["parent"] for p in plan}
    for r in plan:
        depth, parent = 0, r["parent"]
        while parent:
            depth += 1
            parent = parents.get(parent, 0)
        print(f"  {'  ' * depth}{r['detail']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=200_000, help="historic needs")
    parser.add_argument("--areas", type=int, default=200)
    parser.add_argument("--timed", type=int, default=1_000, help="new needs to time")
    parser.add_argument("--radius-share", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.small:
        args.volunteers, args.needs, args.areas, args.timed = 2_000, 4_000, 30, 100
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
