"""People named in a coordinator's command: `@username`, a first name, or an id.

Plain data in, plain data out. The store finds everyone a typed reference could mean
(storage/directory.py); `match` decides who it means: an id or a username exactly, a first
name exactly (ignoring case) before one that merely starts with what was typed. Several
equally good: the coordinator is shown each, labelled so they can tell them apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

MAX_NAME = 64
MAX_CHOICES = 8  # buttons offered when a name fits several people

_USERNAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{3,31})$")


class RefKind(StrEnum):
    ID = "id"
    USERNAME = "username"
    NAME = "name"


@dataclass(frozen=True)
class PersonRef:
    """What a coordinator typed to name someone."""

    kind: RefKind
    value: str  # the id's digits, the username without @, or the name as typed

    @property
    def user_id(self) -> int | None:
        return int(self.value) if self.kind is RefKind.ID else None

    def folded(self) -> str:
        return fold(self.value)


def fold(text: str) -> str:
    """A name as compared: case and spacing ignored."""
    return " ".join(text.casefold().split())


def parse_ref(text: str | None) -> PersonRef | None:
    """`@priya`, `5550001` (or `id5550001`), `Priya`; None for nothing usable (a request
    number like `#12`, punctuation, an over-long word)."""
    text = (text or "").strip()
    if not text or len(text) > MAX_NAME:
        return None
    if text.startswith("@"):
        m = _USERNAME.match(text)
        return PersonRef(RefKind.USERNAME, m.group(1)) if m else None
    digits = text.removeprefix("id").removeprefix("ID")
    if digits.isdigit():
        return PersonRef(RefKind.ID, str(int(digits))) if len(digits) < 16 else None
    if text.startswith("#") or not any(c.isalpha() for c in text):
        return None
    return PersonRef(RefKind.NAME, text)


class Standing(StrEnum):
    """How a person is described beside their name (the most telling first)."""

    COORDINATOR = "coordinator"
    LIAISON = "liaison"
    VOLUNTEER = "volunteer"
    PENDING = "pending"  # a volunteer waiting for approval
    RESIDENT = "resident"


@dataclass(frozen=True)
class Known:
    """Someone the store knows, as a coordinator tells people apart."""

    user_id: int
    first_name: str
    username: str | None = None
    standing: Standing = Standing.RESIDENT
    area: str | None = None  # a volunteer's first area, or the area of a resident's request
    blocked: bool = False
    volunteer: bool = False  # has a volunteer profile (approved or not)
    approved: bool = False

    @property
    def pending(self) -> bool:
        """A volunteer waiting for a coordinator's approval."""
        return self.volunteer and not self.approved


class Outcome(StrEnum):
    FOUND = "found"
    SEVERAL = "several"
    NOBODY = "nobody"


@dataclass(frozen=True)
class Match:
    outcome: Outcome
    people: tuple[Known, ...] = ()

    @property
    def person(self) -> Known | None:
        return self.people[0] if self.outcome is Outcome.FOUND else None


def standing_of(roles: Iterable[str], volunteer: bool, approved: bool) -> Standing:
    """The most telling thing about someone: a role, else whether they volunteer."""
    held = set(roles)
    if "coordinator" in held:
        return Standing.COORDINATOR
    if "liaison" in held:
        return Standing.LIAISON
    if volunteer:
        return Standing.VOLUNTEER if approved else Standing.PENDING
    return Standing.RESIDENT


def _result(people: list[Known]) -> Match:
    people = sorted(people, key=lambda p: (_ORDER[p.standing], fold(p.first_name), p.user_id))
    if not people:
        return Match(Outcome.NOBODY)
    if len(people) == 1:
        return Match(Outcome.FOUND, (people[0],))
    return Match(Outcome.SEVERAL, tuple(people[:MAX_CHOICES]))


_ORDER = {r: i for i, r in enumerate(Standing)}


