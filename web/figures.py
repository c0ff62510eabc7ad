"""The liaison's figures for a period, read once and shared by its pages, charts and CSV.

The store's counts come from the reading connection (`Database.read`), the figures are
worked out in a thread (pure domain functions), and the result is kept: a minute for a
period that is still going on, an hour for one that has ended (its figures no longer move).
Who could be asked now is the same for every period: read once a minute, in the background
while the last reading is still shown, so no page waits for it after the first.

What is kept is numbers, never words: the same view serves readers of every language, who
get its labels, dates and numbers in their own when a page is rendered; a drawn chart is
kept per language.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.dashboard import (
    DashboardReport,
    Helped,
    MatchTimes,
    TrendWeek,
    dashboard_report,
    has_wards,
    match_times,
    people_helped,
    period_key,
    supply_of,
    weekly_trend,
)
from domain.models import Candidate
from domain.periods import Period
from domain.reports import Supply, Week, WeekRow, weekly_rows
from handlers import i18n
from web.ports import Dashboard

logger = logging.getLogger(__name__)

GOING_ON_SECONDS = 60.0  # a period that includes today
ENDED_SECONDS = 3600.0  # a period that has ended
SUPPLY_SECONDS = 60.0
KEPT_MAX = 48


@dataclass
class ReportView:
    period: Period
    key: str
    so_far: bool  # the period has not ended yet
    dash: DashboardReport
    trend: tuple[TrendWeek, ...]
    matching: MatchTimes
    helped: Helped
    pounds_per_hour: float | None
    wards: bool
    weeks: list[Week]
    rows: list[WeekRow] | None = None  # the CSV's rows, worked out when first asked for
    # Drawn charts by name and language: a chart's words are in its reader's language.
    charts: dict[tuple[str, str], bytes] = field(default_factory=dict)


@dataclass
class _Kept:
    at: float
    ttl: float
    task: asyncio.Task[Any]


class Figures:
    """Report views by period, each worked out once while it is kept."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.d = dashboard
        self._kept: dict[tuple[str, date], _Kept] = {}
        self._supply: _Kept | None = None
        self._refreshing: asyncio.Task[Any] | None = None

    def forget(self) -> None:
        """Everything worked out afresh from now on (the benchmark's cold pages)."""
        self._kept.clear()

    async def report(self, period: Period) -> ReportView:
        today = self.d.now().astimezone(self.d.tz).date()
        key = (period_key(period), today)
        now = time.monotonic()
        found = self._kept.get(key)
        if found is None or now - found.at > found.ttl or found.task.cancelled():
            ttl = GOING_ON_SECONDS if period.end >= today else ENDED_SECONDS
            found = _Kept(now, ttl, asyncio.ensure_future(self._build(period, today)))
            self._kept[key] = found
            if len(self._kept) > KEPT_MAX:
                oldest = min(self._kept, key=lambda k: self._kept[k].at)
                del self._kept[oldest]
        try:
            view: ReportView = await asyncio.shield(found.task)
        except Exception:
            self._kept.pop(key, None)  # not kept: the next page tries again
            raise
        return view

    async def supply(self) -> tuple[list[Candidate], Supply]:
        """Who could be asked now: kept a minute, then read again in the background while
        the last reading is still given."""
        now = time.monotonic()
        kept = self._supply
        if kept is None or kept.task.cancelled() or (kept.task.done() and kept.task.exception()):
            kept = self._supply = _Kept(now, SUPPLY_SECONDS, asyncio.ensure_future(self._read()))
        elif now - kept.at > kept.ttl and kept.task.done() and self._refreshing is None:
            fresh = asyncio.ensure_future(self._read())
            self._refreshing = fresh
            fresh.add_done_callback(self._refreshed)
        found: tuple[list[Candidate], Supply] = await asyncio.shield(kept.task)
        return found

    def _refreshed(self, task: asyncio.Task[Any]) -> None:
        self._refreshing = None
        if not task.cancelled() and task.exception() is None:
            self._supply = _Kept(time.monotonic(), SUPPLY_SECONDS, task)
        elif not task.cancelled():
            logger.warning("Reading who could be asked failed: %r", task.exception())

    async def _read(self) -> tuple[list[Candidate], Supply]:
        await self.d.turns.lull()  # long work: after a burst of conversation, not during it
        rows = await self.d.store.web.supply_rows()
        return await asyncio.to_thread(supply_of, rows, self.d.community)

    async def _build(self, period: Period, today: date) -> ReportView:
        d = self.d
        await d.turns.lull()  # long work: after a burst of conversation, not during it
        now = d.now()
        bounds = period.bounds(d.tz)
        # Weeks yet to come are not shown.
        weeks = [w for w in period.weeks() if w.start <= today] or period.weeks()[:1]
        buckets = [Period(w.start, w.end).bounds(d.tz) for w in weeks]
        rate = d.community.social_value.pounds_per_hour

        async def figures() -> tuple[DashboardReport, MatchTimes]:
            tallies = await d.store.web.tallies([bounds], now)
            _, supply = await self.supply()

            def work() -> tuple[DashboardReport, MatchTimes]:
                dash = dashboard_report(tallies, supply, d.community, rate)
                whole = dash.report.whole
                return dash, match_times(tallies, whole.matched, whole.median_hours)

            return await asyncio.to_thread(work)

        # The period's tallies are read first; while a thread works out their figures, the
        # reading connection goes on to the weeks and the people helped.
        (dash, matching), weekly, helped = await asyncio.gather(
            figures(), d.store.web.weekly_counts(buckets), d.store.web.people_helped(*bounds)
        )
        return ReportView(
            period=period,
            key=period_key(period),
            so_far=period.end >= today,
            dash=dash,
            trend=weekly_trend(weekly, weeks, dash.withheld_whole),
            matching=matching,
            helped=people_helped(*helped),
            pounds_per_hour=rate,
            wards=has_wards(d.community),
            weeks=weeks,
        )

    async def week_rows(self, view: ReportView) -> list[WeekRow]:
        """The CSV's rows: one per week, area and category (worked out once per view)."""
        if view.rows is None:
            d = self.d
            await d.turns.lull()
            buckets = [Period(w.start, w.end).bounds(d.tz) for w in view.weeks]
            tallies = await d.store.web.tallies(buckets, d.now())
            _, supply = await self.supply()  # worked out already: not again for the CSV
            view.rows = await asyncio.to_thread(
                weekly_rows, tallies, view.weeks, supply, d.community, view.pounds_per_hour
            )
        return view.rows

    async def chart(self, view: ReportView, name: str, draw: Callable[[], bytes]) -> bytes:
        """A chart of the view, drawn in a thread once in each language (the thread works
        in the request's language: to_thread copies its context)."""
        key = (name, i18n.current())
        if key not in view.charts:
            await self.d.turns.lull()
            view.charts[key] = await asyncio.to_thread(draw)
        return view.charts[key]
