"""How long the coordinators' digest and the liaison's report take on a large community.

Seeds a temporary SQLite file the way benchmarks/matching.py does (a year of needs), then
times, each from the store's rows to the finished figures: the digest, this month's
/report, this month's /export (one bucket per week), and a whole year's /report.

    python benchmarks/reports.py            # 200,000 needs, 5,000 volunteers
    python benchmarks/reports.py --small    # a few seconds, for the smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from matching import NOW, TZ, make_community, seed

from domain.digest import build_digest
from domain.periods import Period, month
from domain.reports import liaison_report, weekly_rows
from storage import Store

TARGET_S = 1.0


async def _timed(label: str, job: Callable[[], Awaitable[Any]], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        await job()
        best = min(best, time.perf_counter() - t0)
    verdict = "met" if best < TARGET_S else "MISSED"
    print(f"  {label:<34}{best * 1000:>9.1f} ms   (< {TARGET_S:.0f} s: {verdict})")
    return best


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    community = make_community(args.areas)
    today = NOW.astimezone(TZ).date()
    this_month = month(today)
    year = Period(today - timedelta(days=365), today)
    with tempfile.TemporaryDirectory(prefix="mutualaid-bench-") as tmp:
        path = Path(tmp) / "reports.db"
        store = await Store.open(path)
        try:
            t0 = time.perf_counter()
            await seed(store, community, args.volunteers, args.needs, 0.01, rng)
            seeding = time.perf_counter() - t0

            async def digest() -> None:
                rows = await store.reports.digest_rows(NOW, NOW - timedelta(days=1))
                build_digest(rows, community, NOW, NOW - timedelta(days=1))

            async def report(period: Period) -> None:
                tallies = await store.reports.tallies([period.bounds(TZ)], NOW)
                volunteers = await store.reports.available_volunteers()
                liaison_report(tallies, volunteers, community, 12.5)

            async def export(period: Period) -> None:
                weeks = period.weeks()
                buckets = [Period(w.start, w.end).bounds(TZ) for w in weeks]
                tallies = await store.reports.tallies(buckets, NOW)
                volunteers = await store.reports.available_volunteers()
                weekly_rows(tallies, weeks, volunteers, community, 12.5)

            print("Reports benchmark: store rows + domain figures")
            print(
                f"  community: {len(community.areas)} areas, {len(community.categories)} "
                f"categories; {args.volunteers:,} volunteers; {args.needs:,} needs over a year"
            )
            print(f"  seeding: {seeding:.1f} s")
            print()
            times = [
                await _timed("digest", digest),
                await _timed("/report this month", lambda: report(this_month)),
                await _timed("/export this month (weeks)", lambda: export(this_month)),
                await _timed("/report a whole year", lambda: report(year)),
            ]
            from storage.reports import tally_query

            sql, params = tally_query([this_month.bounds(TZ)], NOW)
            plan = await store.db.fetchall("EXPLAIN QUERY PLAN " + sql, params)
        finally:
            await store.close()
    print()
    print(f"slowest: {max(times) * 1000:.1f} ms")
    print("EXPLAIN QUERY PLAN (tallies):")
    for r in plan:
        print(f"  {r['detail']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--volunteers", type=int, default=5_000)
    parser.add_argument("--needs", type=int, default=200_000)
    parser.add_argument("--areas", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.small:
        args.volunteers, args.needs, args.areas = 500, 4_000, 12
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
