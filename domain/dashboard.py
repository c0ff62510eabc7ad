"""The dashboard's figures, from plain rows: periods (month, quarter, year, two dates), the
weekly trend, areas with their council wards, time to a match and people helped.

Pure functions beside domain/reports.py, with its small-number suppression: a count from 1
to 4 is shown `<5`, and nothing small can be worked out by subtraction (rule 3 of
domain/reports.py). The tables of the dashboard add lines of their own, each protected the
same way:

* wards: each ward's figure is the sum of its areas' (a line whose total is the ward), and
  the wards add up to the whole group (a line whose total is the whole). A ward withheld
  for its own line is withheld in the wards' line too, so the others can't give it away.
* the weekly trend: the weeks add up to the period's figure.
* time to a match: the bands add up to the needs matched.
* people helped: those who came back and those helped for the first time add up to the
  people helped.

Only counts, names of areas, wards and categories, and hours leave here: never a person,
an id, a description or a location.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from domain.community import Community
from domain.models import Candidate
from domain.periods import (
    MAX_PERIOD_DAYS,
    Period,
    PeriodError,
    PeriodProblem,
    month,
)
from domain.reports import (
    COUNTS,
    NOT_APPLICABLE,
    SMALLEST_SHOWN,
    WITHHELD,
    Figures,
    LiaisonReport,
    Line,
    Shown,
    Supply,
    SupplyLine,
    Tally,
    Week,
    area_order,
    category_order,
    count_shown,
    hours_text,
    liaison_report,
    median_and_hours,
    pounds,
    protect,
)

NO_WARD = "No ward given"

# A volunteer who could be asked, as the store reads them: (skills, areas, vetted, lat, lon,
# radius_km).
SupplyRow = tuple[tuple[str, ...], tuple[str, ...], bool, float | None, float | None, float | None]

# --- periods -----------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def quarter(day: date) -> Period:
    """The calendar quarter `day` is in (January to March is Q1)."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(first, month(date(first.year, first.month + 2, 1)).end)


