"""When a need is for, as the reader reads it; and wave deadlines that skip quiet hours.

Plain data in, plain data out: a need's window in UTC, the moment it is read, the group's
time zone. Europe/London's clocks go forward at 01:00 UTC on 2025-03-30 and back at 01:00
UTC on 2025-10-26, so a day there is sometimes 23 hours long and sometimes 25.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.dates import Day, NeedTime, Relative, Span, day_of, need_time
from domain.lifecycle import wave_deadline, window_for
from domain.models import Need, When
from domain.quiet import QuietHours, waking_deadline
from handlers import texts

LONDON = ZoneInfo("Europe/London")
NIGHT = QuietHours(start=time(21, 0), end=time(8, 0))
# Wednesday 12 March 2025, 09:30 GMT (London is UTC until the 30th).
WED = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def london(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A London wall-clock time, as UTC."""
    return datetime(y, mo, d, h, mi, tzinfo=LONDON).astimezone(UTC)


def posted(when: When, at: datetime) -> Need:
    start, end = window_for(when, at, LONDON)
    return Need(
        id=12,
        category="Shopping & essentials",
        area="Trinity",
        description="Milk",
        when=when,
        window_start=start,
        window_end=end,
        created_at=at,
        resident_id=1,
    )


def read(need: Need, at: datetime) -> str:
    """What a person reading about the need at `at` is told."""
    return texts.need_when(need, at, LONDON)


# --- one day: Today and Tomorrow -----------------------------------------------------------------


def test_a_tomorrow_need_is_for_tomorrow_on_the_day_it_is_posted_and_today_the_next() -> None:
    need = posted(When.TOMORROW, WED)
    assert read(need, WED) == "tomorrow"
    assert read(need, london(2025, 3, 12, 23, 59)) == "tomorrow"
    assert read(need, london(2025, 3, 13)) == "today"  # midnight: a new day
    assert read(need, london(2025, 3, 13, 8)) == "today"  # the reminder
    assert read(need, london(2025, 3, 13, 23, 59)) == "today"


def test_a_need_whose_day_is_over_says_when_it_was_due() -> None:
    need = posted(When.TOMORROW, WED)
    assert need_time(need, london(2025, 3, 14), LONDON) == NeedTime(
        Span.PASSED, Day(date(2025, 3, 13), Relative.YESTERDAY)
    )
    assert read(need, london(2025, 3, 14, 8)) == "was due yesterday"
    assert read(need, london(2025, 3, 15, 8)) == "was due on Thu 13 Mar"


def test_a_today_need_is_for_today_until_midnight() -> None:
    need = posted(When.TODAY, WED)
    assert read(need, WED) == "today"
    assert read(need, london(2025, 3, 12, 23, 59)) == "today"
    assert read(need, london(2025, 3, 13)) == "was due yesterday"


def test_a_day_further_ahead_is_named_and_another_year_says_which() -> None:
    start = london(2025, 3, 20)
    need = posted(When.TODAY, WED).model_copy(
        update={"window_start": start, "window_end": start + timedelta(days=1)}
    )
    assert read(need, WED) == "Thu 20 Mar"
    assert read(need, london(2025, 3, 19, 12)) == "tomorrow"
    assert texts.day_words(day_of(date(2026, 1, 7), date(2025, 12, 30))) == "Wed 7 Jan 2026"
    assert texts.day_words(day_of(date(2025, 12, 9), date(2025, 12, 1))) == "Tue 9 Dec"


# --- several days: This week, Flexible, kept open ------------------------------------------------


def test_a_this_week_need_counts_down_to_its_last_day() -> None:
    need = posted(When.THIS_WEEK, WED)  # until the end of Tuesday 18 March
    assert read(need, WED) == "any day up to Tue 18 Mar"
    assert read(need, london(2025, 3, 16, 20)) == "any day up to Tue 18 Mar"
    assert read(need, london(2025, 3, 17, 9)) == "today or tomorrow"
    assert read(need, london(2025, 3, 18, 9)) == "today"  # the last day
    assert read(need, london(2025, 3, 19, 8)) == "was due yesterday"


def test_a_flexible_need_is_any_time_until_its_last_day() -> None:
    need = posted(When.FLEXIBLE, WED)  # a fortnight: to the end of Tuesday 25 March
    assert read(need, WED) == "any time"
    assert read(need, london(2025, 3, 24, 12)) == "any time"
    assert read(need, london(2025, 3, 25, 12)) == "today"
    assert read(need, london(2025, 3, 26, 8)) == "was due yesterday"


def test_a_need_kept_open_another_week_is_no_longer_said_to_be_for_today() -> None:
    need = posted(When.TODAY, WED)
    kept = need.model_copy(update={"window_end": london(2025, 3, 13, 8) + timedelta(days=7)})
    assert read(kept, london(2025, 3, 13, 8)) == "any day up to Thu 20 Mar"


def test_a_window_that_has_not_started_says_from_when_to_when() -> None:
    need = posted(When.THIS_WEEK, WED).model_copy(
        update={"window_start": london(2025, 3, 14), "window_end": london(2025, 3, 17)}
    )
    assert read(need, WED) == "any day from Fri 14 Mar to Sun 16 Mar"
    assert read(need, london(2025, 3, 13, 10)) == "any day from tomorrow to Sun 16 Mar"
    assert read(need, london(2025, 3, 14, 10)) == "any day up to Sun 16 Mar"


