"""Typed answers as plain data: what a typed word stands for, and what it does not.

Also the community file's part: house numbers and postcodes before an alias, close
spellings of an area, and `allowed_in` on a signpost.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from domain import answers
from domain.answers import Confirm, Resume, WhenAnswer
from domain.community import (
    DEFAULT_CATEGORIES,
    DEFAULT_SIGNPOSTS,
    Community,
    CommunityError,
    load_community,
    parse_community,
)
from domain.models import Availability, When

CATEGORIES = answers.category_options(DEFAULT_CATEGORIES)
WEDNESDAY = date(2025, 3, 12)


def example() -> Community:
    with resources.as_file(resources.files("bot") / "community.example.toml") as path:
        return load_community(Path(path))


FROME = example()


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("Prescriptions", "Prescriptions"),
        ("PRESCRIPTIONS", "Prescriptions"),
        ("prescription", "Prescriptions"),
        ("perscription", "Prescriptions"),  # a close spelling
        ("I need a prescription please", "Prescriptions"),
        ("shopping", "Shopping & essentials"),
        ("Shoping", "Shopping & essentials"),
        ("shopping & essentials", "Shopping & essentials"),
        ("dog walking", "Dog walking & pets"),
        ("a lift", "Transport to appointments"),
        ("someone to talk to", "Phone befriending"),
        ("something else", "Other"),
    ],
)
def test_a_category_is_found_by_its_name_a_plain_word_or_a_close_spelling(
    typed: str, category: str
) -> None:
    assert answers.pick(typed, CATEGORIES) == category


@pytest.mark.parametrize(
    "typed",
    ["banana", "hello", "pizza", "weather", "", "   ", "?!", "Shopping please, today, yes post it"],
)
def test_a_word_that_fits_no_category_is_not_guessed_at(typed: str) -> None:
    assert answers.pick(typed, CATEGORIES) is None


def test_several_categories_in_one_answer() -> None:
    assert answers.pick_many("shopping, dog walking and post", CATEGORIES) == [
        "Shopping & essentials",
        "Dog walking & pets",
        "Post & errands",
    ]
    assert answers.pick_many("shopping and bananas", CATEGORIES) is None


@pytest.mark.parametrize(
    ("typed", "when", "day"),
    [
        ("Today", When.TODAY, None),
        ("tomorrow please", When.TOMORROW, None),
        ("tomorow", When.TOMORROW, None),
        ("this week", When.THIS_WEEK, None),
        ("whenever", When.FLEXIBLE, None),
        ("Wednesday", When.TODAY, date(2025, 3, 12)),  # today is a Wednesday
        ("thursday", When.TOMORROW, date(2025, 3, 13)),
        ("Friday", When.THIS_WEEK, date(2025, 3, 14)),
        ("on Tuesday morning", When.THIS_WEEK, date(2025, 3, 18)),  # six days on
        ("next wednesday", When.FLEXIBLE, date(2025, 3, 19)),  # a week on
        ("sat", When.THIS_WEEK, date(2025, 3, 15)),
        ("wensday", When.TODAY, date(2025, 3, 12)),
    ],
)
def test_when_is_a_label_a_plain_word_or_a_weekday(
    typed: str, when: When, day: date | None
) -> None:
    assert answers.pick_when(typed, WEDNESDAY) == WhenAnswer(when, day)


@pytest.mark.parametrize("typed", ["not today", "hello? are you still there", "soon-ish maybe"])
def test_when_is_not_guessed_at(typed: str) -> None:
    assert answers.pick_when(typed, WEDNESDAY) is None


def test_yes_no_and_the_other_small_answers() -> None:
    post = (answers.POST_WORDS, answers.CANCEL_WORDS)
    assert answers.yes_or_no("Yes please", *post) is Confirm.YES
    assert answers.yes_or_no("post it", *post) is Confirm.YES
    assert answers.yes_or_no("nope", *post) is Confirm.NO
    assert answers.yes_or_no("cancel", *post) is Confirm.NO
    assert answers.yes_or_no("perhaps", *post) is None
    assert answers.pick_resume("Carry on") is Resume.CARRY_ON
    assert answers.pick_resume("start over") is Resume.START_AGAIN
    assert answers.pick_resume("hello? are you still there") is None
    availability = list(answers.AVAILABILITY_WORDS.items())
    assert answers.pick("weekend", availability) is Availability.WEEKENDS
    assert answers.pick("Evenins", availability) is Availability.EVENINGS
    assert answers.pick_km("2 km", (1.0, 2.0, 5.0)) == 2.0
    assert answers.pick_km("5k", (1.0, 2.0, 5.0)) == 5.0
    assert answers.pick_km("3", (1.0, 2.0, 5.0)) is None


@pytest.mark.parametrize(
    "typed",
    [
        "12 Selwood Road",
        "12a Selwood Road",
        "Flat 3, 12 Selwood Road",
        "3/12 Selwood Road",
        "No. 12 selwood road",
        "Selwood Road, Frome",
        "12 Selwood Rd",
        "Trinty",  # a close spelling of the area itself
    ],
)
def test_house_and_flat_numbers_before_an_alias_are_ignored(typed: str) -> None:
    assert FROME.read_area(typed) == FROME.area("Trinity")


def test_a_full_postcode_finds_its_district_and_nonsense_finds_nothing() -> None:
    assert FROME.read_area("BA11 1AB") == FROME.area("Town Centre")
    for typed in ("hello? are you still there", "Zanzibar", "12", "Trin", "BA11 6ZZ"):
        assert FROME.read_area(typed) is None, typed


# --- signposts in context -------------------------------------------------------------------


def test_a_signpost_does_not_block_where_its_words_are_expected() -> None:
    community = parse_community('name = "Town"\n[[areas]]\nname = "North"\n')
    said = "The doctor has sent it over to the chemist"
    assert [s.topic for s in community.signposts_for(said)] == ["Medical help"]
    assert community.signposts_for(said, "Prescriptions") == []
    assert community.signposts_for(said, "transport to appointments") == []
    assert [s.topic for s in community.signposts_for(said, "Shopping & essentials")] == [
        "Medical help"
    ]
    # A dressing to change is medical care wherever it is asked for.
    assert [s.topic for s in community.signposts_for("change my dressing", "Prescriptions")] == [
        "Medical care"
    ]


def test_emergencies_and_self_harm_are_emergencies() -> None:
    emergencies = {s.topic for s in DEFAULT_SIGNPOSTS if s.is_emergency}
    assert emergencies == {"Emergencies", "Feeling low"}
    custom = parse_community(
        'name = "T"\n[[areas]]\nname = "N"\n'
        '[[signposts]]\ntopic = "Emergency help"\ntext = "999"\nkeywords = ["fire"]\n'
        '[[signposts]]\ntopic = "Cards"\ntext = "No"\nkeywords = ["pin"]\nemergency = true\n'
    )
    assert [s.is_emergency for s in custom.signposts] == [True, True]


def test_allowed_in_must_name_a_category() -> None:
    toml = (
        'name = "T"\n[[areas]]\nname = "N"\n'
        '[[signposts]]\ntopic = "Medical help"\ntext = "Call 111"\nkeywords = ["doctor"]\n'
        'allowed_in = ["Prescription"]\n'
    )
    with pytest.raises(CommunityError) as caught:
        parse_community(toml)
    message = str(caught.value)
    assert "allowed_in (line 8)" in message and "'Prescription'" in message
    assert "not a category" in message
    fixed = toml.replace('["Prescription"]', '["prescriptions"]')
    assert parse_community(fixed).signposts[0].allowed_in == ("prescriptions",)


def test_the_bundled_example_lists_the_default_signposts() -> None:
    assert FROME.signposts == DEFAULT_SIGNPOSTS
    medical = next(s for s in DEFAULT_SIGNPOSTS if s.topic == "Medical help")
    assert medical.allowed_in == ("Prescriptions", "Transport to appointments")
