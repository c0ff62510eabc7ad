"""Matching and need windows as plain data: who may be asked, in what order, and when."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.community import parse_community
from domain.lifecycle import can_move, new_doorstep_code, window_for
from domain.matching import Reason, ineligibility, next_wave, rank
from domain.models import Availability, Candidate, Need, NeedStatus, When

LONDON = ZoneInfo("Europe/London")

# North and Centre are neighbours (listed on North's side only); South is about 10 km
# from North; Faraway is nowhere near any of them.
COMMUNITY = parse_community(
    """
name = "Testham Mutual Aid"

[[areas]]
name = "North"
neighbours = ["Centre"]
lat = 51.50
lon = -0.10

[[areas]]
name = "Centre"
lat = 51.49
lon = -0.10

[[areas]]
name = "South"
lat = 51.41
lon = -0.10

[[areas]]
name = "Faraway"
lat = 53.00
lon = -2.00

[[categories]]
name = "Shopping"

[[categories]]
name = "Befriending"
vetted_only = true
"""
)

RESIDENT = 900
# Monday 3 June 2024 09:00 to Monday 10 June 00:00, London time (BST, UTC+1): a whole week.
WEEK_START = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
WEEK_END = datetime(2024, 6, 9, 23, 0, tzinfo=UTC)


def need(**changes: object) -> Need:
    fields: dict[str, object] = {
        "id": 1,
        "resident_id": RESIDENT,
        "category": "Shopping",
        "area": "North",
        "description": "A few bits from the shop",
        "when": When.THIS_WEEK,
        "window_start": WEEK_START,
        "window_end": WEEK_END,
        "created_at": WEEK_START,
    }
    fields.update(changes)
    return Need.model_validate(fields)


def candidate(user_id: int = 1, **changes: object) -> Candidate:
    fields: dict[str, object] = {
        "user_id": user_id,
        "skills": frozenset({"Shopping", "Befriending"}),
        "areas": frozenset({"North"}),
    }
    fields.update(changes)
    return Candidate.model_validate(fields)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A London wall-clock time as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


# --- hard rules -------------------------------------------------------------------------


def test_a_volunteer_who_meets_every_rule_may_be_asked() -> None:
    assert ineligibility(need(), candidate(), COMMUNITY, LONDON) == []


def test_skill_category_must_be_among_their_skills() -> None:
    assert ineligibility(
        need(), candidate(skills=frozenset({"Befriending"})), COMMUNITY, LONDON
    ) == [Reason.SKILL]


def test_area_outside_theirs_and_their_neighbours_is_ruled_out() -> None:
    far = candidate(areas=frozenset({"Faraway"}))
    assert ineligibility(need(), far, COMMUNITY, LONDON) == [Reason.AREA]


def test_area_neighbour_counts_both_ways() -> None:
    # The file lists Centre as North's neighbour only; it works from either side.
    in_centre = candidate(areas=frozenset({"Centre"}))
    assert ineligibility(need(area="North"), in_centre, COMMUNITY, LONDON) == []
    in_north = candidate(areas=frozenset({"North"}))
    assert ineligibility(need(area="Centre"), in_north, COMMUNITY, LONDON) == []
    # South is nobody's neighbour.
    assert ineligibility(need(area="South"), in_north, COMMUNITY, LONDON) == [Reason.AREA]


def test_area_within_radius_counts_and_beyond_it_does_not() -> None:
    # A volunteer living 1 km south of North, areas elsewhere, willing to go 3 km.
    near = candidate(areas=frozenset({"Faraway"}), lat=51.491, lon=-0.10, radius_km=3.0)
    assert ineligibility(need(area="North"), near, COMMUNITY, LONDON) == []
    # South is about 9 km away from where they live: out of reach.
    assert ineligibility(need(area="South"), near, COMMUNITY, LONDON) == [Reason.AREA]
    # Without a radius, a location alone does not make them reachable.
    no_radius = near.model_copy(update={"radius_km": None})
    assert ineligibility(need(area="North"), no_radius, COMMUNITY, LONDON) == [Reason.AREA]


def test_off_duty_volunteers_are_not_asked() -> None:
    assert ineligibility(need(), candidate(on_duty=False), COMMUNITY, LONDON) == [Reason.OFF_DUTY]


def test_volunteers_not_yet_approved_are_not_asked() -> None:
    assert ineligibility(need(), candidate(approved=False), COMMUNITY, LONDON) == [
        Reason.NOT_APPROVED
    ]


def test_vetted_only_category_needs_a_vetted_volunteer() -> None:
    befriending = need(category="Befriending")
    assert ineligibility(befriending, candidate(vetted=False), COMMUNITY, LONDON) == [
        Reason.NOT_VETTED
    ]
    assert ineligibility(befriending, candidate(vetted=True), COMMUNITY, LONDON) == []
    # Vetting is not asked for where the category does not need it.
    assert (
        ineligibility(need(category="Shopping"), candidate(vetted=False), COMMUNITY, LONDON) == []
    )


def test_blocked_volunteers_are_not_asked() -> None:
    assert ineligibility(need(), candidate(blocked=True), COMMUNITY, LONDON) == [Reason.BLOCKED]


def test_volunteers_who_blocked_the_bot_are_not_asked() -> None:
    assert ineligibility(need(), candidate(reachable=False), COMMUNITY, LONDON) == [
        Reason.UNREACHABLE
    ]


def test_open_task_limit() -> None:
    assert ineligibility(need(), candidate(open_tasks=2, max_open_tasks=3), COMMUNITY, LONDON) == []
    assert ineligibility(need(), candidate(open_tasks=3, max_open_tasks=3), COMMUNITY, LONDON) == [
        Reason.BUSY
    ]
    assert ineligibility(need(), candidate(open_tasks=1, max_open_tasks=1), COMMUNITY, LONDON) == [
        Reason.BUSY
    ]


def test_availability_weekdays_and_weekends() -> None:
    saturday = need(window_start=london(2024, 6, 8, 10), window_end=london(2024, 6, 8, 16))
    monday = need(window_start=london(2024, 6, 10, 10), window_end=london(2024, 6, 10, 16))
    weekdays = candidate(availability=Availability.WEEKDAYS)
    weekends = candidate(availability=Availability.WEEKENDS)
    anytime = candidate(availability=Availability.ANY)
    assert ineligibility(saturday, weekdays, COMMUNITY, LONDON) == [Reason.UNAVAILABLE]
    assert ineligibility(saturday, weekends, COMMUNITY, LONDON) == []
    assert ineligibility(monday, weekdays, COMMUNITY, LONDON) == []
    assert ineligibility(monday, weekends, COMMUNITY, LONDON) == [Reason.UNAVAILABLE]
    assert ineligibility(saturday, anytime, COMMUNITY, LONDON) == []
    # A window from Friday into Saturday suits both.
    friday_night = need(window_start=london(2024, 6, 7, 20), window_end=london(2024, 6, 8, 12))
    assert ineligibility(friday_night, weekdays, COMMUNITY, LONDON) == []
    assert ineligibility(friday_night, weekends, COMMUNITY, LONDON) == []


def test_availability_days_are_the_groups_days_not_utc() -> None:
    # Sunday 23:15-23:45 UTC is Monday 00:15-00:45 in London (BST).
    late = need(
        window_start=datetime(2024, 6, 9, 23, 15, tzinfo=UTC),
        window_end=datetime(2024, 6, 9, 23, 45, tzinfo=UTC),
    )
    weekdays = candidate(availability=Availability.WEEKDAYS)
    weekends = candidate(availability=Availability.WEEKENDS)
    assert ineligibility(late, weekdays, COMMUNITY, LONDON) == []
    assert ineligibility(late, weekends, COMMUNITY, LONDON) == [Reason.UNAVAILABLE]
    utc = ZoneInfo("UTC")
    assert ineligibility(late, weekdays, COMMUNITY, utc) == [Reason.UNAVAILABLE]
    assert ineligibility(late, weekends, COMMUNITY, utc) == []


def test_availability_evenings_in_the_groups_time_zone() -> None:
    evenings = candidate(availability=Availability.EVENINGS)
    morning = need(window_start=london(2024, 6, 5, 9), window_end=london(2024, 6, 5, 12))
    early_evening = need(
        window_start=london(2024, 6, 5, 16, 30), window_end=london(2024, 6, 5, 17, 30)
    )
    late_night = need(
        window_start=london(2024, 6, 5, 21, 30), window_end=london(2024, 6, 5, 22, 30)
    )
    assert ineligibility(morning, evenings, COMMUNITY, LONDON) == [Reason.UNAVAILABLE]
    assert ineligibility(early_evening, evenings, COMMUNITY, LONDON) == []
    assert ineligibility(late_night, evenings, COMMUNITY, LONDON) == [Reason.UNAVAILABLE]
    # The same instants read as UTC fall the other way: 15:30-16:30 and 20:30-21:30.
    utc = ZoneInfo("UTC")
    assert ineligibility(early_evening, evenings, COMMUNITY, utc) == [Reason.UNAVAILABLE]
    assert ineligibility(late_night, evenings, COMMUNITY, utc) == []
    # A week-long window has evenings in it.
    assert ineligibility(need(), evenings, COMMUNITY, LONDON) == []


def test_the_resident_is_never_asked_to_help_themselves() -> None:
    assert ineligibility(need(), candidate(user_id=RESIDENT), COMMUNITY, LONDON) == [Reason.SELF]


def test_someone_who_declined_or_dropped_the_need_is_not_asked_again() -> None:
    assert ineligibility(need(), candidate(excluded=True), COMMUNITY, LONDON) == [Reason.EXCLUDED]


def test_every_broken_rule_is_reported() -> None:
    hopeless = candidate(
        user_id=RESIDENT,
        skills=frozenset({"Other"}),
        areas=frozenset({"Faraway"}),
        on_duty=False,
        approved=False,
        blocked=True,
        reachable=False,
        open_tasks=3,
        availability=Availability.WEEKENDS,
        excluded=True,
    )
    monday = need(
        category="Befriending",
        window_start=london(2024, 6, 10, 10),
        window_end=london(2024, 6, 10, 16),
    )
    assert set(ineligibility(monday, hopeless, COMMUNITY, LONDON)) == set(Reason)


# --- ranking ----------------------------------------------------------------------------


def ids(candidates: list[Candidate]) -> list[int]:
    return [c.user_id for c in candidates]


def test_same_area_before_neighbour_before_distance() -> None:
    same = candidate(user_id=40, areas=frozenset({"North"}), tasks_last_30_days=5)
    neighbour = candidate(user_id=30, areas=frozenset({"Centre"}), tasks_last_30_days=1)
    # Both live outside North's listed areas but within their radius: 3 km and 1 km off.
    further = candidate(
        user_id=10, areas=frozenset({"Faraway"}), lat=51.473, lon=-0.10, radius_km=5.0
    )
    nearer = candidate(
        user_id=20, areas=frozenset({"Faraway"}), lat=51.491, lon=-0.10, radius_km=5.0
    )
    ranked = rank(need(area="North"), [further, nearer, neighbour, same], COMMUNITY, LONDON)
    assert ids(ranked) == [40, 30, 20, 10]


def test_fewer_tasks_in_the_last_30_days_first() -> None:
    busy = candidate(user_id=1, tasks_last_30_days=4)
    quiet = candidate(user_id=2, tasks_last_30_days=0)
    some = candidate(user_id=3, tasks_last_30_days=1)
    assert ids(rank(need(), [busy, quiet, some], COMMUNITY, LONDON)) == [2, 3, 1]


def test_longer_since_last_task_first_and_never_tasked_first_of_all() -> None:
    recent = candidate(user_id=1, last_task_at=datetime(2024, 5, 30, tzinfo=UTC))
    never = candidate(user_id=2, last_task_at=None)
    long_ago = candidate(user_id=3, last_task_at=datetime(2024, 1, 2, tzinfo=UTC))
    assert ids(rank(need(), [recent, never, long_ago], COMMUNITY, LONDON)) == [2, 3, 1]


def test_recent_load_counts_before_idle_time() -> None:
    idle_but_busy_month = candidate(
        user_id=1, tasks_last_30_days=2, last_task_at=datetime(2024, 5, 10, tzinfo=UTC)
    )
    just_helped_once = candidate(
        user_id=2, tasks_last_30_days=1, last_task_at=datetime(2024, 6, 2, tzinfo=UTC)
    )
    ranked = rank(need(), [idle_but_busy_month, just_helped_once], COMMUNITY, LONDON)
    assert ids(ranked) == [2, 1]


def test_ties_are_broken_by_user_id_whatever_the_input_order() -> None:
    last = datetime(2024, 5, 1, tzinfo=UTC)
    tied = [
        candidate(user_id=uid, tasks_last_30_days=1, last_task_at=last) for uid in (17, 3, 42, 8)
    ]
    orders = {
        tuple(ids(rank(need(), list(perm), COMMUNITY, LONDON)))
        for perm in itertools.permutations(tied)
    }
    assert orders == {(3, 8, 17, 42)}


def test_ranking_leaves_out_the_ineligible() -> None:
    ok = candidate(user_id=1)
    paused = candidate(user_id=2, on_duty=False)
    assert ids(rank(need(), [paused, ok], COMMUNITY, LONDON)) == [1]


def test_next_wave_takes_the_best_few() -> None:
    pool = [candidate(user_id=uid, tasks_last_30_days=uid % 4) for uid in range(1, 8)]
    pool.append(candidate(user_id=99, blocked=True))
    ranked = ids(rank(need(), pool, COMMUNITY, LONDON))
    assert ranked == [4, 1, 5, 2, 6, 3, 7]
    assert ids(next_wave(need(), pool, COMMUNITY, LONDON, size=3)) == [4, 1, 5]
    assert ids(next_wave(need(), pool, COMMUNITY, LONDON, size=1)) == [4]
    # Fewer eligible than the wave size: everyone eligible, no one ineligible.
    assert ids(next_wave(need(), pool, COMMUNITY, LONDON, size=20)) == ranked
    assert next_wave(need(), [candidate(user_id=99, blocked=True)], COMMUNITY, LONDON, 3) == []


# --- need windows -----------------------------------------------------------------------

# Wednesday 5 June 2024, 15:30 in London.
MIDWEEK = datetime(2024, 6, 5, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "end"),
    [
        (When.TODAY, london(2024, 6, 6, 0)),
        (When.THIS_WEEK, london(2024, 6, 12, 0)),
        (When.FLEXIBLE, london(2024, 6, 19, 0)),
    ],
)
def test_window_from_now_until_midnight_of_the_last_day(when: When, end: datetime) -> None:
    assert window_for(when, MIDWEEK, LONDON) == (MIDWEEK, end)


def test_window_tomorrow_is_the_whole_of_tomorrow() -> None:
    assert window_for(When.TOMORROW, MIDWEEK, LONDON) == (
        london(2024, 6, 6, 0),
        london(2024, 6, 7, 0),
    )


def test_window_days_are_london_days_not_utc_days() -> None:
    # 23:30 UTC on the 5th is already 00:30 on the 6th in London.
    late = datetime(2024, 6, 5, 23, 30, tzinfo=UTC)
    start, end = window_for(When.TODAY, late, LONDON)
    assert (start, end) == (late, datetime(2024, 6, 6, 23, 0, tzinfo=UTC))
    assert window_for(When.TOMORROW, late, LONDON) == (
        datetime(2024, 6, 6, 23, 0, tzinfo=UTC),
        datetime(2024, 6, 7, 23, 0, tzinfo=UTC),
    )


def test_windows_are_given_in_the_time_zone_of_now() -> None:
    for when in When:
        start, end = window_for(when, MIDWEEK, LONDON)
        assert start.utcoffset() == timedelta(0)
        assert end.utcoffset() == timedelta(0)
        assert start < end


def test_window_across_the_spring_clock_change() -> None:
    # Clocks go forward at 01:00 UTC on Sunday 31 March 2024: Sunday has 23 hours.
    saturday_noon = datetime(2024, 3, 30, 12, tzinfo=UTC)
    assert window_for(When.TODAY, saturday_noon, LONDON) == (
        saturday_noon,
        datetime(2024, 3, 31, 0, tzinfo=UTC),
    )
    start, end = window_for(When.TOMORROW, saturday_noon, LONDON)
    assert (start, end) == (
        datetime(2024, 3, 31, 0, tzinfo=UTC),
        datetime(2024, 3, 31, 23, tzinfo=UTC),
    )
    assert end - start == timedelta(hours=23)
    assert window_for(When.THIS_WEEK, saturday_noon, LONDON)[1] == datetime(
        2024, 4, 5, 23, tzinfo=UTC
    )
    assert window_for(When.FLEXIBLE, saturday_noon, LONDON)[1] == datetime(
        2024, 4, 12, 23, tzinfo=UTC
    )


def test_window_across_the_autumn_clock_change() -> None:
    # Clocks go back at 01:00 UTC on Sunday 27 October 2024: Sunday has 25 hours.
    saturday_noon = datetime(2024, 10, 26, 12, tzinfo=UTC)
    assert window_for(When.TODAY, saturday_noon, LONDON) == (
        saturday_noon,
        datetime(2024, 10, 26, 23, tzinfo=UTC),
    )
    start, end = window_for(When.TOMORROW, saturday_noon, LONDON)
    assert (start, end) == (
        datetime(2024, 10, 26, 23, tzinfo=UTC),
        datetime(2024, 10, 28, 0, tzinfo=UTC),
    )
    assert end - start == timedelta(hours=25)
    assert window_for(When.THIS_WEEK, saturday_noon, LONDON)[1] == datetime(
        2024, 11, 2, 0, tzinfo=UTC
    )


# --- status changes and doorstep codes ------------------------------------------------------


def test_finished_needs_cannot_change_and_accepted_ones_can_go_back_to_matching() -> None:
    assert can_move(NeedStatus.OPEN, NeedStatus.ACCEPTED)
    assert can_move(NeedStatus.ACCEPTED, NeedStatus.OPEN)  # "Couldn't do it"
    assert can_move(NeedStatus.ACCEPTED, NeedStatus.DONE)
    assert not can_move(NeedStatus.OPEN, NeedStatus.DONE)
    for final in (NeedStatus.DONE, NeedStatus.CANCELLED, NeedStatus.CLOSED):
        assert not any(can_move(final, other) for other in NeedStatus)


def test_doorstep_codes_are_four_digits() -> None:
    codes = {new_doorstep_code() for _ in range(200)}
    assert all(len(code) == 4 and code.isdigit() for code in codes)
    assert len(codes) > 1


# --- languages: within a distance tier, one who speaks the resident's language first ----------


def test_within_a_tier_a_volunteer_who_speaks_the_residents_language_is_asked_first() -> None:
    english = candidate(1, languages=frozenset({"en"}))
    ukrainian = candidate(2, languages=frozenset({"en", "uk"}), tasks_last_30_days=4)
    order = rank(need(language="uk"), [english, ukrainian], COMMUNITY, LONDON)
    assert [c.user_id for c in order] == [2, 1]


def test_the_language_never_jumps_a_distance_tier() -> None:
    same_area = candidate(1, languages=frozenset({"en"}))
    neighbour = candidate(2, areas=frozenset({"Centre"}), languages=frozenset({"uk"}))
    order = rank(need(language="uk"), [neighbour, same_area], COMMUNITY, LONDON)
    assert [c.user_id for c in order] == [1, 2]


def test_within_the_radius_tier_the_language_comes_before_the_distance() -> None:
    near = candidate(1, areas=frozenset(), lat=51.49, lon=-0.10, radius_km=20.0)
    far = candidate(
        2, areas=frozenset(), lat=51.42, lon=-0.10, radius_km=20.0, languages=frozenset({"pl"})
    )
    assert [c.user_id for c in rank(need(language="pl"), [near, far], COMMUNITY, LONDON)] == [2, 1]
    assert [c.user_id for c in rank(need(), [near, far], COMMUNITY, LONDON)] == [1, 2]


def test_without_a_known_language_the_order_is_as_before() -> None:
    busy = candidate(1, languages=frozenset({"uk"}), tasks_last_30_days=3)
    idle = candidate(2, languages=frozenset({"en"}))
    assert [c.user_id for c in rank(need(), [busy, idle], COMMUNITY, LONDON)] == [2, 1]
    assert [c.user_id for c in rank(need(language="en"), [busy, idle], COMMUNITY, LONDON)] == [
        2,
        1,
    ]
