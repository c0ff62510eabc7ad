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

from domain.periods import Period
from domain.signin import Access
from web import charts, texts
from web.core import Viewer, chosen_period, dashboard, page, render
from web.export import rows_csv
from web.figures import Figures, ReportView


def _figures(request: Request) -> Figures:
    found: Figures = request.app.state.figures
    return found


def _period(request: Request) -> tuple[Period, str | None]:
    period, problem = chosen_period(request)
    return period, texts.PERIOD_PROBLEMS[problem.problem.value] if problem else None


async def _view(request: Request) -> tuple[ReportView, str | None]:
    period, problem = _period(request)
    return await _figures(request).report(period), problem


async def _report_page(request: Request, viewer: Viewer, template: str, name: str) -> Response:
    d = dashboard(request)
    view, problem = await _view(request)
    today = d.now().astimezone(d.tz).date()
    await d.turns.page()  # the figures may have taken a while: the bot's turn first
    return render(
        request,
        template,
        viewer=viewer,
        title=texts.TITLES[name],
        view=view,
        report=view.dash.report,
        problem=problem,
        choices=texts.choices(today),
        today=today,
    )


def _report(name: str, template: str) -> Callable[[Request], Awaitable[Response]]:
    """A liaison's page of the report: `template` with the figures of the period asked,
    titled `texts.TITLES[name]`."""

    async def show(request: Request, viewer: Viewer) -> Response:
        return await _report_page(request, viewer, template, name)

    show.__name__ = show.__qualname__ = name
    return page(Access.LIAISON)(show)


overview = _report("overview", "overview.html")
areas = _report("areas", "areas.html")
categories = _report("categories", "categories.html")
matching = _report("matching", "matching.html")
printable = _report("printable", "print.html")


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
        return Response(texts.REFUSED["no_page"], status_code=404, media_type="text/plain")
    view, _ = await _view(request)
    svg = await _figures(request).chart(view, name, lambda: draw(view))
    return Response(svg, media_type="image/svg+xml")
