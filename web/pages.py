"""The liaison's pages (coordinators see them too): the figures of /report for a month,
quarter, year or two dates, with a weekly trend, areas and wards, kinds of help, supply
against demand, time to a match, hours and their value, and people helped; each chart
with its table; a printable page, the CSV and the charts themselves.

Only aggregates reach these pages: names of areas, wards and categories, and suppressed
figures. No name, username, id, description, location or request number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from domain.dashboard import period_choices
from domain.periods import Period
from domain.signin import Access
from web import charts
from web.core import Viewer, chosen_period, dashboard, page, render
from web.export import rows_csv
from web.figures import Figures, ReportView

PERIOD_PROBLEMS = {
    "format": "That period wasn't understood, so this month is shown.",
    "order": "The second date is before the first, so this month is shown.",
    "too_long": "A period can be at most a year long, so this month is shown.",
    "future": "That period hasn't started yet, so this month is shown.",
}


def _figures(request: Request) -> Figures:
    found: Figures = request.app.state.figures
    return found


def _period(request: Request) -> tuple[Period, str | None]:
    period, problem = chosen_period(request)
    return period, PERIOD_PROBLEMS[problem.problem.value] if problem else None


async def _view(request: Request) -> tuple[ReportView, str | None]:
    period, problem = _period(request)
    return await _figures(request).report(period), problem


async def _report_page(request: Request, viewer: Viewer, template: str, title: str) -> Response:
    d = dashboard(request)
    view, problem = await _view(request)
    today = d.now().astimezone(d.tz).date()
    await d.turns.page()  # the figures may have taken a while: the bot's turn first
    return render(
        request,
        template,
        viewer=viewer,
        title=title,
        view=view,
        report=view.dash.report,
        problem=problem,
        choices=period_choices(today),
        today=today,
    )


def _report(name: str, template: str, title: str) -> Callable[[Request], Awaitable[Response]]:
    """A liaison's page of the report: `template` with the figures of the period asked."""

    async def show(request: Request, viewer: Viewer) -> Response:
        return await _report_page(request, viewer, template, title)

    show.__name__ = show.__qualname__ = name
    return page(Access.LIAISON)(show)


overview = _report("overview", "overview.html", "Overview")
areas = _report("areas", "areas.html", "Areas and wards")
categories = _report("categories", "categories.html", "Kinds of help")
matching = _report("matching", "matching.html", "Matching and hours")
printable = _report("printable", "print.html", "The whole report")


@page(Access.LIAISON)
async def csv_file(request: Request, viewer: Viewer) -> Response:
    d = dashboard(request)
    view, _ = await _view(request)
    rows = await _figures(request).week_rows(view)
    data = rows_csv(rows, d.community, view.pounds_per_hour)
    name = f"mutualaid-{view.period.start.isoformat()}-to-{view.period.end.isoformat()}.csv"
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@page(Access.LIAISON)
async def chart(request: Request, viewer: Viewer) -> Response:
    name = request.path_params["name"]
    draw = charts.CHARTS.get(name)
    if draw is None:
        return Response("No such chart", status_code=404, media_type="text/plain")
    view, _ = await _view(request)
    svg = await _figures(request).chart(view, name, lambda: draw(view))
    return Response(svg, media_type="image/svg+xml")