# --- the clocks changing -------------------------------------------------------------------------


def test_clocks_going_forward_the_day_ends_at_local_midnight_not_utc() -> None:
    # Posted on Saturday 29 March for tomorrow, Sunday 30th: the day the clocks go forward,
    # 23 hours long, ending at 23:00 UTC.
    need = posted(When.TOMORROW, utc(2025, 3, 29, 12))
    assert need.window_end == utc(2025, 3, 30, 23)
    assert read(need, utc(2025, 3, 29, 23, 30)) == "tomorrow"  # Saturday 23:30 GMT
    assert read(need, utc(2025, 3, 30, 0, 30)) == "today"  # Sunday 00:30 GMT
    assert read(need, utc(2025, 3, 30, 2)) == "today"  # 03:00 BST
    assert read(need, utc(2025, 3, 30, 22, 59)) == "today"  # 23:59 BST
    assert read(need, utc(2025, 3, 30, 23)) == "was due yesterday"  # Monday 00:00 BST
    # Posted just after midnight on Monday (BST), while the UTC date is still Sunday.
    early = posted(When.TODAY, utc(2025, 3, 30, 23, 30))
    assert read(early, utc(2025, 3, 30, 23, 30)) == "today"
    assert early.window_end == utc(2025, 3, 31, 23)


def test_clocks_going_back_the_day_starts_at_local_midnight_not_utc() -> None:
    # Posted on Saturday 25 October for tomorrow, Sunday 26th: 25 hours long.
    need = posted(When.TOMORROW, utc(2025, 10, 25, 10))
    assert need.window_start == utc(2025, 10, 25, 23)  # 00:00 BST
    assert need.window_end == utc(2025, 10, 27)  # 00:00 GMT
    assert read(need, utc(2025, 10, 25, 22, 59)) == "tomorrow"  # Saturday 23:59 BST
    assert read(need, utc(2025, 10, 25, 23, 30)) == "today"  # Sunday 00:30 BST
    assert read(need, utc(2025, 10, 26, 23, 59)) == "today"  # Sunday 23:59 GMT
    assert read(need, utc(2025, 10, 27)) == "was due yesterday"


# --- wave deadlines and quiet hours --------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "duration", "deadline"),
    [
        # The time to answer stops at 21:00 and runs on from 08:00.
        (london(2025, 3, 12, 20, 50), timedelta(minutes=20), london(2025, 3, 13, 8, 10)),
        (london(2025, 3, 12, 20), timedelta(hours=2), london(2025, 3, 13, 9)),
        # Used up exactly as quiet hours begin: moves on as they end.
        (london(2025, 3, 12, 20, 40), timedelta(minutes=20), london(2025, 3, 13, 8)),
        # Asked in quiet hours (by a coordinator's /assign, say): counted from 08:00.
        (london(2025, 3, 12, 23), timedelta(minutes=20), london(2025, 3, 13, 8, 20)),
        (london(2025, 3, 13, 6), timedelta(minutes=20), london(2025, 3, 13, 8, 20)),
        # Daytime: untouched.
        (london(2025, 3, 12, 9, 30), timedelta(minutes=20), london(2025, 3, 12, 9, 50)),
        # Across the clocks going forward and back: 08:10 on the local clock.
        (london(2025, 3, 29, 20, 50), timedelta(minutes=20), london(2025, 3, 30, 8, 10)),
        (london(2025, 10, 25, 20, 50), timedelta(minutes=20), london(2025, 10, 26, 8, 10)),
        # Longer than a day's waking hours: two nights skipped.
        (london(2025, 3, 12, 9), timedelta(hours=30), london(2025, 3, 14, 13)),
    ],
)
def test_a_wave_deadline_skips_quiet_hours(
    asked: datetime, duration: timedelta, deadline: datetime
) -> None:
    assert waking_deadline(asked, duration, NIGHT, LONDON) == deadline


def test_the_clocks_changing_overnight_land_on_local_times() -> None:
    assert london(2025, 3, 30, 8, 10) == utc(2025, 3, 30, 7, 10)
    assert london(2025, 10, 26, 8, 10) == utc(2025, 10, 26, 8, 10)


def test_without_quiet_hours_a_deadline_is_plain_arithmetic() -> None:
    asked = london(2025, 3, 12, 20, 50)
    assert waking_deadline(asked, timedelta(minutes=20), None, LONDON) == london(
        2025, 3, 12, 21, 10
    )


def test_daytime_quiet_hours_pause_the_clock_too() -> None:
    lunch = QuietHours(start=time(13, 0), end=time(14, 0))
    asked = london(2025, 3, 12, 12, 50)
    assert waking_deadline(asked, timedelta(minutes=20), lunch, LONDON) == london(
        2025, 3, 12, 14, 10
    )


def test_wave_deadline_uses_the_urgent_timeout_for_today_and_skips_the_night() -> None:
    asked = london(2025, 3, 12, 20, 50)
    args = (asked, timedelta(hours=2), timedelta(minutes=20))
    assert wave_deadline(When.TODAY, *args, quiet=NIGHT, tz=LONDON) == london(2025, 3, 13, 8, 10)
    assert wave_deadline(When.TOMORROW, *args, quiet=NIGHT, tz=LONDON) == london(2025, 3, 13, 9, 50)
    assert wave_deadline(When.TODAY, *args, quiet=None, tz=LONDON) == london(2025, 3, 12, 21, 10)
