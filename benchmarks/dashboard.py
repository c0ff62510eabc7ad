"""How fast the dashboard's pages are on a large community, and what twenty page loads at
once do to the bot beside it.

Seeds a temporary SQLite file the way benchmarks/matching.py does (a year of needs, the
volunteers), builds the real application on it (in-process Telegram stand-in, the bot's
clock on that Wednesday morning) and serves the real dashboard with uvicorn in the same
event loop, as `mutualaid run` does. Then:

* server time per page: each page fetched over HTTP on 127.0.0.1 by a signed-in
  coordinator, "cold" (the report's figures worked out afresh) and "warm" (a page or chart
  of a period just shown, whose figures are kept for a minute); target under 300 ms.
* the bot's step latency: residents' /mine and /help, one after another, each the whole
  unit of work (gate, handler, commit, the answer sent); the median idle, and again while
  twenty clients load pages without pause (each a different period or list, so most
  reports are worked out afresh); target within 1.5 times idle.

    python benchmarks/dashboard.py            # 200,000 needs, 100,000 volunteers
    python benchmarks/dashboard.py --small    # a few seconds, for the smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import random
import re
import socket
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from matching import NOW, make_community, seed

from bot.app import build_application, build_dashboard
from bot.config import Settings
from bot.sandbox import Person, Sandbox, SandboxRequest
from domain.models import Role
from storage import Store
from web.figures import Figures
from web.server import SWITCH_INTERVAL, Server, listen

TARGET_MS = 300.0
RATIO = 1.5
LOADERS = 20

COORDINATOR = Person(90_000_001, "Cora", "cora")
LIAISON = Person(90_000_002, "Lena", "lena")


class Clock:
    """That Wednesday morning, moving in real time."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def now(self) -> datetime:
        return NOW + timedelta(seconds=time.monotonic() - self.t0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _months(count: int) -> list[str]:
    out, day = [], NOW.date().replace(day=1)
    for _ in range(count):
        out.append(f"{day:%Y-%m}")
        day = (day - timedelta(days=1)).replace(day=1)
    return out


async def _sign_in(client: httpx.AsyncClient, sandbox: Sandbox, who: Person) -> None:
    await sandbox.say(who, "/dashboard")
    found = re.search(r'href="[^"]+(/signin/[^"]+)"', sandbox.last_text(who))
    assert found, sandbox.last_text(who)
    page = await client.get(found[1])
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce, page.text
    signed = await client.post(found[1], data={"nonce": nonce[1]})
    assert signed.status_code == 303, signed.text


async def _timed(client: httpx.AsyncClient, path: str) -> float:
    t0 = time.perf_counter()
    response = await client.get(path)
    elapsed = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return elapsed


async def run(args: argparse.Namespace) -> int:
    sys.setswitchinterval(SWITCH_INTERVAL)  # as `mutualaid run` does
    rng = random.Random(args.seed)
    community = make_community(args.areas)
    with tempfile.TemporaryDirectory(prefix="mutualaid-dash-") as tmp:
        path = Path(tmp) / "dashboard.db"
        store = await Store.open(path)
        t0 = time.perf_counter()
        await seed(store, community, args.volunteers, args.needs, 0.01, rng)
        await store.close()
        seeding = time.perf_counter() - t0

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database=path,
            coordinator_ids=[COORDINATOR.id],
            volunteer_approval=False,
            quiet_hours=None,
            web_port=port,
            web_url=base,
        )
        request = SandboxRequest()
        app = build_application(
            settings, community, request=request, clock=Clock(), rate_limit=False
        )
        sandbox = Sandbox(app, request)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        residents = [Person(95_000_000 + i, f"Bench{i}") for i in range(20)]
        for who in (COORDINATOR, LIAISON, *residents):
            await sandbox.say(who, "/start")
            await sandbox.press(who, "I agree")
        services = app.bot_data["services"]
        await services.store.people.grant(LIAISON.id, Role.LIAISON, services.now())
        web = build_dashboard(app)
        figures: Figures = web.state.figures
        server = Server(web, listen("127.0.0.1", port))
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event for it)
            await asyncio.sleep(0.02)
        limits = httpx.Limits(max_connections=LOADERS + 5)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            try:
                await _sign_in(client, sandbox, COORDINATOR)
                need_id = args.needs // 2
                this_month = _months(1)[0]
                report_pages = [
                    "/",
                    "/areas",
                    "/categories",
                    "/matching",
                    "/print",
                    "/report.csv",
                    "/charts/trend.svg",
                    "/charts/areas.svg",
                    "/charts/supply.svg",
                    "/?period=2025-Q1",
                    "/?period=2024",
                ]
                work_pages = [
                    "/needs",
                    "/needs?status=open&age=1d",
                    "/needs?area=Area+003&category=Prescriptions",
                    f"/needs/{need_id}",
                    "/volunteers",
                    f"/volunteers?q=Volunteer+{10_000_123}",
                    "/volunteers?q=Prescriptions&page=3",
                    "/concerns",
                    "/audit",
                ]
                print("Dashboard benchmark: real uvicorn on 127.0.0.1, the bot in the same loop")
                print(
                    f"  community: {len(community.areas)} areas, "
                    f"{len(community.categories)} categories; {args.volunteers:,} volunteers; "
                    f"{args.needs:,} needs over a year; seeding {seeding:.1f} s"
                )
                print()
                print(f"  {'page':<44}{'cold ms':>9}{'warm ms':>9}")
                slowest = 0.0
                for page in report_pages + work_pages:
                    colds, warms = [], []
                    for _ in range(args.repeat):
                        figures.forget()
                        colds.append(await _timed(client, page))
                        warms.append(await _timed(client, page))
                    cold, warm = statistics.median(colds), statistics.median(warms)
                    slowest = max(slowest, cold)
                    print(f"  {page:<44}{cold:>9.1f}{warm:>9.1f}")
                verdict = "met" if slowest < TARGET_MS else "MISSED"
                print(f"  slowest page, cold: {slowest:.1f} ms (< {TARGET_MS:.0f} ms: {verdict})")
                print(f"  (this month is {this_month}; the year and quarter pages cover 2024)")

                # The bot's steps, idle and beside twenty page loads at once.
                async def steps(count: int) -> list[float]:
                    out = []
                    for i in range(count):
                        who = residents[i % len(residents)]
                        update = sandbox.message_update(who, "/mine" if i % 2 else "/help")
                        t0 = time.perf_counter()
                        await app.process_update(update)
                        out.append((time.perf_counter() - t0) * 1000)
                        await asyncio.sleep(0.005)  # people do not type back to back
                    return out

                await steps(20)  # warm up
                idle = await steps(args.steps)

                # Twenty browsers elsewhere (another process, as they would be), each
                # loading a page as soon as the last one came back.
                periods = [*_months(13), "2024-Q4", "2024-Q3", "2024-Q2", "2024"]
                paths = [
                    f"{p}?period={period}"
                    for period in periods
                    for p in ("/", "/areas", "/categories", "/charts/trend.svg")
                ] + work_pages
                rng.shuffle(paths)
                figures.forget()
                context = multiprocessing.get_context("spawn")
                stop, results = context.Event(), context.Queue()
                cookies = dict(client.cookies.items())
                browsers = context.Process(
                    target=_browsers, args=(base, cookies, paths, stop, results), daemon=True
                )
                browsers.start()
                first = await asyncio.to_thread(results.get, True, 60)  # they have started
                assert first == "started", first
                await asyncio.sleep(1.0)
                busy = await steps(args.steps)
                stop.set()
                loads: list[float] = await asyncio.to_thread(results.get, True, 120)
                browsers.join(timeout=30)
            finally:
                server.stop()
                await serving
                await app.shutdown()
                assert app.post_shutdown is not None
                await app.post_shutdown(app)

    idle_median, busy_median = statistics.median(idle), statistics.median(busy)
    ratio = busy_median / idle_median if idle_median else float("inf")
    print()
    print(f"  bot step latency, idle:                    median {idle_median:.1f} ms")
    print(
        f"  bot step latency, {LOADERS} page loads at once:    median {busy_median:.1f} ms, "
        f"p90 {_p(busy, 0.9):.1f} ms"
    )
    verdict = "met" if ratio <= RATIO else "MISSED"
    print(f"  ratio: {ratio:.2f}x (within {RATIO}x of idle: {verdict})")
    print(
        f"  page loads meanwhile: {len(loads)}, median {statistics.median(loads):.0f} ms, "
        f"p90 {_p(loads, 0.9):.0f} ms"
    )
    return 0


def _browsers(
    base: str, cookies: dict[str, str], paths: list[str], stop: Any, results: Any
) -> None:
    """In its own process: LOADERS clients loading pages back to back until `stop`."""

    async def main() -> list[float]:
        feed = itertools.cycle(paths)
        loads: list[float] = []

        async def one() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=120, cookies=cookies) as web:
                while not stop.is_set():
                    loads.append(await _timed(web, next(feed)))

        results.put("started")
        await asyncio.gather(*(one() for _ in range(LOADERS)))
        return loads

    results.put(asyncio.run(main()))


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=200_000)
    parser.add_argument("--areas", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.small:
        args.volunteers, args.needs, args.areas, args.repeat, args.steps = 500, 4_000, 12, 1, 30
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
