"""The dashboard's figures and sign-in rules, as plain data in and out (domain/dashboard.py,
domain/signin.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.community import CommunityError, parse_community
from domain.dashboard import (
    NO_WARD,
    Event,
    dashboard_report,
    history,
    match_times,
    people_helped,
    period_choices,
    period_key,
    period_label,
    protect_all,
    quarter,
    read_period,
    supply_of,
    weekly_trend,
    year,
)
from domain.models import Candidate, Person, Role
from domain.periods import Period, PeriodError, PeriodProblem
from domain.reports import Line, Shown, Supply, Tally, Week, liaison_report, protect
from domain.signin import (
    Access,
    RateLimit,
    access,
    form_token,
    form_token_ok,
    looks_like_token,
    new_token,
    token_hash,
)

TODAY = date(2026, 5, 14)

WARDED = parse_community(
    """
name = "Wardville"
[[areas]]
name = "Alder"
ward = "North"
[[areas]]
name = "Birch"
ward = "North"
[[areas]]
name = "Cedar"
ward = "South"
[[areas]]
name = "Damson"
"""
)
PLAIN = parse_community('name = "Plain"\n[[areas]]\nname = "Alder"\n[[areas]]\nname = "Birch"\n')
NOBODY = supply_of([], WARDED)[1]


# --- periods -----------------------------------------------------------------------------------


def test_quarters_and_years() -> None:
    assert quarter(date(2026, 2, 10)) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert quarter(date(2026, 12, 31)) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert year(date(2024, 6, 1)) == Period(date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("text", "period", "key", "label"),
    [
        ("", Period(date(2026, 5, 1), date(2026, 5, 31)), "2026-05", "May 2026"),
        ("2026-03", Period(date(2026, 3, 1), date(2026, 3, 31)), "2026-03", "March 2026"),
        (
            "2026-Q1",
            Period(date(2026, 1, 1), date(2026, 3, 31)),
            "2026-Q1",
            "January to March 2026",
        ),
        (
            "2025q4",
            Period(date(2025, 10, 1), date(2025, 12, 31)),
            "2025-Q4",
            "October to December 2025",
        ),
        ("2025", Period(date(2025, 1, 1), date(2025, 12, 31)), "2025", "2025"),
        (
            "2026-03-02..2026-03-08",
            Period(date(2026, 3, 2), date(2026, 3, 8)),
            "2026-03-02..2026-03-08",
            "2 Mar 2026 to 8 Mar 2026",
        ),
    ],
)
def test_periods_read_and_written_back(text: str, period: Period, key: str, label: str) -> None:
    assert read_period(text, TODAY) == period
    assert period_key(period) == key
    assert read_period(key, TODAY) == period
    assert period_label(period) == label


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-13", PeriodProblem.FORMAT),
        ("2026-Q5", PeriodProblem.FORMAT),
        ("last", PeriodProblem.FORMAT),
        ("1999", PeriodProblem.FORMAT),
        ("2026-07", PeriodProblem.FUTURE),
        ("2027", PeriodProblem.FUTURE),
        ("2026-03-09..2026-03-01", PeriodProblem.ORDER),
        ("2024-01-01..2026-01-01", PeriodProblem.TOO_LONG),
        ("2026-03-01..nope", PeriodProblem.FORMAT),
    ],
)
def test_periods_that_cannot_be_shown(text: str, problem: PeriodProblem) -> None:
    with pytest.raises(PeriodError) as caught:
        read_period(text, TODAY)
    assert caught.value.problem is problem


def test_the_choices_offered_are_all_readable_and_distinct() -> None:
    choices = period_choices(TODAY)
    keys = [c.key for c in choices]
    assert keys[:6] == ["2026-05", "2026-04", "2026-Q2", "2026-Q1", "2026", "2025"]
    assert len(set(keys)) == len(keys) == 16
    assert all(read_period(k, TODAY) for k in keys)


# --- suppression over several tables -----------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=6),
    st.lists(st.integers(0, 12), min_size=1, max_size=6),
)
def test_protect_all_is_protect_for_the_reports_own_lines(
    areas: list[int], cats: list[int]
) -> None:
    """Without shared cells, the dashboard's suppression is exactly /report's."""
    total = sum(areas)
    cats = [*cats[:-1], max(0, total - sum(cats[:-1]))]
    values = {("a", i): v for i, v in enumerate(areas)} | {("c", i): v for i, v in enumerate(cats)}
    lines = [
        Line(tuple(("a", i) for i in range(len(areas))), "whole"),
        Line(tuple(("c", i) for i in range(len(cats))), "whole"),
    ]
    assert protect_all(values, lines) == protect(values, lines)


def _tally(area: str, category: str = "Other", bucket: int = 0, **counts: object) -> Tally:
    return Tally(area=area, category=category, bucket=bucket, **counts)  # type: ignore[arg-type]


def test_a_ward_cannot_give_its_areas_away() -> None:
    """Alder 4 and Birch 4 make North 8: shown, it would pin both; so North is withheld,
    and then South too (the whole minus South would be North), which withholds Cedar."""
    tallies = [_tally("Alder", posted=4), _tally("Birch", posted=4), _tally("Cedar", posted=12)]
    report = dashboard_report(tallies, NOBODY, WARDED)
    areas = {name: f.posted.text for name, f in report.report.by_area}
    wards = {name: f.posted.text for name, f in report.by_ward}
    assert areas == {"Alder": "<5", "Birch": "<5", "Cedar": "*", "Damson": "0"}
    assert wards == {"North": "*", "South": "*", NO_WARD: "0"}
    assert report.report.whole.posted.text == "20"


def test_wards_shown_when_safe_and_the_plain_report_unchanged() -> None:
    tallies = [
        _tally("Alder", posted=7, done=6, hours=6.0),
        _tally("Birch", posted=9),
        _tally("Cedar", posted=5),
        _tally("Damson", posted=6),
    ]
    report = dashboard_report(tallies, NOBODY, WARDED)
    wards = {name: f.posted.text for name, f in report.by_ward}
    assert wards == {"North": "16", "South": "5", NO_WARD: "6"}
    assert dict((n, f.hours.text) for n, f in report.by_ward)["North"] == "6"
    # Without wards the report is /report's own.
    plain = [_tally("Alder", posted=3), _tally("Birch", posted=9, matched=2)]
    assert dashboard_report(plain, NOBODY, PLAIN).report == liaison_report(plain, [], PLAIN)
    assert dashboard_report(plain, NOBODY, PLAIN).by_ward == ()


def test_a_ward_key_is_optional_and_checked() -> None:
    assert WARDED.area("Alder") is not None and WARDED.area("Alder").ward == "North"  # type: ignore[union-attr]
    assert WARDED.area("Damson").ward is None  # type: ignore[union-attr]
    for bad in ('ward = ""', "ward = 3", 'ward = "   "'):
        with pytest.raises(CommunityError) as caught:
            parse_community(f'name = "X"\n[[areas]]\nname = "A"\n{bad}\n')
        assert "ward" in str(caught.value)


# --- the trend, matching times and people helped --------------------------------------------


WEEKS = [Week(f"2026-W{n}", date(2026, 3, 2), date(2026, 3, 8)) for n in (10, 11, 12)]


def test_the_weekly_trend_is_one_line_against_the_period() -> None:
    tallies = [
        _tally("Alder", bucket=0, posted=3),
        _tally("Alder", bucket=1, posted=10, done=6, hours=4.5),
        _tally("Birch", bucket=2, posted=12, done=7, hours=7.0),
    ]
    trend = weekly_trend(tallies, WEEKS)
    assert [w.posted.text for w in trend] == ["<5", "*", "12"]
    assert [w.done.text for w in trend] == ["0", "6", "7"]
    assert [w.hours.text for w in trend] == ["0", "4.5", "7"]
    # Where the period's figure is withheld, the weeks can't add back up to it.
    hidden = weekly_trend(
        [_tally("Alder", bucket=i, posted=6) for i in range(3)], WEEKS, withheld_whole=["posted"]
    )
    assert sum(w.posted.text == "*" for w in hidden) >= 1


def test_who_could_be_asked_from_plain_rows_is_reports_supply() -> None:
    """The same Supply as /report's, from the store's plain rows (alike profiles shared)."""
    rows = [
        (("Other",), ("Alder",), False, None, None, None),
        (("Other",), ("Alder",), False, None, None, None),
        (("Other", "Meals"), ("Birch", "Cedar"), True, None, None, None),
        (("Other",), (), False, 51.0, -2.0, 2.0),
    ]
    volunteers, supply = supply_of(rows, PLAIN)
    assert len(volunteers) == 4 and volunteers[0] is volunteers[1]
    candidates = [
        Candidate(
            user_id=i,
            skills=frozenset(r[0]),
            areas=frozenset(r[1]),
            vetted=r[2],
            lat=r[3],
            lon=r[4],
            radius_km=r[5],
        )
        for i, r in enumerate(rows)
    ]
    expected = Supply(candidates, PLAIN)
    assert (supply.total, supply.by_area, supply.by_category, supply.cell) == (
        expected.total,
        expected.by_area,
        expected.by_category,
        expected.cell,
    )
    report = dashboard_report([_tally("Alder", posted=6), _tally("Birch", posted=2)], supply, PLAIN)
    assert report.report.volunteers.text == "<5"
    assert [(s.name, s.volunteers.text, s.per_need.text) for s in report.report.supply_by_area] == [
        ("Alder", "<5", "*"),
        ("Birch", "<5", "*"),
    ]
    assert report.report.unserved == ()


def test_time_to_a_match_in_bands() -> None:
    hours = (0.2,) * 6 + (2.0,) * 7 + (30.0,) * 2
    tallies = [_tally("Alder", matched=15, match_hours=hours)]
    found = match_times(tallies, Shown("15", 15), Shown("2.0", 2.0))
    bands = dict((label, s.text) for label, s in found.bands)
    assert bands == {
        "Within an hour": "*",  # the smallest other figure, so 1 to 3 days can't be pinned
        "1 to 4 hours": "7",
        "4 to 24 hours": "0",
        "1 to 3 days": "<5",
        "More than 3 days": "0",
    }
    # Too few matched to show exactly: no bands at all.
    assert match_times(tallies, Shown("<5"), Shown("*")).bands == ()


def test_people_helped_and_those_who_came_back() -> None:
    helped = people_helped(14, 5, unknown=3)
    assert (helped.people.text, helped.came_back.text, helped.first_time.text) == ("14", "5", "9")
    assert helped.unknown.text == "<5"
    few = people_helped(10, 2)
    assert few.came_back.text == "<5" and few.first_time.text == "*" and few.people.text == "10"
    assert people_helped(0, 0).people.text == "0"


def test_a_needs_history_is_in_time_order() -> None:
    def at(hour: int) -> datetime:
        return datetime(2026, 5, 14, hour, tzinfo=UTC)

    events = [
        Event(at(3), "Done"),
        Event(at(1), "Posted"),
        Event(at(2), "Asked", "Priya"),
        Event(at(2), "Asked", "Sam"),
    ]
    assert [(e.what, e.who) for e in history(events)] == [
        ("Posted", None),
        ("Asked", "Priya"),
        ("Asked", "Sam"),
        ("Done", None),
    ]


# --- signing in --------------------------------------------------------------------------------


def test_tokens_are_random_and_kept_as_hashes() -> None:
    one, two = new_token(), new_token()
    assert one != two and looks_like_token(one) and len(one) >= 40
    assert token_hash(one) != one and len(token_hash(one)) == 64
    assert not looks_like_token("short") and not looks_like_token("<script>" * 5)
    assert form_token_ok(one, form_token(one))
    assert not form_token_ok(two, form_token(one))
    assert not form_token_ok(one, None) and not form_token_ok(one, "")


def test_access_is_read_from_roles_each_time() -> None:
    liaison = Person(id=5, first_name="L", roles=frozenset({Role.LIAISON}))
    both = Person(id=6, first_name="B", roles=frozenset({Role.LIAISON, Role.COORDINATOR}))
    assert access(liaison, ()) is Access.LIAISON
    assert access(both, ()) is Access.COORDINATOR
    assert access(Person(id=7, first_name="C"), (7,)) is Access.COORDINATOR  # configured
    assert access(Person(id=8, first_name="R"), ()) is None
    assert access(liaison.model_copy(update={"blocked": True}), ()) is None
    assert access(None, (7,)) is None


def test_sign_in_attempts_are_limited_per_address_and_overall() -> None:
    limit = RateLimit(limit=3, window=60, total=5)
    assert [limit.allow("a", t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limit.allow("b", 4) and limit.allow("b", 5)
    assert not limit.allow("c", 6)  # five in the last minute from everyone
    assert limit.allow("a", 61) and limit.allow("c", 63)  # a minute on
