"""domain/digest.py, reports.py, periods.py: digest and liaison figures from hand-made rows.

Each answer is worked out here by hand. The suppression is also checked by a "reader"
written independently of the rule: for every line whose total is shown as a number, it
works out what subtraction tells about each figure shown `<5`, and fails if that pins one.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.community import Area, Category, Community
from domain.digest import (
    ConcernRow,
    DigestRows,
    NeedRow,
    PendingVolunteer,
    build_digest,
    overdue_from,
)
from domain.models import Candidate
from domain.periods import Period, PeriodError, PeriodProblem, last_week, next_local, parse_period
from domain.reports import (
    SMALL,
    WITHHELD,
    Figures,
    Line,
    Supply,
    Tally,
    Week,
    count_shown,
    liaison_report,
    pinned,
    protect,
    weekly_rows,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 14, 8, 0, tzinfo=UTC)
SHOP, PILLS, DOGS, PHONE = "Shopping", "Prescriptions", "Dogs", "Phone befriending"

# North - Middle - South in a row; East on its own, far away.
COMMUNITY = Community(
    name="Testville Mutual Aid",
    areas=(
        Area(name="North", neighbours=("Middle",), lat=51.50, lon=-0.10),
        Area(name="Middle", neighbours=("South",), lat=51.49, lon=-0.10),
        Area(name="South", lat=51.48, lon=-0.10),
        Area(name="East", lat=51.49, lon=0.30),
    ),
    categories=(
        Category(name=SHOP),
        Category(name=PILLS),
        Category(name=DOGS),
        Category(name=PHONE, vetted_only=True),
    ),
)


def volunteer(user_id: int, skills: set[str], areas: set[str], **kw: object) -> Candidate:
    return Candidate(user_id=user_id, skills=frozenset(skills), areas=frozenset(areas), **kw)  # type: ignore[arg-type]


def hours_ago(h: float) -> datetime:
    return NOW - timedelta(hours=h)


# --- the independent reader -------------------------------------------------------------------


INF = 10**9


def _range(text: str) -> tuple[int, int]:
    """What a reader knows of one figure."""
    if text.isdigit():
        return int(text), int(text)
    if text == SMALL:
        return 1, 4
    assert text == WITHHELD, f"unexpected figure {text!r}"
    return 5, INF


def line_total(texts: list[str]) -> tuple[int, int]:
    """What adding a line up tells about its total."""
    ranges = [_range(t) for t in texts]
    return sum(r[0] for r in ranges), min(INF, sum(r[1] for r in ranges))


def pinned_by_subtraction(texts: list[str], total: str | tuple[int, int]) -> list[int]:
    """Positions of `<5` figures a reader can pin down from a line and what it knows of the
    total (a shown figure, or a range worked out from other lines).

    The reader knows a number is that number, `<5` is 1 to 4, `*` is 5 or more; the
    withheld figures add up to the total less the numbers. A value is possible for one
    figure when the rest can make up the difference.
    """
    if isinstance(total, str):
        if total in (SMALL, WITHHELD):
            return []
        total = (int(total), int(total))
    ranges = [None if t.isdigit() else _range(t) for t in texts]
    shown = sum(int(t) for t in texts if t.isdigit())
    rest_lo, rest_hi = total[0] - shown, total[1] - shown
    out = []
    for i, r in enumerate(ranges):
        if r != (1, 4):
            continue
        others = [o for j, o in enumerate(ranges) if o is not None and j != i]
        low = max(1, rest_lo - sum(o[1] for o in others))
        high = min(4, rest_hi - sum(o[0] for o in others))
        if high <= low:
            out.append(i)
    # Withheld figures adding up to a known small number are a small count read off.
    if rest_lo == rest_hi and 0 < rest_lo < 5:
        out += [i for i, r in enumerate(ranges) if r == (1, 4) and i not in out]
    return out


def assert_no_subtraction(lines: list[list[tuple[str, Figures]]], whole: Figures) -> None:
    """No line pins a `<5`, against the whole group's figure as shown or as the other lines
    give it away."""
    for name in ("posted", "matched", "done", "still_open", "unmet"):
        all_texts = [[getattr(f, name).text for _, f in rows] for rows in lines]
        shown = getattr(whole, name).text
        total = _range(shown) if shown != SMALL else (1, 4)
        for texts in all_texts:
            lo, hi = line_total(texts)
            total = (max(total[0], lo), min(total[1], hi))
        for texts in all_texts:
            hit = pinned_by_subtraction(texts, total)
            assert not hit, f"{name}: {texts} against {shown} ({total}) pins {hit}"


def test_the_reader_catches_the_classic_leak() -> None:
    assert pinned_by_subtraction(["12", SMALL, "20"], "35") == [1]
    assert pinned_by_subtraction([SMALL, SMALL], "8") == [0, 1]  # both must be 4
    assert pinned_by_subtraction([SMALL, WITHHELD], "6") == [0]  # 1 + 5
    assert pinned_by_subtraction([SMALL, WITHHELD, "20"], "35") == []
    assert pinned_by_subtraction([SMALL, SMALL, "20"], "25") == []  # 1+4, 2+3, 3+2, 4+1
    # A withheld total worked out from another line that adds up to it.
    assert pinned_by_subtraction([SMALL, SMALL], line_total(["8"])) == [0, 1]
    assert pinned_by_subtraction([SMALL, SMALL], line_total([WITHHELD])) == []


# --- counts and the rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0"), (1, "<5"), (2, "<5"), (4, "<5"), (5, "5"), (37, "37")]
)
def test_counts_from_one_to_four_are_shown_as_less_than_five(n: int, text: str) -> None:
    assert count_shown(n).text == text
    assert count_shown(n).exact == (text != "<5")


@pytest.mark.parametrize(
    ("small", "extra", "expected"),
    [
        ([], [], False),
        ([3], [], True),  # one withheld: total minus the rest
        ([], [9], True),  # one withheld, even a big one, is read off exactly
        ([2, 1], [], True),  # together 3: a small count by subtraction
        ([1, 4], [], False),  # together 5: 1+4, 2+3, 3+2 or 4+1
        ([3, 4], [], False),
        ([4, 4], [], True),  # together 8: both must be 4
        ([4, 4, 3], [], False),
        ([1], [5], True),  # together 6: only 1 + 5
        ([1], [6], False),  # 1 + 6 or 2 + 5
        ([2, 2], [5], False),  # 9: the two smalls add to 2..4
        ([1, 1], [5], True),  # 7 = 1 + 1 + 5 only
    ],
)
def test_when_a_line_lets_a_small_figure_be_pinned(
    small: list[int], extra: list[int], expected: bool
) -> None:
    assert pinned(small, extra) is expected


def test_protect_withholds_the_next_smallest_figure_for_a_single_small_one() -> None:
    # Areas 12, 3, 20 (total 35): 3 is `<5`; 35 - 12 - 20 would give it away, so 12 goes too.
    values = {"a": 12, "b": 3, "c": 20}
    extra, hidden = protect(values, [Line(("a", "b", "c"), "total")])
    assert (extra, hidden) == ({"a"}, set())


def test_protect_keeps_going_until_the_line_is_safe() -> None:
    # 5, 1, 20: withholding the 5 is not enough (6 = 1 + 5 only), so the 20 goes as well.
    extra, hidden = protect({"a": 5, "b": 1, "c": 20}, [Line(("a", "b", "c"), "total")])
    assert (extra, hidden) == ({"a", "c"}, set())


def test_protect_withholds_the_total_when_nothing_else_is_left() -> None:
    # 4 and 4 (total 8): both are `<5` and only the total is left to hide.
    extra, hidden = protect({"a": 4, "b": 4, "c": 0}, [Line(("a", "b", "c"), "total")])
    assert (extra, hidden) == (set(), {"total"})
    # Where the total is published elsewhere nothing more can be done, and nothing breaks.
    assert protect({"a": 4, "b": 4}, [Line(("a", "b"))]) == (set(), set())


def test_protect_leaves_safe_lines_and_small_totals_alone() -> None:
    assert protect({"a": 2, "b": 3, "c": 9}, [Line(("a", "b", "c"), "t")]) == (set(), set())
    assert protect({"a": 2, "b": 1}, [Line(("a", "b"), "t")]) == (set(), set())  # total `<5`
    assert protect({"a": 0, "b": 7}, [Line(("a", "b"), "t")]) == (set(), set())


def test_a_figure_withheld_for_one_line_counts_in_the_others() -> None:
    # A 2x2 table, rows and columns both lines: (r1,c1)=2 is small. Row 1: 2 + 9 = 11 so 9
    # goes; then column 2 has 9 alone withheld (9 + 7 = 16) so 7 goes; then row 2 has 7 alone
    # (6 + 7 = 13) so 6 goes; column 1 then holds 2 and 6: 8 > 1 + 5, safe.
    values = {("r1", "c1"): 2, ("r1", "c2"): 9, ("r2", "c1"): 6, ("r2", "c2"): 7}
    lines = [
        Line((("r1", "c1"), ("r1", "c2"))),
        Line((("r2", "c1"), ("r2", "c2"))),
        Line((("r1", "c1"), ("r2", "c1"))),
        Line((("r1", "c2"), ("r2", "c2"))),
    ]
    extra, _ = protect(values, lines)
    assert extra == {("r1", "c2"), ("r2", "c2"), ("r2", "c1")}


# --- the liaison report ---------------------------------------------------------------------------


def tally(area: str, category: str, **counts: object) -> Tally:
    return Tally(area=area, category=category, **counts)  # type: ignore[arg-type]


def test_report_figures_by_area_category_and_whole_group() -> None:
    tallies = [
        # North: 7 shopping (6 matched, 5 done, 7.5 h), 1 pills unmet.
        tally(
            "North",
            SHOP,
            posted=7,
            matched=6,
            done=5,
            still_open=1,
            hours=7.5,
            match_hours=(1.0, 2.0, 3.0, 4.0, 10.0, 0.5),
            volunteers=frozenset({1, 2, 3}),
        ),
        tally("North", PILLS, posted=1, unmet=1),
        # Middle: 6 shopping, all matched and done in 6 h by volunteers 3..7.
        tally(
            "Middle",
            SHOP,
            posted=6,
            matched=6,
            done=6,
            hours=6.0,
            match_hours=(1.0,) * 6,
            volunteers=frozenset({3, 4, 5, 6, 7}),
        ),
        # South: 9 dog walks, 8 matched, 8 done.
        tally(
            "South",
            DOGS,
            posted=9,
            matched=8,
            done=8,
            still_open=1,
            hours=8.0,
            match_hours=(2.0,) * 8,
            volunteers=frozenset({8, 9, 10, 11, 12}),
        ),
    ]
    report = liaison_report(tallies, [], COMMUNITY, pounds_per_hour=12.5)
    whole = report.whole
    # Posted 7+1+6+9 = 23; matched 6+6+8 = 20; done 19; still open 2 (<5); unmet 1 (<5).
    assert [whole.posted.text, whole.matched.text, whole.done.text] == ["23", "20", "19"]
    assert [whole.still_open.text, whole.unmet.text] == ["<5", "<5"]
    # 20 times to a match: 0.5, 1 x7, 2 x9, 3, 4, 10 -> the 10th and 11th are 2 and 2.
    assert whole.median_hours.text == "2.0"
    assert whole.hours.text == "21.5"
    assert report.pounds is not None and report.pounds.text == "£268.75"  # 21.5 x 12.5
    assert whole.active.text == "12"  # volunteers 1..12, 3 counted once

    by_area = dict(report.by_area)
    # Posted by area: North 8, Middle 6, South 9, East 0 - all shown (no small figure).
    assert [by_area[a].posted.text for a in ("North", "Middle", "South", "East")] == [
        "8",
        "6",
        "9",
        "0",
    ]
    assert by_area["North"].median_hours.text == "2.5"  # 0.5, 1, 2, 3, 4, 10
    assert by_area["East"].empty and by_area["East"].median_hours.text == "–"
    # Still open: North 1, South 1 (both <5, together 2: a small sum) -> whole is <5 anyway.
    assert by_area["North"].still_open.text == "<5"
    # Unmet: only North has one, total 1 is <5 itself: nothing to subtract from.
    assert by_area["North"].unmet.text == "<5"
    by_cat = dict(report.by_category)
    # Pills: 1 posted (<5). Categories: Shopping 13, Pills 1, Dogs 9: the 9 is withheld too.
    assert [by_cat[c].posted.text for c in (SHOP, PILLS, DOGS, PHONE)] == ["13", "<5", "*", "0"]
    # Matched and done have no small figure by category, so they, the median and the hours
    # stay (there is no sum across a row to subtract from: they are separate events).
    assert [by_cat[DOGS].done.text, by_cat[DOGS].hours.text] == ["8", "8"]
    assert by_cat[DOGS].median_hours.text == "2.0"
    assert_no_subtraction([list(report.by_area), list(report.by_category)], whole)


def test_the_whole_group_figure_is_withheld_when_only_it_is_left() -> None:
    # Posted: North 4, South 4 (total 8): both <5, and 8 would say both were 4.
    tallies = [tally("North", SHOP, posted=4), tally("South", SHOP, posted=4)]
    report = liaison_report(tallies, [], COMMUNITY)
    assert report.whole.posted.text == "*"
    assert dict(report.by_area)["North"].posted.text == "<5"
    # The category line would add back up to it (Shopping alone is 8): withheld too.
    assert dict(report.by_category)[SHOP].posted.text == "*"
    assert report.withheld_any
    assert_no_subtraction([list(report.by_area), list(report.by_category)], report.whole)


def test_a_median_or_hours_of_a_few_needs_is_never_shown() -> None:
    tallies = [
        tally("North", SHOP, posted=3, matched=3, done=3, hours=4.5, match_hours=(1, 2, 30)),
        tally("South", SHOP, posted=9, matched=9, done=9, hours=9.0, match_hours=(1.0,) * 9),
    ]
    report = liaison_report(tallies, [], COMMUNITY, pounds_per_hour=10.0)
    north = dict(report.by_area)["North"]
    assert (north.matched.text, north.median_hours.text, north.hours.text) == ("<5", "*", "*")
    south = dict(report.by_area)["South"]
    # South's 9 is withheld (North's 3 is alone otherwise): its hours go with it.
    assert (south.done.text, south.hours.text) == ("*", "*")
    assert report.whole.hours.text == "13.5" and report.pounds.text == "£135.00"  # type: ignore[union-attr]


def test_no_value_in_pounds_unless_the_council_sets_one() -> None:
    report = liaison_report([tally("North", SHOP, posted=6, done=6, hours=3)], [], COMMUNITY)
    assert report.pounds is None


@pytest.mark.parametrize("seed", range(40))
def test_random_reports_never_let_a_small_count_be_subtracted(seed: int) -> None:
    rng = random.Random(seed)
    tallies = []
    for area in ("North", "Middle", "South", "East"):
        for category in (SHOP, PILLS, DOGS, PHONE):
            if rng.random() < 0.6:
                posted = rng.choice((0, 1, 1, 2, 3, 4, 5, 6, 8, 12))
                tallies.append(
                    tally(
                        area,
                        category,
                        posted=posted,
                        matched=rng.randint(0, posted),
                        done=rng.randint(0, 3),
                        still_open=rng.choice((0, 0, 1, 2, 6)),
                        unmet=rng.choice((0, 0, 1, 5)),
                    )
                )
    report = liaison_report(tallies, [], COMMUNITY)
    assert_no_subtraction([list(report.by_area), list(report.by_category)], report.whole)
    # Every figure 1 to 4 is `<5`, never a number.
    for _, f in (*report.by_area, *report.by_category):
        for name in ("posted", "matched", "done", "still_open", "unmet"):
            assert getattr(f, name).text not in {"1", "2", "3", "4"}


# --- supply against demand ------------------------------------------------------------------------


def test_supply_counts_who_could_be_asked_by_area_and_category() -> None:
    volunteers = [
        # North covers North and its neighbour Middle.
        volunteer(1, {SHOP, PILLS}, {"North"}),
        # South covers South and Middle (neighbourliness is mutual).
        volunteer(2, {SHOP}, {"South"}),
        # Not vetted: phone befriending is not theirs to do.
        volunteer(3, {PHONE, DOGS}, {"East"}),
        volunteer(4, {PHONE}, {"East"}, vetted=True),
        # Paused, unapproved, blocked, unreachable: nobody to ask.
        volunteer(5, {SHOP}, {"East"}, on_duty=False),
        volunteer(6, {SHOP}, {"East"}, approved=False),
        volunteer(7, {SHOP}, {"East"}, blocked=True),
        volunteer(8, {SHOP}, {"East"}, reachable=False),
        # A radius of 5 km from South's centre reaches Middle (1.1 km) and North (2.2 km).
        volunteer(9, {DOGS}, set(), lat=51.48, lon=-0.10, radius_km=5.0),
    ]
    supply = Supply(volunteers, COMMUNITY)
    assert supply.total == 5  # 1, 2, 3, 4, 9
    assert supply.by_area == {"North": 2, "Middle": 3, "South": 2, "East": 2}
    assert supply.by_category == {SHOP: 2, PILLS: 1, DOGS: 2, PHONE: 1}
    assert supply.cell[(SHOP, "Middle")] == 2
    assert supply.cell[(PHONE, "East")] == 1  # only the vetted one
    assert supply.cell[(DOGS, "North")] == 1  # by radius
    assert supply.cell[(PILLS, "South")] == 0


def test_report_lists_cells_with_demand_and_no_supply_without_counts() -> None:
    volunteers = [volunteer(i, {SHOP}, {"North"}) for i in range(1, 7)]  # 6 cover North, Middle
    tallies = [
        tally("North", SHOP, posted=12),
        tally("South", SHOP, posted=2),
        tally("East", PILLS, posted=1),
    ]
    report = liaison_report(tallies, volunteers, COMMUNITY)
    assert report.unserved == ((SHOP, "South"), (PILLS, "East"))
    lines = {line.name: line for line in report.supply_by_area}
    # North: 6 volunteers for 12 requests (the 12 is withheld: South's 2 and East's 1 add
    # up to a small 3) -> the ratio would give it away, so it is withheld too.
    assert (lines["North"].volunteers.text, lines["North"].needs.text) == ("6", "*")
    assert lines["North"].per_need.text == "*"
    assert lines["Middle"].per_need.text == "–"  # no requests
    assert lines["South"].per_need.text == "0"  # nobody to ask: says nothing of the 2
    by_skill = {line.name: line for line in report.supply_by_category}
    assert by_skill[SHOP].volunteers.text == "6" and by_skill[PILLS].volunteers.text == "0"


def test_ratio_is_shown_when_both_figures_are() -> None:
    volunteers = [volunteer(i, {SHOP}, {"North"}) for i in range(1, 16)]
    report = liaison_report(
        [tally("North", SHOP, posted=10), tally("Middle", SHOP, posted=6)], volunteers, COMMUNITY
    )
    north = next(line for line in report.supply_by_area if line.name == "North")
    assert north.per_need.text == "1.5"  # 15 / 10


# --- the weekly rows of the export ----------------------------------------------------------------


def test_weekly_rows_cover_every_week_area_and_category_and_are_protected() -> None:
    weeks = Period(date(2026, 10, 1), date(2026, 10, 14)).weeks()
    assert [w.label for w in weeks] == ["2026-W40", "2026-W41", "2026-W42"]
    tallies = [
        Tally("North", SHOP, bucket=0, posted=3),
        Tally("North", PILLS, bucket=0, posted=9),
        Tally("South", SHOP, bucket=1, posted=7, done=6, hours=6.0),
        Tally("South", DOGS, bucket=1, posted=5),
    ]
    rows = weekly_rows(tallies, weeks, [], COMMUNITY, pounds_per_hour=10.0)
    assert len(rows) == 3 * 4 * 4
    cell = {(r.week.label, r.area, r.category): r for r in rows}
    # Week 40, North: 3 and 9 (a week-and-area figure of 12 would give the 3 away): 9 goes.
    assert cell[("2026-W40", "North", SHOP)].figures.posted.text == "<5"
    assert cell[("2026-W40", "North", PILLS)].figures.posted.text == "*"
    # Week 41, South: 7 and 5, nothing small: shown, with hours and pounds.
    south = cell[("2026-W41", "South", SHOP)]
    assert (south.figures.posted.text, south.figures.hours.text) == ("7", "6")
    assert south.pounds is not None and south.pounds.text == "£60.00"
    assert cell[("2026-W42", "East", PHONE)].figures.posted.text == "0"


# --- the digest -----------------------------------------------------------------------------------


def need(
    id: int, category: str, area: str, age_h: float, window_h: float = 24.0, **kw: object
) -> NeedRow:
    created = hours_ago(age_h)
    return NeedRow(
        id=id,
        category=category,
        area=area,
        created_at=created,
        window_end=created + timedelta(hours=window_h),
        **kw,  # type: ignore[arg-type]
    )


def test_overdue_is_a_day_after_the_follow_up() -> None:
    accepted = datetime(2026, 10, 1, 10, tzinfo=UTC)
    # Window ends the same evening: follow-up then, overdue a day later.
    assert overdue_from(accepted, accepted + timedelta(hours=8)) == accepted + timedelta(hours=32)
    # A fortnight's window: follow-up three days after accepting, overdue on the fourth.
    assert overdue_from(accepted, accepted + timedelta(days=14)) == accepted + timedelta(days=4)


def test_digest_sections_grouped_by_area_oldest_first() -> None:
    since = NOW - timedelta(days=1)
    rows = DigestRows(
        waiting=(
            need(5, SHOP, "South", 2),
            need(3, PILLS, "North", 30),
            need(4, DOGS, "North", 5),
            need(6, SHOP, "Renamed", 1),  # an area no longer in the file comes last
        ),
        accepted=(
            # Accepted 3 days ago, window ended 2 days ago: overdue by a day.
            need(
                7,
                SHOP,
                "Middle",
                80,
                accepted_at=hours_ago(72),
                volunteer="Priya",
                window_h=80 - 48,
            ),
            # Accepted 30 h ago, window ends tomorrow: not overdue yet.
            need(8, SHOP, "Middle", 40, accepted_at=hours_ago(30), window_h=64),
        ),
        done=(
            need(9, SHOP, "North", 20, done_at=hours_ago(3), hours=1.5),
            need(10, PILLS, "North", 50, done_at=hours_ago(30), hours=1.0),  # before since
            need(11, DOGS, "South", 10, done_at=hours_ago(1), hours=0.5),
        ),
        pending=(
            PendingVolunteer(21, "Zed", hours_ago(5), (SHOP,), ("North",)),
            PendingVolunteer(20, "Amy", hours_ago(50), (DOGS,), ("South",)),
        ),
        concerns=(
            ConcernRow(31, "Margaret", "He never came", hours_ago(2), 9, SHOP, "North"),
            ConcernRow(32, "Harold", "General worry", hours_ago(4)),
        ),
        volunteers=(volunteer(1, {SHOP}, {"South"}),),  # covers South and Middle
    )
    digest = build_digest(rows, COMMUNITY, NOW, since)
    assert [(a, [i.need.id for i in items]) for a, items in digest.waiting] == [
        ("North", [3, 4]),
        ("South", [5]),
        ("Renamed", [6]),
    ]
    assert digest.waiting[0][1][0].age == timedelta(hours=30)
    overdue = digest.overdue[0][1][0]
    assert (digest.overdue[0][0], overdue.need.id, overdue.late) == (
        "Middle",
        7,
        timedelta(hours=24),
    )
    assert [(a, [i.need.id for i in items]) for a, items in digest.done] == [
        ("North", [9]),
        ("South", [11]),
    ]
    assert digest.done_hours == 2.0
    assert [p.first_name for p, _ in digest.pending] == ["Amy", "Zed"]  # longest waiting first
    assert [(a, [c.id for c, _ in items]) for a, items in digest.concerns] == [
        ("North", [31]),
        ("", [32]),
    ]
    # Gaps: North's pills and dogs, and Renamed's shopping have nobody; South's shopping has.
    gaps = [(g.category, g.area, g.waiting) for _, items in digest.gaps for g in items]
    assert gaps == [(PILLS, "North", 1), (DOGS, "North", 1), (SHOP, "Renamed", 1)]


def test_an_empty_digest_has_empty_sections() -> None:
    digest = build_digest(DigestRows(), COMMUNITY, NOW, NOW - timedelta(days=1))
    assert digest.waiting == digest.overdue == digest.done == digest.gaps == ()
    assert digest.pending == () and digest.concerns == ()


# --- periods and the clock ------------------------------------------------------------------------


TODAY = date(2026, 10, 14)


@pytest.mark.parametrize(
    ("args", "start", "end"),
    [
        ([], date(2026, 10, 1), date(2026, 10, 31)),
        (["2026-09"], date(2026, 9, 1), date(2026, 9, 30)),
        (["2024-2"], date(2024, 2, 1), date(2024, 2, 29)),
        (["2026-10-01", "2026-10-07"], date(2026, 10, 1), date(2026, 10, 7)),
        (["2025-10-15", "2026-10-14"], date(2025, 10, 15), date(2026, 10, 14)),
    ],
)
def test_periods(args: list[str], start: date, end: date) -> None:
    assert parse_period(args, TODAY) == Period(start, end)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["banana"], PeriodProblem.FORMAT),
        (["2026-13"], PeriodProblem.FORMAT),
        (["2026-10-32", "2026-11-01"], PeriodProblem.FORMAT),
        (["2026-10", "2026-11", "2026-12"], PeriodProblem.FORMAT),
        (["2026-10-31", "2026-10-01"], PeriodProblem.ORDER),
        (["2025-01-01", "2026-10-01"], PeriodProblem.TOO_LONG),
        (["2026-11"], PeriodProblem.FUTURE),
    ],
)
def test_bad_periods(args: list[str], problem: PeriodProblem) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(args, TODAY)
    assert caught.value.problem is problem


def test_period_bounds_follow_the_clocks() -> None:
    # March 2025 in London: from midnight GMT to midnight BST (23:00 UTC on the 31st).
    start, stop = Period(date(2025, 3, 1), date(2025, 3, 31)).bounds(LONDON)
    assert start == datetime(2025, 3, 1, tzinfo=UTC)
    assert stop == datetime(2025, 3, 31, 23, tzinfo=UTC)


def test_weeks_are_cut_to_the_period() -> None:
    weeks = Period(date(2026, 10, 1), date(2026, 10, 31)).weeks()
    assert weeks[0] == Week("2026-W40", date(2026, 10, 1), date(2026, 10, 4))  # Thu to Sun
    assert weeks[-1] == Week("2026-W44", date(2026, 10, 26), date(2026, 10, 31))
    assert len(weeks) == 5
    assert last_week(date(2026, 10, 14)) == Period(date(2026, 10, 5), date(2026, 10, 11))
    assert last_week(date(2026, 10, 12)) == Period(date(2026, 10, 5), date(2026, 10, 11))


def test_next_local_time_honours_daylight_saving() -> None:
    eight = time(8, 0)
    # Saturday 29 March 2025, 08:30 GMT: the next 08:00 is Sunday's, which is BST.
    after = datetime(2025, 3, 29, 8, 30, tzinfo=UTC)
    assert next_local(after, eight, LONDON) == datetime(2025, 3, 30, 7, 0, tzinfo=UTC)
    # Exactly at 08:00 it is the next day's.
    at_eight = datetime(2025, 3, 31, 7, 0, tzinfo=UTC)
    assert next_local(at_eight, eight, LONDON) == datetime(2025, 4, 1, 7, 0, tzinfo=UTC)
    # Back to GMT in October.
    assert next_local(datetime(2025, 10, 25, 12, tzinfo=UTC), eight, LONDON) == datetime(
        2025, 10, 26, 8, 0, tzinfo=UTC
    )
    # Mondays only: from Wednesday 12 March 2025 to Monday 17 March.
    assert next_local(datetime(2025, 3, 12, 9, 30, tzinfo=UTC), eight, LONDON, 0) == datetime(
        2025, 3, 17, 8, 0, tzinfo=UTC
    )