def year(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


def period_key(period: Period) -> str:
    """How a period is written in a link: `2026-03`, `2026-Q1`, `2026`, or two dates."""
    start, end = period.start, period.end
    if period.whole_month:
        return f"{start:%Y-%m}"
    if start == quarter(start).start and end == quarter(start).end:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if start == year(start).start and end == year(start).end:
        return f"{start.year}"
    return f"{start.isoformat()}..{end.isoformat()}"


def period_label(period: Period) -> str:
    """`March 2026`, `January to March 2026`, `2026`, or `1 Mar 2026 to 9 Mar 2026`."""
    start, end = period.start, period.end
    key = period_key(period)
    if period.whole_month:
        return start.strftime("%B %Y")
    if "Q" in key:
        return f"{start:%B} to {end:%B %Y}"
    if key.isdigit():
        return key
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(PeriodProblem.FORMAT) from None


def read_period(text: str | None, today: date) -> Period:
    """A period as a link or the period form gives it: empty (this month), `2026-03`,
    `2026-Q1`, `2026`, or `2026-03-01..2026-03-09`. Raises PeriodError."""
    text = (text or "").strip()
    if not text:
        return month(today)
    if found := _MONTH.match(text):
        if not 1 <= int(found[2]) <= 12:
            raise PeriodError(PeriodProblem.FORMAT)
        period = month(date(int(found[1]), int(found[2]), 1))
    elif found := _QUARTER.match(text):
        period = quarter(date(int(found[1]), 3 * int(found[2]) - 2, 1))
    elif found := _YEAR.match(text):
        if not 2000 <= int(found[1]) <= 9999:
            raise PeriodError(PeriodProblem.FORMAT)
        period = year(date(int(found[1]), 1, 1))
    elif ".." in text:
        first, _, last = text.partition("..")
        return between(first, last, today)
    else:
        raise PeriodError(PeriodProblem.FORMAT)
    if period.start > today:
        raise PeriodError(PeriodProblem.FUTURE)
    return period


def between(first: str, last: str, today: date) -> Period:
    """Two dates, as the form's `from` and `to` fields give them."""
    start, end = _date(first), _date(last)
    if end < start:
        raise PeriodError(PeriodProblem.ORDER)
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodError(PeriodProblem.TOO_LONG)
    if start > today:
        raise PeriodError(PeriodProblem.FUTURE)
    return Period(start, end)


_MONTH_NAMES = {
    name: i
    for i, full in enumerate(
        (
            "january february march april may june july august september october november december"
        ).split(),
        start=1,
    )
    for name in (full, full[:3], "sept" if full == "september" else full)
}
_BARE_QUARTER = re.compile(r"^[Qq]([1-4])$")


def command_period(args: Sequence[str], today: date) -> Period:
    """A period as /report and /export take it: nothing (this month), `2026-03`, `2026-Q1`,
    `2026`, a month by name (`March`, `mar`) or a bare quarter (`Q1`) meaning the latest one
    that has started, or two dates. Raises PeriodError."""
    args = [a.strip() for a in args if a.strip()]
    if len(args) == 2:
        return between(args[0], args[1], today)
    if len(args) > 1:
        raise PeriodError(PeriodProblem.FORMAT)
    text = args[0] if args else ""
    if (number := _MONTH_NAMES.get(text.lower())) is not None:
        first = date(today.year, number, 1)
        return month(first if first <= today else date(today.year - 1, number, 1))
    if found := _BARE_QUARTER.match(text):
        first = date(today.year, 3 * int(found[1]) - 2, 1)
        return quarter(first if first <= today else date(today.year - 1, first.month, 1))
    if ".." in text:
        raise PeriodError(PeriodProblem.FORMAT)
    return read_period(text, today)


@dataclass(frozen=True)
class Choice:
    """A period on offer: its key in links, the period, and which of the named ones it is
    (`this_month` ... `last_year`; empty for an earlier month). The pages put it in words."""

    key: str
    period: Period
    kind: str = ""


@functools.lru_cache(maxsize=4)
def period_choices(today: date) -> tuple[Choice, ...]:
    """The periods offered on every page: this and last month, quarter and year, and each
    of the twelve months before."""
    this_month = month(today)
    last_month = month(this_month.start - timedelta(days=1))
    this_quarter = quarter(today)
    last_quarter = quarter(this_quarter.start - timedelta(days=1))
    this_year = year(today)
    last_year = year(this_year.start - timedelta(days=1))
    choices = [
        Choice(period_key(period), period, kind)
        for kind, period in (
            ("this_month", this_month),
            ("last_month", last_month),
            ("this_quarter", this_quarter),
            ("last_quarter", last_quarter),
            ("this_year", this_year),
            ("last_year", last_year),
        )
    ]
    earlier = last_month
    for _ in range(10):
        earlier = month(earlier.start - timedelta(days=1))
        choices.append(Choice(period_key(earlier), earlier))
    return tuple(choices)


# --- suppression over several tables -------------------------------------------------------


def protect_all(
    values: Mapping[Any, int],
    lines: Sequence[Line],
    *,
    withheld_cells: Iterable[Hashable] = (),
    withheld_totals: Iterable[Hashable] = (),
) -> tuple[set[Hashable], set[Hashable]]:
    """domain/reports.py's `protect` (rule 3) for tables that share figures: a total can
    also be a cell of another line (a ward is the total of its areas and one of the wards),
    and a total withheld for its own line is then withheld as a cell too, until nothing
    changes. `withheld_cells` start withheld (figures withheld elsewhere); `withheld_totals`
    are totals withheld elsewhere, which no line may add back up to.

    Returns (figures to show as `*`, totals to withhold), like `protect`; with neither
    argument and no total that is also a cell, the same answer as `protect`.
    """
    cells, totals = set(withheld_cells), set(withheld_totals)
    named = {line.total for line in lines if line.total is not None}
    while True:
        extra, hidden = protect(values, lines, forced=cells, hidden=totals)
        # Withheld as a total: withheld wherever it is a cell; withheld as a cell: its own
        # line must not add back up to it.
        new_cells = {t for t in hidden if t in values} - cells
        new_totals = {c for c in extra if c in named} - totals
        if not new_cells and not new_totals:
            return extra, hidden
        cells |= new_cells
        totals |= new_totals


def _shown(value: int, withheld: bool) -> Shown:
    if withheld and value >= SMALLEST_SHOWN:
        return Shown(WITHHELD)
    return count_shown(value)


# --- figures of a group of tallies -------------------------------------------------------------


@dataclass
class _Sum:
    counts: Counter[str]
    hours: float
    match_hours: list[float]
    volunteers: set[int]

    @classmethod
    def of(cls, tallies: Iterable[Tally]) -> _Sum:
        total = cls(Counter(), 0.0, [], set())
        for t in tallies:
            for name in COUNTS:
                total.counts[name] += getattr(t, name)
            total.hours += t.hours
            total.match_hours.extend(t.match_hours)
            total.volunteers |= t.volunteers
        return total


def _figures(total: _Sum, counts: Mapping[str, Shown]) -> Figures:
    """As domain/reports.py shows a row: the median only beside an exact matched count,
    hours only beside an exact done count."""
    median, hours = median_and_hours(
        total.match_hours, total.hours, counts["matched"], counts["done"]
    )
    return Figures(
        **{name: counts[name] for name in COUNTS},
        median_hours=median,
        hours=hours,
        active=count_shown(len(total.volunteers)),
        empty=not any(total.counts[name] for name in COUNTS),
    )


# --- the report with wards ---------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardReport:
    report: LiaisonReport  # the figures of /report (areas, categories, supply), suppressed
    by_ward: tuple[tuple[str, Figures], ...]  # empty when no area names a ward
    withheld_whole: frozenset[str]  # counts whose whole-group figure is withheld


def ward_of(community: Community, area: str) -> str | None:
    """The council ward an area lies in, if the community file says."""
    found = community.area(area)
    return found.ward if found is not None else None


def has_wards(community: Community) -> bool:
    return any(a.ward for a in community.areas)


def supply_of(rows: Iterable[SupplyRow], community: Community) -> tuple[list[Candidate], Supply]:
    """Who could be asked now, from plain rows (skills, areas, vetted, lat, lon, radius_km):
    the volunteers as matching sees them, and domain/reports.py's Supply of them. Volunteers
    with the same profile share one object (a city has many alike), so this stays quick."""
    alike: dict[tuple[object, ...], Candidate] = {}
    volunteers: list[Candidate] = []
    for skills, areas, vetted, lat, lon, radius in rows:
        key = (skills, areas, vetted, lat, lon, radius)
        found = alike.get(key)
        if found is None:
            found = alike[key] = Candidate.model_construct(
                user_id=0,
                skills=frozenset(skills),
                areas=frozenset(areas),
                vetted=vetted,
                lat=lat,
                lon=lon,
                radius_km=radius,
                approved=True,
                on_duty=True,
                blocked=False,
                reachable=True,
            )
        volunteers.append(found)
    return volunteers, Supply(volunteers, community)


def dashboard_report(
    tallies: Iterable[Tally],
    supply: Supply,
    community: Community,
    pounds_per_hour: float | None = None,
) -> DashboardReport:
    """/report's figures (domain/reports.py's liaison_report, the same suppression) with
    who could be asked given once for all periods; with wards in the community file, also
    by ward, areas and wards protected together (so a ward can't be worked out from its
    areas, or the other way)."""
    tallies = list(tallies)
    report = liaison_report(tallies, [], community, pounds_per_hour)
    areas = area_order(community, (t.area for t in tallies))
    categories = category_order(community, (t.category for t in tallies))
    ward_figures: tuple[tuple[str, Figures], ...] = ()
    withheld_whole = frozenset(
        name for name in COUNTS if getattr(report.whole, name).text == WITHHELD
    )
    if has_wards(community):
        report, ward_figures, withheld_whole = _with_wards(
            report, tallies, areas, categories, community, pounds_per_hour
        )
    cross: Counter[tuple[str, str]] = Counter()
    for t in tallies:
        cross[(t.category, t.area)] += t.posted
    report = replace(
        report,
        volunteers=count_shown(supply.total),
        supply_by_area=tuple(
            supply_line(a, supply.by_area[a], f.posted) for a, f in report.by_area
        ),
        supply_by_category=tuple(
            supply_line(c, supply.by_category[c], f.posted) for c, f in report.by_category
        ),
        unserved=tuple(
            (c, a)
            for a in areas
            for c in categories
            if cross[(c, a)] > 0 and not supply.cell[(c, a)]
        ),
    )
    return DashboardReport(report, ward_figures, withheld_whole)


def _with_wards(
    report: LiaisonReport,
    tallies: list[Tally],
    areas: list[str],
    categories: list[str],
    community: Community,
    pounds_per_hour: float | None,
) -> tuple[LiaisonReport, tuple[tuple[str, Figures], ...], frozenset[str]]:
    ward_areas: dict[str, list[str]] = defaultdict(list)
    for a in areas:
        ward_areas[ward_of(community, a) or NO_WARD].append(a)
    wards = list(dict.fromkeys(a.ward for a in community.areas if a.ward))
    if NO_WARD in ward_areas:
        wards.append(NO_WARD)
    wards = [w for w in wards if w in ward_areas]

    by_area = {a: _Sum.of(t for t in tallies if t.area == a) for a in areas}
    by_cat = {c: _Sum.of(t for t in tallies if t.category == c) for c in categories}
    by_ward = {w: _Sum.of(t for a in ward_areas[w] for t in tallies if t.area == a) for w in wards}
    whole = _Sum.of(tallies)

    shown: dict[Hashable, dict[str, Shown]] = defaultdict(dict)
    whole_shown: dict[str, Shown] = {}
    withheld_whole = set()
    for name in COUNTS:
        values: dict[Hashable, int] = {("a", a): by_area[a].counts[name] for a in areas}
        values |= {("c", c): by_cat[c].counts[name] for c in categories}
        values |= {("w", w): by_ward[w].counts[name] for w in wards}
        lines = [
            Line(tuple(("a", a) for a in areas), "whole"),
            Line(tuple(("c", c) for c in categories), "whole"),
            Line(tuple(("w", w) for w in wards), "whole"),
            *(Line(tuple(("a", a) for a in ward_areas[w]), ("w", w)) for w in wards),
        ]
        extra, hidden = protect_all(values, lines)
        for key, value in values.items():
            shown[key][name] = _shown(value, key in extra or key in hidden)
        whole_shown[name] = _shown(whole.counts[name], "whole" in hidden)
        if "whole" in hidden:
            withheld_whole.add(name)

    whole_figures = _figures(whole, whole_shown)
    report = replace(
        report,
        whole=whole_figures,
        pounds=pounds(whole_figures.hours, pounds_per_hour),
        by_area=tuple((a, _figures(by_area[a], shown[("a", a)])) for a in areas),
        by_category=tuple((c, _figures(by_cat[c], shown[("c", c)])) for c in categories),
    )
    ward_figures = tuple((w, _figures(by_ward[w], shown[("w", w)])) for w in wards)
    return report, ward_figures, frozenset(withheld_whole)


def supply_line(name: str, volunteers: int, needs: Shown) -> SupplyLine:
    """Volunteers who could be asked against needs posted, as /report shows them."""
    if needs.value == 0:
        per_need = Shown(NOT_APPLICABLE)
    elif volunteers == 0:
        per_need = Shown("0", 0.0)
    elif not count_shown(volunteers).exact or not needs.exact or not needs.value:
        per_need = Shown(WITHHELD)
    else:
        ratio = volunteers / needs.value
        per_need = Shown(f"{ratio:.1f}", ratio)
    return SupplyLine(name, count_shown(volunteers), needs, per_need)


# --- the weekly trend --------------------------------------------------------------------------

TREND_COUNTS = ("posted", "matched", "done")


@dataclass(frozen=True)
class TrendWeek:
    week: Week
    posted: Shown
    matched: Shown
    done: Shown
    hours: Shown  # volunteer hours of the needs done that week (beside an exact done count)


def weekly_trend(
    tallies: Iterable[Tally], weeks: Sequence[Week], withheld_whole: Iterable[str] = ()
) -> tuple[TrendWeek, ...]:
    """The whole group week by week (tallies bucketed by week). The weeks add up to the
    period's figure, so they are one line against it; where that figure is withheld, the
    weeks must not add back up to it."""
    tallies = list(tallies)
    sums = [_Sum.of(t for t in tallies if t.bucket == i) for i in range(len(weeks))]
    hidden_whole = set(withheld_whole)
    shown: dict[int, dict[str, Shown]] = defaultdict(dict)
    for name in TREND_COUNTS:
        values: dict[Hashable, int] = {i: s.counts[name] for i, s in enumerate(sums)}
        total = ("whole", name)
        extra, _ = protect_all(
            values,
            [Line(tuple(range(len(weeks))), total)],
            withheld_totals=[total] if name in hidden_whole else [],
        )
        for i, value in values.items():
            assert isinstance(i, int)
            shown[i][name] = _shown(value, i in extra)
    out = []
    for i, week in enumerate(weeks):
        done = shown[i]["done"]
        hours = sums[i].hours
        out.append(
            TrendWeek(
                week=week,
                posted=shown[i]["posted"],
                matched=shown[i]["matched"],
                done=done,
                hours=Shown(hours_text(hours), hours) if done.exact else Shown(WITHHELD),
            )
        )
    return tuple(out)


# --- time to a match ---------------------------------------------------------------------------

MATCH_BANDS: tuple[tuple[str, float], ...] = (
    ("Within an hour", 1.0),
    ("1 to 4 hours", 4.0),
    ("4 to 24 hours", 24.0),
    ("1 to 3 days", 72.0),
    ("More than 3 days", float("inf")),
)


@dataclass(frozen=True)
class MatchTimes:
    bands: tuple[tuple[str, Shown], ...]  # empty when the matched count is not exact
    matched: Shown
    median_hours: Shown


def match_times(tallies: Iterable[Tally], matched: Shown, median_hours: Shown) -> MatchTimes:
    """How long needs matched in the period waited for a volunteer, in bands. The bands add
    up to the needs matched; where that count is not shown exactly, neither are they."""
    if not matched.exact:
        return MatchTimes((), matched, median_hours)
    hours = sorted([h for t in tallies for h in t.match_hours])
    counts: Counter[str] = Counter()
    below = 0  # needs that waited less than the band's lower bound
    for label, upper in MATCH_BANDS:
        up_to = bisect.bisect_left(hours, upper)  # less than the upper bound
        counts[label] = up_to - below
        below = up_to
    values: dict[Hashable, int] = {label: counts[label] for label, _ in MATCH_BANDS}
    extra, _ = protect_all(values, [Line(tuple(label for label, _ in MATCH_BANDS))])
    return MatchTimes(
        tuple((label, _shown(counts[label], label in extra)) for label, _ in MATCH_BANDS),
        matched,
        median_hours,
    )


# --- people helped -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Helped:
    """Distinct residents whose request was done in the period, and of them how many came
    back (had been helped before, in the period or earlier)."""

    people: Shown
    came_back: Shown
    first_time: Shown
    unknown: Shown  # requests done whose resident is no longer kept (past retention)


def people_helped(people: int, came_back: int, unknown: int = 0) -> Helped:
    """`people`: distinct residents whose request was done in the period; `came_back`: of
    them, those with more than one request done by its end; `unknown`: requests done in
    the period whose resident was scrubbed at retention (they can't be told apart, so are
    not counted among the people)."""
    first = people - came_back
    values: dict[Hashable, int] = {"back": came_back, "first": first}
    extra, hidden = protect_all(values, [Line(("back", "first"), "people")])
    return Helped(
        people=_shown(people, "people" in hidden),
        came_back=_shown(came_back, "back" in extra),
        first_time=_shown(first, "first" in extra),
        unknown=count_shown(unknown),
    )


# --- the need's history, for coordinators -------------------------------------------------------


@dataclass(frozen=True)
class Event:
    at: datetime
    what: str
    who: str | None = None
    detail: str | None = None


def history(events: Iterable[Event]) -> list[Event]:
    """Everything that happened to a need, oldest first (ties in the order given)."""
    indexed = list(enumerate(events))
    indexed.sort(key=lambda pair: (pair[1].at, pair[0]))
    return [e for _, e in indexed]
