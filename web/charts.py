"""The dashboard's charts, drawn on the server as SVG by pygal and served as files behind
`<img>`: no script (pygal's inline tooltip script is taken out), nothing from another site.

A withheld figure (`<5` or `*`) is drawn as a gap, never as a guess; every chart sits
beside a table with the same figures as text. Its words, dates and numbers are in the
reader's language (web/texts.py), drawn for each language apart (web/figures.py).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence

import pygal
from pygal.style import Style

from domain.reports import Figures, Shown
from web import texts
from web.figures import ReportView

# pygal adds an import hook for its map plugins (unused here) that makes every later failed
# import in the process warn (ImportWarning: no find_spec); take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1c1c1c",
    foreground_strong="#1c1c1c",
    foreground_subtle="#6b6b6b",
    opacity=".9",
    opacity_hover="1",
    colors=("#1d5f8a", "#d97a00", "#2b8a3e", "#8e3b8f", "#b02a2a"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=15,
    title_font_size=18,
    value_font_size=13,
    tooltip_font_size=13,
)

_SCRIPT = re.compile(rb"<script\b.*?</script>", re.S)
_COMMENT = re.compile(rb"<!--.*?-->", re.S)


def _value(shown: Shown) -> float | None:
    """A figure as drawn: its number, or a gap where it is withheld."""
    return shown.value


def _config(**extra: object) -> dict[str, object]:
    return {
        "style": STYLE,
        "js": [],
        "width": 640,
        "height": 360,
        "explicit_size": False,
        "show_legend": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "print_values": True,
        "print_zeroes": False,
        "truncate_label": 24,
        "truncate_legend": -1,
        "no_data_text": texts.CHART_NO_DATA,
        "margin": 16,
        "value_formatter": texts.number,
        **extra,
    }


def _svg(chart: pygal.graph.graph.Graph) -> bytes:
    svg = chart.render()
    svg = svg if isinstance(svg, bytes) else svg.encode("utf-8")
    return _COMMENT.sub(b"", _SCRIPT.sub(b"", svg))


def _rows(chart: pygal.graph.graph.Graph, names: Sequence[str]) -> None:
    chart.x_labels = list(names)


def trend(view: ReportView) -> bytes:
    chart = pygal.Bar(**_config(title=texts.CHART_TREND))
    _rows(chart, [texts.day_and_month(w.week.start) for w in view.trend])
    chart.add(texts.SERIES["posted"], [_value(w.posted) for w in view.trend])
    chart.add(texts.SERIES["matched"], [_value(w.matched) for w in view.trend])
    chart.add(texts.SERIES["done"], [_value(w.done) for w in view.trend])
    return _svg(chart)


def _by(title: str, rows: Sequence[tuple[str, Figures]]) -> bytes:
    rows = [(name, f) for name, f in rows if not f.empty]
    chart = pygal.HorizontalBar(**_config(title=title, height=max(300, 130 + 44 * len(rows))))
    names = [name for name, _ in rows]
    chart.x_labels = names[::-1]
    chart.add(texts.SERIES["posted"], [_value(f.posted) for _, f in rows][::-1])
    chart.add(texts.SERIES["done"], [_value(f.done) for _, f in rows][::-1])
    chart.add(texts.SERIES["still_open"], [_value(f.still_open) for _, f in rows][::-1])
    return _svg(chart)


def areas(view: ReportView) -> bytes:
    return _by(texts.CHART_AREAS, view.dash.report.by_area)


def wards(view: ReportView) -> bytes:
    return _by(texts.CHART_WARDS, [(texts.ward(w), f) for w, f in view.dash.by_ward])


def categories(view: ReportView) -> bytes:
    return _by(texts.CHART_CATEGORIES, view.dash.report.by_category)


def supply(view: ReportView) -> bytes:
    lines = [s for s in view.dash.report.supply_by_category if s.volunteers.value or s.needs.value]
    chart = pygal.HorizontalBar(
        **_config(
            title=texts.CHART_SUPPLY,
            height=max(300, 150 + 44 * len(lines)),
            legend_at_bottom_columns=2,
        )
    )
    chart.x_labels = [s.name for s in lines][::-1]
    # Short names in the legend: the title and the table say them in full.
    chart.add(texts.SERIES["volunteers"], [_value(s.volunteers) for s in lines][::-1])
    chart.add(texts.SERIES["requests"], [_value(s.needs) for s in lines][::-1])
    return _svg(chart)


def matching(view: ReportView) -> bytes:
    bands = view.matching.bands
    chart = pygal.Bar(**_config(title=texts.CHART_MATCHING, show_legend=False))
    chart.x_labels = [texts.band(label) for label, _ in bands]
    chart.add(texts.SERIES["requests_matched"], [_value(s) for _, s in bands])
    return _svg(chart)


def hours(view: ReportView) -> bytes:
    rows = [(name, f) for name, f in view.dash.report.by_category if f.hours.value]
    chart = pygal.HorizontalBar(
        **_config(
            title=texts.CHART_HOURS,
            height=max(300, 100 + 40 * len(rows)),
            show_legend=False,
        )
    )
    chart.x_labels = [name for name, _ in rows][::-1]
    chart.add(texts.SERIES["hours"], [_value(f.hours) for _, f in rows][::-1])
    return _svg(chart)


CHARTS: dict[str, Callable[[ReportView], bytes]] = {
    "trend": trend,
    "areas": areas,
    "wards": wards,
    "categories": categories,
    "supply": supply,
    "matching": matching,
    "hours": hours,
}
