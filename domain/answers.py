"""Typed answers: what someone meant when they typed instead of tapping a button.

Wherever the bot offers buttons, a typed answer works too (product.md, Typed answers): the
label itself in any case, a close spelling, or a plain word people use ("prescription",
"tomorrow", "yes", a weekday). House and flat numbers before a street or estate are
ignored, and a full postcode finds its district. Only when nothing fits is the answer
None, and the bot says what it expected.

Pure functions of text (and of today's date, for weekdays): no Telegram, no clock.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

from domain.models import Availability, When

T = TypeVar("T", bound=Hashable)
Options = Sequence[tuple[T, Sequence[str]]]

# A close spelling is one this similar to a phrase (difflib's ratio): "perscription" is
# 0.92 from "prescription", "hello" 0.67 from "help". Short words are never guessed at.
CLOSE = 0.8
MIN_CLOSE = 4
# Two options this near each other in likeness are both plausible: neither is chosen.
AMBIGUOUS = 0.05

# Words that carry no answer: "yes please", "shopping thanks", "I need a prescription".
FILLER = frozenset(
    "please pls plz thanks thank thx ta cheers i id im ill need needs want would like some "
    "a an the my me with for help just it its is be can could someone somebody get do oh "
    "um er erm hi hello hey love dear".split()
)


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, `&` read as `and`, punctuation as spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("&", " and ").replace("’", "'").replace("'", "")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def core(text: str) -> str:
    """The words of an answer without the ones that carry none."""
    return " ".join(w for w in normalise(text).split() if w not in FILLER)


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def pick(text: str, options: Options[T], *, close: bool = True) -> T | None:
    """The one option the text stands for: a phrase of it as typed (any case, with or
    without filler words), else the phrase it is a close spelling of. None when nothing
    fits, or when two options fit equally well."""
    said, meant = normalise(text), core(text)
    if not said:
        return None
    exact = {
        value
        for value, phrases in options
        for phrase in phrases
        if said == normalise(phrase) or (meant and meant == core(phrase))
    }
    if len(exact) == 1:
        return exact.pop()
    if exact or not close or len(meant) < MIN_CLOSE:
        return None
    best: dict[T, float] = {}
    for value, phrases in options:
        for phrase in phrases:
            target = core(phrase)
            if len(target) >= MIN_CLOSE:
                best[value] = max(best.get(value, 0.0), _likeness(meant, target))
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < CLOSE:
        return None
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - AMBIGUOUS:
        return None
    return ranked[0][0]


_SEPARATORS = re.compile(r",|;|/|\+|&|\n|\band\b|\balso\b", re.IGNORECASE)


def list_parts(text: str) -> list[str]:
    """The items of a typed list: "shopping, dog walking and post" has three."""
    return [p.strip() for p in _SEPARATORS.split(text) if core(p)]


def pick_many(text: str, options: Options[T]) -> list[T] | None:
    """Several options in one answer ("shopping, dog walking and post"): the whole text
    first, then each part; None unless every part fits."""
    whole = pick(text, options)
    if whole is not None:
        return [whole]
    parts = list_parts(text)
    if len(parts) < 2:
        return None
    found: list[T] = []
    for part in parts:
        value = pick(part, options)
        if value is None:
            return None
        if value not in found:
            found.append(value)
    return found


# --- plain words for the buttons -------------------------------------------------------------

YES = ("yes", "y", "yeah", "yep", "yup", "yea", "ok", "okay", "sure", "aye", "correct", "go ahead")
NO = ("no", "n", "nope", "nah", "no thanks", "no thank you", "not now")

# The default categories (product.md) and the words people use for them; any category's
# own name, and each part of it ("Dog walking", "pets"), works too.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "shopping and essentials": (
        "shopping",
        "shop",
        "shops",
        "food",
        "food shopping",
        "groceries",
        "grocery",
        "supermarket",
        "essentials",
        "bread and milk",
    ),
    "prescriptions": (
        "prescription",
        "medicine",
        "medicines",
        "medication",
        "meds",
        "pharmacy",
        "chemist",
        "tablets",
        "pills",
    ),
    "dog walking and pets": (
        "dog",
        "dogs",
        "dog walk",
        "walk the dog",
        "walk my dog",
        "walking the dog",
        "pet",
        "pets",
        "cat",
        "pet food",
    ),
    "phone befriending": (
        "phone",
        "phone call",
        "call",
        "a chat",
        "chat",
        "befriending",
        "someone to talk to",
        "talk",
        "company",
        "lonely",
    ),
    "transport to appointments": (
        "transport",
        "lift",
        "a lift",
        "drive",
        "driver",
        "ride",
        "appointment",
        "hospital appointment",
        "taxi",
    ),
    "post and errands": ("post", "post office", "letter", "letters", "parcel", "errand", "errands"),
    "lending items": ("lend", "lending", "borrow", "loan", "lend me"),
    "other": ("other", "something else", "anything else", "not sure"),
}


def category_phrases(name: str) -> tuple[str, ...]:
    """What may be typed for a category: its name, each part of it, its plain words."""
    key = normalise(name)
    parts = tuple(p for p in key.split(" and ") if p)
    return (name, *parts, *CATEGORY_WORDS.get(key, ()))


def category_options(names: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    return [(name, category_phrases(name)) for name in names]


WHEN_WORDS: dict[When, tuple[str, ...]] = {
    When.TODAY: (
        "today",
        "now",
        "right now",
        "asap",
        "as soon as possible",
        "urgent",
        "urgently",
        "straight away",
        "right away",
        "tonight",
        "this morning",
        "this afternoon",
        "this evening",
        "later today",
    ),
    When.TOMORROW: (
        "tomorrow",
        "tmrw",
        "tmw",
        "tomorrow morning",
        "tomorrow afternoon",
        "tomorrow evening",
        "tomorrow night",
    ),
    When.THIS_WEEK: (
        "this week",
        "week",
        "in the week",
        "sometime this week",
        "within a week",
        "in a few days",
        "next few days",
        "in the next few days",
    ),
    When.FLEXIBLE: (
        "flexible",
        "any time",
        "anytime",
        "whenever",
        "no rush",
        "no hurry",
        "not urgent",
        "any day",
        "next week",
        "sometime",
        "dont mind",
        "whatever suits",
    ),
}

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SHORT_DAYS = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "weds": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_AROUND_A_DAY = frozenset(
    "on this next coming morning afternoon evening night by before at in from".split()
)


def weekday(text: str) -> tuple[int, bool] | None:
    """(Monday=0 .. Sunday=6, said with `next`) for an answer that names one weekday."""
    words = core(text).split()
    said_next = "next" in words
    rest = [w for w in words if w not in _AROUND_A_DAY]
    if len(rest) != 1:
        return None
    word = rest[0].removesuffix("s") if rest[0].endswith("days") else rest[0]
    if word in _SHORT_DAYS:
        return _SHORT_DAYS[word], said_next
    index = pick(word, [(i, (name,)) for i, name in enumerate(WEEKDAYS)])
    return (index, said_next) if index is not None else None


@dataclass(frozen=True)
class WhenAnswer:
    when: When
    day: date | None = None  # the day named, when a weekday was typed


def when_for_day(day: int, today: date, said_next: bool = False) -> WhenAnswer:
    """A weekday as a When: today, tomorrow, within the week (This week), or later."""
    ahead = (day - today.weekday()) % 7
    if said_next and ahead == 0:
        ahead = 7  # "next Wednesday" on a Wednesday is a week away
    if ahead == 0:
        when = When.TODAY
    elif ahead == 1:
        when = When.TOMORROW
    elif ahead <= 6:
        when = When.THIS_WEEK
    else:
        when = When.FLEXIBLE
    return WhenAnswer(when, today + timedelta(days=ahead))


def pick_when(text: str, today: date) -> WhenAnswer | None:
    """`Today`, `Tomorrow`, `This week` or `Flexible` as typed, or a weekday (`today` is
    the local date in the group's time zone)."""
    chosen = pick(text, list(WHEN_WORDS.items()))
    if chosen is not None:
        return WhenAnswer(chosen)
    named = weekday(text)
    return when_for_day(named[0], today, named[1]) if named is not None else None


AVAILABILITY_WORDS: dict[Availability, tuple[str, ...]] = {
    Availability.ANY: ("any time", "anytime", "whenever", "always", "all the time", "any"),
    Availability.WEEKDAYS: ("weekdays", "weekday", "week days", "mon to fri", "during the week"),
    Availability.WEEKENDS: ("weekends", "weekend", "saturdays and sundays"),
    Availability.EVENINGS: ("evenings", "evening", "after work", "nights"),
}

DONE_WORDS = ("done", "thats all", "thats it", "finished", "all done", "next", "nothing else")


def pick_km(text: str, choices: Sequence[float]) -> float | None:
    """A radius typed as `2`, `2 km`, `5k` or `two`: one of `choices`."""
    words = {"one": 1.0, "two": 2.0, "five": 5.0}
    said = normalise(text)
    match = re.fullmatch(
        r"(?:within\s+)?(\d+(?:\s\d+)?|one|two|five)\s*(?:k|km|kms|kilometres|kilometers)?",
        said,
    )
    if match is None:
        return None
    number = match.group(1)
    km = words.get(number) or float(number.replace(" ", "."))
    return km if km in choices else None


# --- yes and no, by question ----------------------------------------------------------------


class Confirm(StrEnum):
    """The two answers to a question with a yes button and a no button."""

    YES = "yes"
    NO = "no"


def yes_or_no(text: str, yes: Sequence[str] = (), no: Sequence[str] = ()) -> Confirm | None:
    """A yes or a no, in plain words or the question's own button labels."""
    return pick(text, [(Confirm.YES, (*yes, *YES)), (Confirm.NO, (*no, *NO))])


POST_WORDS = ("post", "post it", "send", "send it", "submit", "confirm", "looks good", "fine")
CANCEL_WORDS = ("cancel", "stop", "dont post", "discard", "forget it", "never mind", "nevermind")
NEW_WORDS = ("yes its new", "its new", "new", "a new one", "different", "its different")
SAME_WORDS = ("no same one", "same one", "same", "the same", "its the same", "same thing")
SAVE_WORDS = ("save", "save it", "looks good", "fine")
# After signposts: the resident says the signpost is not what they meant. A bare "ok" or
# "thanks" there reads as thanks for the signposts, never as "post it".
POST_ANYWAY_WORDS = ("its not that", "not that", "post it", "post", "post it anyway", "yes post it")
SIGNPOSTED_NO = ("no", "cancel", "ok", "okay", "thanks", "thank you", "ok thanks", "fine", "stop")
KEEP_OPEN_WORDS = ("yes keep it open", "keep it open", "keep", "keep open", "still need help")
CLOSE_IT_WORDS = ("no close it", "close it", "close", "dont need", "not needed", "sorted")
DELETE_WORDS = ("delete", "delete my data", "yes delete", "delete it")
KEEP_DATA_WORDS = ("keep my data", "keep", "keep it", "cancel", "dont")


class Resume(StrEnum):
    """What to do with a flow put aside."""

    CARRY_ON = "c"
    START_AGAIN = "a"
    CANCEL = "x"


RESUME_WORDS: dict[Resume, tuple[str, ...]] = {
    Resume.CARRY_ON: ("carry on", "continue", "resume", "go on", "keep going", "yes"),
    Resume.START_AGAIN: ("start again", "restart", "start over", "again", "begin again", "new"),
    Resume.CANCEL: ("cancel", "stop", "no", "forget it", "never mind"),
}


def pick_resume(text: str) -> Resume | None:
    return pick(text, list(RESUME_WORDS.items()))


# --- places ---------------------------------------------------------------------------------

# A house, flat or unit number before a street: "12", "12a", "3/12", "12-14", "No. 12",
# "Flat 3,", "Apartment 2b".
_FLAT = re.compile(r"^\s*(?:flat|apartment|apt|unit|room)\.?\s*\w+\b[\s,]*", re.IGNORECASE)
_NUMBER = re.compile(
    r"^\s*(?:(?:no|number|house)\.?\s*)?\d+[a-z]?(?:\s*[/-]\s*\d+[a-z]?)?\b[\s,]*",
    re.IGNORECASE,
)
# A full UK postcode: its district ("BA11") and sector ("BA11 1") are what areas name.
_POSTCODE = re.compile(r"^([a-z]{1,2}\d[a-z\d]?)\s*(\d)[a-z]{2}$", re.IGNORECASE)


def without_house_number(text: str) -> str:
    """The street or estate after any flat and house number."""
    rest = text
    for _ in range(3):
        shorter = _NUMBER.sub("", _FLAT.sub("", rest, count=1), count=1)
        if shorter == rest:
            break
        rest = shorter
    return rest.strip(" ,")


def place_candidates(text: str) -> list[str]:
    """What an area may be looked up by in a typed address, most likely first: the text
    itself, without a house or flat number, each comma-separated part, and the sector and
    district of a full postcode."""
    found: list[str] = []

    def add(candidate: str) -> None:
        candidate = candidate.strip(" ,")
        if candidate and candidate not in found:
            found.append(candidate)

    add(text)
    add(without_house_number(text))
    for part in text.split(","):
        add(without_house_number(part))
    for candidate in list(found):
        postcode = _POSTCODE.match(candidate.strip())
        if postcode:
            add(f"{postcode.group(1)} {postcode.group(2)}")
            add(postcode.group(1))
    return found
