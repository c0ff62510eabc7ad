"""Signing in to the dashboard: one-time links, sessions and forms' tokens.

A link's token and a session's cookie are random; the database keeps only their SHA-256,
so a copy of the file signs nobody in. A form's token is derived from the session's
cookie value (an HMAC), so it needs no storage and means nothing without the cookie. Who
may see which pages is decided from the person's roles at every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

from domain.models import Person, Role

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
TOKEN_BYTES = 32  # 43 URL-safe characters

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def new_token() -> str:
    """A random, URL-safe secret for a link or a session."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(text: str) -> bool:
    """Whether this could be a token at all (cheap, before any lookup)."""
    return bool(_TOKEN.match(text))


def token_hash(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def form_token(session_token: str) -> str:
    """The token every form of a session carries (cross-site forgery can't know it)."""
    return hmac.new(session_token.encode("utf-8"), b"dashboard-form", hashlib.sha256).hexdigest()


def form_token_ok(session_token: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(form_token(session_token), given)


class Access(StrEnum):
    """What a signed-in person may see: the liaison's pages, or everything."""

    LIAISON = "liaison"
    COORDINATOR = "coordinator"


def access(person: Person | None, configured: Iterable[int]) -> Access | None:
    """Read again at every request: a role taken away, a block or /forget ends it."""
    if person is None or person.blocked:
        return None
    if Role.COORDINATOR in person.roles or person.id in set(configured):
        return Access.COORDINATOR
    if Role.LIAISON in person.roles:
        return Access.LIAISON
    return None


class RateLimit:
    """At most `limit` attempts in `window` seconds per key (an address), and `total` from
    everyone together, so guessing links is slow. Times are arguments (monotonic seconds)."""

    def __init__(self, limit: int = 10, window: float = 60.0, total: int = 100) -> None:
        self.limit, self.window, self.total = limit, window, total
        self._seen: dict[str, list[float]] = {}
        self._all: list[float] = []

    def allow(self, key: str, now: float) -> bool:
        cutoff = now - self.window
        self._all = [t for t in self._all if t > cutoff]
        mine = [t for t in self._seen.get(key, []) if t > cutoff]
        if len(mine) >= self.limit or len(self._all) >= self.total:
            self._seen[key] = mine
            return False
        mine.append(now)
        self._seen[key] = mine
        self._all.append(now)
        if len(self._seen) > 10_000:  # forget quiet addresses
            self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > cutoff}
        return True
