"""The council liaison's figures, from plain rows, and what they share with the digest.

Pure functions: the store hands over rows (storage/reports.py), handlers/liaison.py renders
what comes back, and every time is an argument. Figures as shown, who could be asked
(Supply) and the order of areas and categories are used by the coordinators' digest too
(domain/digest.py); the periods reported on are domain/periods.py's.

What the liaison's figures count
--------------------------------
Figures are events in the period, so that no figure of a row is the sum or difference of
others in it: *posted* (needs created in it), *matched* (accepted in it), *done* (marked
done in it), *unmet* (closed without help in it) and *still open* (open at its end, or now
if it has not ended). *Median hours to a match* is over the needs matched in the period,
*volunteer hours* over those done in it, *active volunteers* are the different volunteers
who accepted or finished a need in it. Supply (*volunteers*, *per need*, *no volunteer to
ask*) is the volunteers who could be asked now: approved, on duty, not blocked, reachable,
with the skill (vetted for a vetted-only category) and the area, a neighbour of it or a
radius reaching it; their open-task limit and hours of availability are left out.

Small-number suppression
------------------------
1. Any count from 1 to 4 (of needs or of volunteers) is shown as ``<5``; 0 and counts of 5
   or more are shown as they are.
2. What would describe a small count goes with it: the median hours to a match is shown
   only where the matched count is shown as a number, volunteer hours (and pounds) only
   where the done count is, volunteers per request only where both counts are (or as 0
   where nobody could be asked, which says nothing of the requests).
3. Nothing small can be worked out by subtraction. A *line* is a set of figures that adds
   up to a total that is published as a number: one column of the by-area figures and the
   whole group's figure; one column of the by-category figures and the whole group's
   figure; in the CSV, one week and area across the categories, and one week and category
   across the areas (against the figure a /report for that week would show). A reader who
   knows the total knows the sum S of the line's withheld figures, and knows each ``<5`` is
   1 to 4 and each ``*`` is 5 or more. With k figures shown ``<5`` and m shown ``*``, a
   line is safe when it withholds nothing, or withholds at least two figures and
   (m = 0 and 5 <= S < 4k) or (m >= 1 and S > k + 5m): then no withheld figure can be
   pinned to one value, and no small total of them can be read off. While a line is not
   safe, its smallest other non-zero figure (the first in the line's order on a tie) is
   withheld as well and shown ``*``; when none is left, the line's total is withheld
   (``*``) instead, and where the total is published elsewhere (the CSV) nothing more is
   done. Another line with a withheld total must not add back up to it: it withholds its
   smallest non-zero figure unless it withholds one already. Lines are checked again until
   none changes, so a figure withheld for one line counts in every other line it is in.

Not covered: in the CSV, a line whose every non-zero figure is already withheld can't be
helped, since its total is the figure a /report for that week shows (say a week when one
category had 4 requests in each of two areas and none elsewhere: the report says 8). And
comparing two reports for overlapping periods (October with 2–31 October)
can still narrow a small number down; the liaison is trusted not to, and the figures carry
no name, id, description or location to join them with. Volunteer hours of withheld
figures can be read off as a sum (the whole group's hours minus those shown); hours are
not counts, and a sum of hours does not say how many needs it was.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.community import Community, distance_km
from domain.models import Candidate

SMALL = "<5"
WITHHELD = "*"
NOT_APPLICABLE = "–"
SMALLEST_SHOWN = 5  # counts below this (and above 0) are shown as SMALL

COUNTS = ("posted", "matched", "done", "still_open", "unmet")


# --- shown figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A figure as the liaison sees it: the text, and the number when it is shown as one."""

    text: str
    value: float | None = None

    @property
    def exact(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        return self.text


def count_shown(n: int) -> Shown:
    """Rule 1: 1 to 4 is `<5`."""
    if 0 < n < SMALLEST_SHOWN:
        return Shown(SMALL)
    return Shown(str(n), n)


def hours_text(hours: float) -> str:
    """`12`, `12.5`, `1,234.25`."""
    return f"{hours:,.2f}".rstrip("0").rstrip(".")


def _number(value: float, text: str) -> Shown:
    return Shown(text, value)


# --- suppression -----------------------------------------------------------------------------


def pinned(small: Sequence[int], extra: Sequence[int]) -> bool:
    """Whether a reader who knows these withheld figures' sum could pin one down (rule 3).

    `small` are the figures shown `<5` (each 1 to 4), `extra` those shown `*` (each 5 or
    more).
    """
    k, m = len(small), len(extra)
    if k + m == 0:
        return False
    if k + m == 1:
        return True
    s = sum(small) + sum(extra)
    if m == 0:
        return s < SMALLEST_SHOWN or s >= 4 * k
    return s <= k + SMALLEST_SHOWN * m


@dataclass(frozen=True)
class Line:
    """Figures that add up to a published total; `total` names it when it may be withheld
    here (None: it is published elsewhere, so only figures can be withheld)."""

    cells: tuple[Hashable, ...]
    total: Hashable | None = None


def protect(
    values: Mapping[Any, int],  # keys: any hashable cell name (Mapping is invariant in them)
    lines: Sequence[Line],
    *,
    forced: Iterable[Hashable] = (),
    hidden: Iterable[Hashable] = (),
) -> tuple[set[Hashable], set[Hashable]]:
    """Rule 3: (figures to withhold as `*`, totals to withhold), for one column of counts.

    `forced` are figures withheld from the start (withheld elsewhere) and `hidden` totals
    withheld elsewhere, which no line may add back up to (domain/dashboard.py's
    `protect_all`, for tables that share figures); both are among what is returned."""
    withheld = {k for k, v in values.items() if 0 < v < SMALLEST_SHOWN} | set(forced)
    extra = {k for k in forced if values.get(k, 0) >= SMALLEST_SHOWN}
    totals = set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            while True:
                total = sum(values.get(k, 0) for k in line.cells)
                if total < SMALLEST_SHOWN:
                    break  # shown as `<5` or 0: nothing exact to subtract from
                if line.total is not None and line.total in totals:
                    # Withheld for another line: this one must not add back up to it.
                    unsafe = not any(k in withheld and values.get(k, 0) for k in line.cells)
                else:
                    small = [values[k] for k in line.cells if k in withheld and k not in extra]
                    big = [values[k] for k in line.cells if k in extra]
                    unsafe = pinned([v for v in small if v], big)
                if not unsafe:
                    break
                spare = [
                    (values[k], i, k)
                    for i, k in enumerate(line.cells)
                    if k not in withheld and values.get(k, 0) > 0
                ]
                if spare:
                    pick = min(spare, key=lambda t: (t[0], t[1]))[2]
                    withheld.add(pick)
                    extra.add(pick)
                    changed = True
                elif line.total is not None and line.total not in totals:
                    totals.add(line.total)
                    changed = True
                    break
                else:
                    break
    return extra, totals


# --- supply: who could be asked ----------------------------------------------------------------


def _available(v: Candidate) -> bool:
    return v.approved and v.on_duty and not v.blocked and v.reachable


class Supply:
    """The volunteers who could be asked now, counted by category and area.

    A volunteer covers their own areas, those areas' neighbours, and the areas whose centre
    is within their radius (the rules of domain/matching.py, without the per-need ones).
    """

    def __init__(self, volunteers: Iterable[Candidate], community: Community) -> None:
        self.cell: Counter[tuple[str, str]] = Counter()
        self.by_area: Counter[str] = Counter()
        self.by_category: Counter[str] = Counter()
        self.total = 0
        self._community = community
        self._near = {
            a.name: frozenset({a.name}) | community.neighbours_of(a.name) for a in community.areas
        }
        self._vetted_only = {c.name for c in community.categories if c.vetted_only}
        same: Counter[tuple[frozenset[str], frozenset[str], bool]] = Counter()
        for v in volunteers:
            if not _available(v):
                continue
            if v.radius_km and v.lat is not None and v.lon is not None:
                self._add(v.skills, self._covered(v.areas) | self._within(v), v.vetted, 1)
            else:
                # Many volunteers share a profile; count each profile once.
                same[(v.skills, v.areas, v.vetted)] += 1
        for (skills, areas, vetted), n in same.items():
            self._add(skills, self._covered(areas), vetted, n)

    def _covered(self, areas: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for a in areas:
            out |= self._near.get(a, frozenset({a}))
        return out

    def _within(self, v: Candidate) -> set[str]:
        assert v.lat is not None and v.lon is not None and v.radius_km
        return {
            a.name
            for a in self._community.areas
            if a.lat is not None
            and a.lon is not None
            and distance_km(v.lat, v.lon, a.lat, a.lon) <= v.radius_km
        }

    def _add(self, skills: Iterable[str], covered: set[str], vetted: bool, n: int) -> None:
        cats = {s for s in skills if vetted or s not in self._vetted_only}
        if not cats or not covered:
            return
        for c in cats:
            self.by_category[c] += n
            for a in covered:
                self.cell[(c, a)] += n
        for a in covered:
            self.by_area[a] += n
        self.total += n


# --- the order of areas and categories ------------------------------------------------------


def area_order(community: Community, names: Iterable[str]) -> list[str]:
    """The community file's order, then any other names (renamed areas) alphabetically."""
    known = community.area_names()
    extra = sorted(set(names) - set(known))
    return [*known, *extra]


def category_order(community: Community, names: Iterable[str]) -> list[str]:
    known = community.category_names()
    extra = sorted(set(names) - set(known))
    return [*known, *extra]


# --- the liaison's report --------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """What the store counted for one area and category over one stretch of time (`bucket`:
    the period, or one week of it). `volunteers` are ids, used only to count them."""

    area: str
    category: str
    bucket: int = 0
    posted: int = 0
    matched: int = 0
    done: int = 0
    still_open: int = 0
    unmet: int = 0
    hours: float = 0.0
    match_hours: tuple[float, ...] = ()
    volunteers: frozenset[int] = frozenset()


@dataclass
class _Sum:
    counts: Counter[str] = field(default_factory=Counter)
    hours: float = 0.0
    match_hours: list[float] = field(default_factory=list)
    volunteers: set[int] = field(default_factory=set)

    def add(self, t: Tally) -> None:
        for name in COUNTS:
            self.counts[name] += getattr(t, name)
        self.hours += t.hours
        self.match_hours.extend(t.match_hours)
        self.volunteers |= t.volunteers


@dataclass(frozen=True)
class Figures:
    posted: Shown
    matched: Shown
    done: Shown
    still_open: Shown
    unmet: Shown
    median_hours: Shown
    hours: Shown
    active: Shown
    empty: bool = False  # nothing happened: every count 0


def median_and_hours(
    match_hours: Sequence[float], hours: float, matched: Shown, done: Shown
) -> tuple[Shown, Shown]:
    """Rule 2: the median hours to a match only beside an exact matched count (none to
    take it of: `–`), the hours only beside an exact done count."""
    if not match_hours:
        median = Shown(NOT_APPLICABLE)
    elif matched.exact:
        m = statistics.median(match_hours)
        median = _number(m, f"{m:.1f}")
    else:
        median = Shown(WITHHELD)
    return median, _number(hours, hours_text(hours)) if done.exact else Shown(WITHHELD)


def _figures(total: _Sum, counts: Mapping[str, Shown]) -> Figures:
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


def _shown(value: int, withheld: bool) -> Shown:
    if withheld and value >= SMALLEST_SHOWN:
        return Shown(WITHHELD)
    return count_shown(value)


def pounds(hours: Shown, per_hour: float | None) -> Shown | None:
    """Volunteer hours at the council's own value per hour, when it sets one."""
    if per_hour is None:
        return None
    if hours.value is None:
        return Shown(WITHHELD)
    value = round(hours.value * per_hour, 2)
    return _number(value, f"£{value:,.2f}")


@dataclass(frozen=True)
class SupplyLine:
    name: str
    volunteers: Shown
    needs: Shown
    per_need: Shown


def _per_need(volunteers: int, needs: Shown) -> Shown:
    if needs.value == 0:
        return Shown(NOT_APPLICABLE)
    if volunteers == 0:
        return _number(0.0, "0")  # nobody to ask: says nothing about how many asked
    vol = count_shown(volunteers)
    if not vol.exact or not needs.exact or not needs.value:
        return Shown(WITHHELD)
    ratio = volunteers / needs.value
    return _number(ratio, f"{ratio:.1f}")


@dataclass(frozen=True)
class LiaisonReport:
    whole: Figures
    pounds: Shown | None  # None: the council sets no value per hour
    pounds_per_hour: float | None
    volunteers: Shown  # who could be asked now, anywhere
    by_area: tuple[tuple[str, Figures], ...]
    by_category: tuple[tuple[str, Figures], ...]
    supply_by_area: tuple[SupplyLine, ...]
    supply_by_category: tuple[SupplyLine, ...]
    unserved: tuple[tuple[str, str], ...]  # (category, area): needs posted, nobody to ask

    @property
    def withheld_any(self) -> bool:
        figures = [self.whole, *(f for _, f in self.by_area), *(f for _, f in self.by_category)]
        return any(
            getattr(f, name).text == WITHHELD
            for f in figures
            for name in (*COUNTS, "median_hours", "hours")
        )


def liaison_report(
    tallies: Iterable[Tally],
    volunteers: Iterable[Candidate],
    community: Community,
    pounds_per_hour: float | None = None,
) -> LiaisonReport:
    """The figures of product.md, The liaison, by area and by category, suppressed."""
    tallies = list(tallies)
    areas = area_order(community, (t.area for t in tallies))
    categories = category_order(community, (t.category for t in tallies))
    whole = _Sum()
    by_area: defaultdict[str, _Sum] = defaultdict(_Sum)
    by_cat: defaultdict[str, _Sum] = defaultdict(_Sum)
    cross: Counter[tuple[str, str]] = Counter()
    for t in tallies:
        whole.add(t)
        by_area[t.area].add(t)
        by_cat[t.category].add(t)
        cross[(t.category, t.area)] += t.posted

    shown: dict[Hashable, dict[str, Shown]] = defaultdict(dict)
    whole_shown: dict[str, Shown] = {}
    for name in COUNTS:
        values: dict[Hashable, int] = {("a", a): by_area[a].counts[name] for a in areas}
        values |= {("c", c): by_cat[c].counts[name] for c in categories}
        lines = [
            Line(tuple(("a", a) for a in areas), "whole"),
            Line(tuple(("c", c) for c in categories), "whole"),
        ]
        extra, hidden = protect(values, lines)
        for key, value in values.items():
            shown[key][name] = _shown(value, key in extra)
        total = whole.counts[name]
        whole_shown[name] = _shown(total, "whole" in hidden)

    whole_figures = _figures(whole, whole_shown)
    area_figures = tuple((a, _figures(by_area[a], shown[("a", a)])) for a in areas)
    cat_figures = tuple((c, _figures(by_cat[c], shown[("c", c)])) for c in categories)
    supply = Supply(volunteers, community)
    return LiaisonReport(
        whole=whole_figures,
        pounds=pounds(whole_figures.hours, pounds_per_hour),
        pounds_per_hour=pounds_per_hour,
        volunteers=count_shown(supply.total),
        by_area=area_figures,
        by_category=cat_figures,
        supply_by_area=tuple(
            SupplyLine(
                a, count_shown(supply.by_area[a]), f.posted, _per_need(supply.by_area[a], f.posted)
            )
            for a, f in area_figures
        ),
        supply_by_category=tuple(
            SupplyLine(
                c,
                count_shown(supply.by_category[c]),
                f.posted,
                _per_need(supply.by_category[c], f.posted),
            )
            for c, f in cat_figures
        ),
        unserved=tuple(
            (c, a)
            for a in areas
            for c in categories
            if cross[(c, a)] > 0 and not supply.cell[(c, a)]
        ),
    )


# --- the export: one row per week, area and category -------------------------------------------


@dataclass(frozen=True)
class Week:
    """An ISO week, cut to the period it is part of."""

    label: str  # 2026-W40
    start: date
    end: date  # the last day, inclusive


@dataclass(frozen=True)
class WeekRow:
    week: Week
    area: str
    category: str
    figures: Figures
    eligible: Shown  # volunteers who could be asked now
    pounds: Shown | None


def weekly_rows(
    tallies: Iterable[Tally],
    weeks: Sequence[Week],
    volunteers: Iterable[Candidate] | Supply,
    community: Community,
    pounds_per_hour: float | None = None,
) -> list[WeekRow]:
    """Every week × area × category of the period (zeros too), suppressed (rule 3 with the
    week's area and category figures as the published totals). `volunteers`: those who
    could be asked now, or their Supply if it is worked out already."""
    tallies = list(tallies)
    areas = area_order(community, (t.area for t in tallies))
    categories = category_order(community, (t.category for t in tallies))
    cells: dict[tuple[int, str, str], _Sum] = defaultdict(_Sum)
    for t in tallies:
        cells[(t.bucket, t.area, t.category)].add(t)
    keys = [(w, a, c) for w in range(len(weeks)) for a in areas for c in categories]
    lines = [Line(tuple((w, a, c) for c in categories)) for w in range(len(weeks)) for a in areas]
    lines += [Line(tuple((w, a, c) for a in areas)) for w in range(len(weeks)) for c in categories]
    shown: dict[tuple[int, str, str], dict[str, Shown]] = defaultdict(dict)
    for name in COUNTS:
        values: dict[Hashable, int] = {k: cells[k].counts[name] for k in keys if k in cells}
        values |= {k: 0 for k in keys if k not in values}
        extra, _ = protect(values, lines)
        for k in keys:
            shown[k][name] = _shown(values[k], k in extra)
    supply = volunteers if isinstance(volunteers, Supply) else Supply(volunteers, community)
    rows = []
    for w, a, c in keys:
        figures = _figures(cells.get((w, a, c), _Sum()), shown[(w, a, c)])
        rows.append(
            WeekRow(
                week=weeks[w],
                area=a,
                category=c,
                figures=figures,
                eligible=count_shown(supply.cell[(c, a)]),
                pounds=pounds(figures.hours, pounds_per_hour),
            )
        )
    return rows