def match(ref: PersonRef, people: Iterable[Known]) -> Match:
    """Who `ref` means among `people` (everyone it could mean, and perhaps others)."""
    people = list(people)
    if ref.kind is RefKind.ID:
        return _result([p for p in people if p.user_id == ref.user_id])
    if ref.kind is RefKind.USERNAME:
        return _result([p for p in people if p.username and fold(p.username) == ref.folded()])
    typed = ref.folded()
    exact = [p for p in people if fold(p.first_name) == typed]
    if exact:
        return _result(exact)
    # Someone typing a username without its @ means that person, if the name fits nobody.
    by_username = [p for p in people if p.username and fold(p.username) == typed]
    if by_username:
        return _result(by_username)
    starts = [p for p in people if fold(p.first_name).startswith(typed)]
    if starts:
        return _result(starts)
    # "Mary" for "Anne-Mary", "Ann" for "Mary Ann": a later word of the name.
    words = [
        p
        for p in people
        if any(w.startswith(typed) for w in re.split(r"[\s\-]+", fold(p.first_name))[1:])
    ]
    return _result(words)


MENU_SECTIONS = ("resident", "volunteer", "coordinator", "liaison")


def menu_sections(roles: Iterable[str], volunteer: bool) -> tuple[str, ...]:
    """Whose commands someone's /help and command menu list: everyone's, then an approved
    volunteer's, a coordinator's and a liaison's, as they hold each."""
    held = set(roles)
    wanted = {
        "resident",
        *(("volunteer",) if volunteer else ()),
        *(held & {"coordinator", "liaison"}),
    }
    return tuple(s for s in MENU_SECTIONS if s in wanted)


# --- volunteers as /volunteers lists them ----------------------------------------------------

PAGE_SIZE = 10


class VolunteerState(StrEnum):
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"  # has blocked the bot
    PENDING = "pending"
    PAUSED = "paused"
    APPROVED = "approved"


@dataclass(frozen=True)
class VolunteerCard:
    """A volunteer with what they did lately: one entry of /volunteers."""

    user_id: int
    first_name: str
    username: str | None = None
    skills: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    approved: bool = False
    vetted: bool = False
    on_duty: bool = True
    blocked: bool = False
    reachable: bool = True
    radius_km: float | None = None
    open_tasks: int = 0
    tasks_30d: int = 0
    hours_30d: float = 0.0

    @property
    def state(self) -> VolunteerState:
        if self.blocked:
            return VolunteerState.BLOCKED
        if not self.approved:
            return VolunteerState.PENDING
        if not self.reachable:
            return VolunteerState.UNREACHABLE
        return VolunteerState.APPROVED if self.on_duty else VolunteerState.PAUSED


# Words that pick volunteers by state rather than by name, skill or area.
STATE_WORDS = {
    "pending": {VolunteerState.PENDING},
    "waiting": {VolunteerState.PENDING},
    "new": {VolunteerState.PENDING},
    "paused": {VolunteerState.PAUSED},
    "blocked": {VolunteerState.BLOCKED},
    "approved": {VolunteerState.APPROVED, VolunteerState.PAUSED, VolunteerState.UNREACHABLE},
}


def _fits_word(card: VolunteerCard, word: str) -> bool:
    if word in STATE_WORDS:
        return card.state in STATE_WORDS[word]
    if word == "vetted":
        return card.vetted
    if word.lstrip("#").isdigit():
        return str(card.user_id) == word.lstrip("#")
    names = [card.first_name, card.username or "", *card.skills, *card.areas]
    return any(word in fold(n) for n in names if n) or (
        word.startswith("@") and fold(card.username or "") == word[1:]
    )


def search(cards: Iterable[VolunteerCard], words: str) -> list[VolunteerCard]:
    """Volunteers every typed word fits (a name, username, skill, area, id, or a state such
    as `pending`, `paused`, `vetted`); those waiting for approval first, then by name."""
    wanted = fold(words).split()
    found = [c for c in cards if all(_fits_word(c, w) for w in wanted)]
    return sorted(
        found, key=lambda c: (c.state is not VolunteerState.PENDING, fold(c.first_name), c.user_id)
    )


def page_of(items: list[VolunteerCard], page: int) -> tuple[list[VolunteerCard], int, int]:
    """(this page's volunteers, the page shown, how many pages)."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    return items[start : start + PAGE_SIZE], page, pages
