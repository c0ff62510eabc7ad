"""Rules that keep the group safe from floods and repeats: posting limits and duplicates."""

from __future__ import annotations

import unicodedata
from collections import deque
from datetime import datetime, timedelta
from enum import StrEnum

from domain.models import Need, NeedStatus

MAX_OPEN_NEEDS = 5  # open or accepted requests one resident may have at once
MAX_POSTS_PER_DAY = 20  # requests and offers one person may post in any 24 hours
POSTS_WINDOW = timedelta(hours=24)
# Telegram redelivers an unconfirmed update for at most a day; a week is plenty to remember.
UPDATE_IDS_KEPT = timedelta(days=7)


# Characters that draw nothing although Unicode calls them letters or symbols: Hangul
# fillers, the blank Braille pattern, the Mongolian vowel separator, Khmer inherent vowels.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5")


def _invisible(ch: str) -> bool:
    if ch in "\n\t":
        return False
    # Control, format (soft hyphen, word joiner, BOM, tag characters...), private use,
    # unassigned and surrogate code points show nothing a reader could act on.
    return unicodedata.category(ch)[0] == "C" or ch in _BLANK_LOOKING


def visible_text(text: str) -> str:
    """What a person typed, without the characters that show nothing, trimmed: empty when
    nothing readable is left (so "\u2060\ufeff\u3164" is no description at all)."""
    return "".join(ch for ch in text if not _invisible(ch)).strip()


FLOOD_MESSAGES = 20  # messages one person may send in any minute before being asked to slow down
FLOOD_WINDOW = timedelta(minutes=1)


class Flood(StrEnum):
    OK = "ok"  # handle it
    WARN = "warn"  # over the limit: ask them, once, to slow down; handle nothing more
    DROP = "drop"  # still over the limit, already asked: nothing


class FloodWatch:
    """Messages per person in the last minute. Past `FLOOD_MESSAGES` the next one is met
    with one request to slow down, and the rest with nothing until their pace drops."""

    def __init__(self, limit: int = FLOOD_MESSAGES, window: timedelta = FLOOD_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._times: dict[int, deque[datetime]] = {}
        self._warned: set[int] = set()
        self._seen = 0

    def admit(self, who: int, now: datetime) -> Flood:
        times = self._times.setdefault(who, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            if who in self._warned:
                return Flood.DROP
            self._warned.add(who)
            return Flood.WARN
        self._warned.discard(who)
        times.append(now)
        self._seen += 1
        if self._seen % 1000 == 0:
            self._forget_quiet(now)
        return Flood.OK

    def _forget_quiet(self, now: datetime) -> None:
        """People with nothing in the window take no memory."""
        for who in [w for w, t in self._times.items() if not t or t[-1] <= now - self.window]:
            del self._times[who]
            self._warned.discard(who)


class Limit(StrEnum):
    OPEN_NEEDS = "open_needs"
    DAILY_POSTS = "daily_posts"


def posts_since(now: datetime) -> datetime:
    """The start of the rolling window the daily limit counts posts in."""
    return now - POSTS_WINDOW


def posting_refusal(open_needs: int, posts_today: int, *, offer: bool = False) -> Limit | None:
    """Why this person may not post now, or None if they may. Offers are not needs, so only
    the daily limit applies to them."""
    if not offer and open_needs >= MAX_OPEN_NEEDS:
        return Limit.OPEN_NEEDS
    if posts_today >= MAX_POSTS_PER_DAY:
        return Limit.DAILY_POSTS
    return None


OPEN_STATUSES = frozenset({NeedStatus.OPEN, NeedStatus.ACCEPTED})


def possible_duplicates(needs: list[Need], category: str, area: str) -> list[Need]:
    """The resident's open requests a new one in this category and area may repeat."""
    return [
        n
        for n in needs
        if n.status in OPEN_STATUSES
        and n.category.casefold() == category.casefold()
        and n.area.casefold() == area.casefold()
    ]
