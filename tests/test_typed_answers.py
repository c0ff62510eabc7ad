"""Typed answers wherever buttons are offered (product.md, Typed answers), through the real
Application: the label in any case, a close spelling, a plain word, a weekday, a house
number before a street. A word that fits nothing gets what was expected and the buttons
again, and changes nothing. Text outside any flow gets what one can do, with the menu.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

import pytest
from support.bot import (
    RESIDENT,
    START,
    VOLUNTEER,
    BotUnderTest,
    labels,
    need_until,
    plain,
)

from handlers import jobs, texts
from handlers.context import Ctx

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
SHOPPING = "Shopping & essentials"


def needs(bot: BotUnderTest) -> list[tuple[str, str, str, str, str]]:
    return bot.rows("SELECT category, area, description, wanted, status FROM needs ORDER BY id")


# --- the /need flow, typed from start to end -----------------------------------------------


async def test_a_whole_request_typed_instead_of_tapped(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT, VOLUNTEER)
    await bot.sign_up(VOLUNTEER, skills=("Prescriptions",), areas=("Trinity",))
    await bot.say(RESIDENT, "/need")

    await bot.say(RESIDENT, "perscription")  # a close spelling of a category
    assert plain(bot.last_text(RESIDENT)) == texts.ASK_AREA
    await bot.say(RESIDENT, "Flat 3, 12 Selwood Road")  # a street alias after the numbers
    assert "Area: Trinity." in plain(bot.last_text(RESIDENT))
    await bot.say(RESIDENT, "My repeat order from Boots on Market Place")
    await bot.say(RESIDENT, "friday")  # Wednesday today: within the week
    summary = plain(bot.last_text(RESIDENT))
    assert summary.startswith("Friday 14 Mar is within the week, so I've put This week.")
    assert "What: Prescriptions\nWhere: Trinity\nWhen: This week" in summary
    assert labels(bot.last(RESIDENT)) == ["Post", "Cancel"]
    await bot.say(RESIDENT, "Yes please")

    [need] = needs(bot)
    assert need == (
        "Prescriptions",
        "Trinity",
        "My repeat order from Boots on Market Place",
        "week",
        "open",
    )
    assert "#1" in plain(bot.last_text(RESIDENT))
    assert bot.message_with_button(VOLUNTEER, "Accept")  # matched like any need
    assert not bot.errors.records, bot.errors.describe()


@pytest.mark.parametrize(
    ("typed", "wanted", "said"),
    [
        ("TODAY", "today", None),
        ("tomorow", "tomorrow", None),
        ("this week", "week", None),
        ("no rush", "flexible", None),
        ("Wednesday", "today", "Wednesday 12 Mar is today, so I've put Today."),
        ("thursday", "tomorrow", "Thursday 13 Mar is tomorrow, so I've put Tomorrow."),
        ("next Wednesday", "flexible", "Wednesday 19 Mar is more than a week away"),
    ],
)
async def test_when_typed_as_a_word_or_a_weekday(
    bot: BotUnderTest, typed: str, wanted: str, said: str | None
) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "when")

    await bot.say(RESIDENT, typed)

    summary = plain(bot.last_text(RESIDENT))
    assert summary.startswith(said or "Please check")
    await bot.say(RESIDENT, "post")
    assert [n[3] for n in needs(bot)] == [wanted]


async def test_a_weekday_is_read_in_the_groups_time_zone(start_bot: StartBot) -> None:
    async with start_bot() as bot:
        # Saturday 14 June, 23:30 UTC: already Sunday 00:30 in London (summer time).
        bot.clock.advance(datetime(2025, 6, 14, 23, 30, tzinfo=UTC) - START)
        await bot.agree(RESIDENT)
        await need_until(bot, RESIDENT, "when")
        await bot.say(RESIDENT, "monday")
        assert plain(bot.last_text(RESIDENT)).startswith("Monday 16 Jun is tomorrow")


@pytest.mark.parametrize(
    ("step", "buttons"),
    [
        ("category", [SHOPPING, "Prescriptions"]),
        ("area", ["Town Centre", "Trinity"]),
        ("when", ["Today", "Tomorrow", "This week", "Flexible"]),
        ("confirm", ["Post", "Cancel"]),
    ],
)
async def test_a_word_that_fits_nothing_gets_what_was_expected_and_the_buttons(
    bot: BotUnderTest, step: str, buttons: list[str]
) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, step)
    before = bot.snapshot()

    await bot.say(RESIDENT, "banana")

    answer = bot.last(RESIDENT)
    if step == "area":
        assert "I don't know an area called “banana”" in plain(answer.text)
    else:
        assert answer.text == texts.EXPECTED[f"need.{step}"]
    for label in buttons:
        assert label in labels(answer)
    assert bot.snapshot() == before  # nothing changed, the step is the same


async def test_the_same_request_again_answered_in_words(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.post_need(RESIDENT)
    await need_until(bot, RESIDENT, "confirm")
    await bot.say(RESIDENT, "post")
    assert labels(bot.last(RESIDENT)) == ["Yes, it's new", "No, same one"]

    await bot.say(RESIDENT, "same one")

    assert "nothing new is posted" in plain(bot.last_text(RESIDENT))
    assert len(needs(bot)) == 1
    await need_until(bot, RESIDENT, "confirm")
    await bot.say(RESIDENT, "yes")
    await bot.say(RESIDENT, "it's new")
    assert len(needs(bot)) == 2


async def test_cancel_typed_at_the_summary_posts_nothing(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "confirm")
    await bot.say(RESIDENT, "no")
    assert bot.last_text(RESIDENT) == texts.CANCELLED
    assert bot.count("needs") == 0
    assert bot.conversation_state(RESIDENT) is None


# --- signing up, typed --------------------------------------------------------------------


async def test_a_volunteer_signs_up_in_words(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER)
    await bot.say(VOLUNTEER, "/volunteer")

    await bot.say(VOLUNTEER, "shopping and dog walking")
    assert "Ticked Shopping & essentials; Ticked Dog walking & pets" in plain(
        bot.last_text(VOLUNTEER)
    )
    await bot.say(VOLUNTEER, "dog walking")  # typed again: unticked, as a press would
    assert "Unticked Dog walking & pets" in plain(bot.last_text(VOLUNTEER))
    await bot.say(VOLUNTEER, "done")
    await bot.say(VOLUNTEER, "12 Selwood Road, Badcox")
    assert "Ticked Trinity; Ticked Badcox" in plain(bot.last_text(VOLUNTEER))
    await bot.say(VOLUNTEER, "Done")
    await bot.say(VOLUNTEER, "weekends")
    assert bot.last_text(VOLUNTEER).endswith(texts.ASK_VOLUNTEER_LANGUAGES)
    await bot.say(VOLUNTEER, "polish")
    assert "Ticked Polski" in plain(bot.last_text(VOLUNTEER))
    await bot.say(VOLUNTEER, "done")
    assert "Available: Weekends\nLanguages: English, Polski" in plain(bot.last_text(VOLUNTEER))
    await bot.say(VOLUNTEER, "save")

    assert bot.rows("SELECT category FROM volunteer_skills") == [(SHOPPING,)]
    assert sorted(bot.rows("SELECT area FROM volunteer_areas")) == [("Badcox",), ("Trinity",)]
    assert bot.rows("SELECT availability, languages FROM volunteers") == [("weekends", ",en,pl,")]


async def test_a_volunteer_typing_nonsense_or_done_too_soon_changes_nothing(
    bot: BotUnderTest,
) -> None:
    await bot.agree(VOLUNTEER)
    await bot.say(VOLUNTEER, "/volunteer")
    before = bot.snapshot()

    await bot.say(VOLUNTEER, "done")  # nothing ticked yet
    assert bot.last_text(VOLUNTEER) == texts.PICK_ONE_SKILL
    await bot.say(VOLUNTEER, "juggling")
    assert bot.last_text(VOLUNTEER) == texts.EXPECTED["volunteer.skills"]
    assert "Done" in labels(bot.last(VOLUNTEER))
    assert bot.snapshot() == before


async def test_a_radius_typed_after_a_location(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER)
    await bot.say(VOLUNTEER, "/volunteer")
    await bot.say(VOLUNTEER, "shopping")
    await bot.say(VOLUNTEER, "done")
    await bot.share_location(VOLUNTEER, 51.2318, -2.3275)
    await bot.say(VOLUNTEER, "3 km")  # not one of the choices
    assert bot.last_text(VOLUNTEER) == texts.EXPECTED["volunteer.radius"]
    await bot.say(VOLUNTEER, "2 km")
    assert "Within 2 km" in plain(bot.last_text(VOLUNTEER))
    await bot.say(VOLUNTEER, "done")
    await bot.say(VOLUNTEER, "any time")
    await bot.say(VOLUNTEER, "done")
    await bot.say(VOLUNTEER, "yes")
    assert bot.rows("SELECT radius_km FROM volunteers") == [(2.0,)]


# --- answers outside a flow ----------------------------------------------------------------


async def still_needed_asked(bot: BotUnderTest, when: str = "Today") -> int:
    need_id = await bot.post_need(RESIDENT, when=when)
    bot.clock.advance(timedelta(days=1))
    await jobs.tick(Ctx(application=bot.app))
    assert "Do you still need help?" in plain(bot.last_text(RESIDENT))
    return need_id


@pytest.mark.parametrize(
    ("typed", "status", "answer"),
    [("yes please", "open", "stays open"), ("No, close it", "closed", "is closed")],
)
async def test_still_need_help_answered_in_words(
    bot: BotUnderTest, typed: str, status: str, answer: str
) -> None:
    await bot.agree(RESIDENT)
    need_id = await still_needed_asked(bot)

    await bot.say(RESIDENT, typed)

    assert answer in plain(bot.last_text(RESIDENT))
    assert bot.rows("SELECT status FROM needs WHERE id=?", (need_id,)) == [(status,)]


async def test_a_typed_yes_with_two_questions_waiting_shows_both(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.post_need(RESIDENT, when="Today")
    await bot.post_need(RESIDENT, category="Prescriptions", when="Today")
    bot.clock.advance(timedelta(days=1))
    await jobs.tick(Ctx(application=bot.app))
    before = bot.snapshot()

    await bot.say(RESIDENT, "yes")

    assert bot.texts(RESIDENT)[-3] == texts.STILL_NEEDED_WHICH
    assert [labels(m) for m in bot.screen(RESIDENT)[-2:]] == [
        ["Yes, keep it open", "No, close it"]
    ] * 2
    assert bot.snapshot() == before


async def test_forget_answered_in_words(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.post_need(RESIDENT)
    await bot.say(RESIDENT, "/forget")
    before = bot.snapshot()

    await bot.say(RESIDENT, "hmm")  # neither: the question and its buttons again
    assert bot.last_text(RESIDENT) == texts.EXPECTED["forget"]
    assert labels(bot.last(RESIDENT)) == ["Delete my data", "Keep my data"]
    await bot.say(RESIDENT, "keep")
    assert bot.last_text(RESIDENT) == texts.FORGET_KEPT
    assert bot.snapshot() == before
    await bot.say(RESIDENT, "delete")  # no longer an answer: the question was answered
    assert bot.last_text(RESIDENT) == texts.UNKNOWN_TEXT

    await bot.say(RESIDENT, "/forget")
    await bot.say(RESIDENT, "Delete my data")
    assert bot.last_text(RESIDENT) == texts.FORGET_DONE
    assert bot.count("people", "id=?", (RESIDENT.id,)) == 0


async def test_text_outside_a_flow_gets_what_one_can_do_with_the_menu(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT, VOLUNTEER)
    await bot.sign_up(VOLUNTEER)
    before = bot.snapshot()

    await bot.say(RESIDENT, "hello, is anyone there?")
    await bot.say(VOLUNTEER, "hi")

    assert bot.last_text(RESIDENT) == texts.UNKNOWN_TEXT
    assert labels(bot.last(RESIDENT)) == ["I need help", "I can help"]
    assert "not sure what you mean" not in plain(bot.last_text(RESIDENT))
    assert bot.last_text(VOLUNTEER) == texts.UNKNOWN_TEXT_VOLUNTEER
    assert labels(bot.last(VOLUNTEER)) == ["I need help", "I can help", "My tasks"]
    assert bot.snapshot() == before
    await bot.press(VOLUNTEER, "My tasks")
    assert bot.last_text(VOLUNTEER) == texts.TASKS_EMPTY
    await bot.press(RESIDENT, "I need help")
    assert bot.last_text(RESIDENT) == texts.ASK_CATEGORY
