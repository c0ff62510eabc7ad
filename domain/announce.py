"""Who an announcement reaches: approved volunteers (on duty or paused), all of them or those
of one area and one skill. Plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain import answers
from domain.community import Community, distance_km

EVERY_WORDS = (
    *("every", "all", "everyone", "everybody", "any", "anywhere", "all of them"),
    # Ukrainian and Polish: a coordinator types in their own language.
    *("всі", "усі", "все", "всім", "усім", "кожен", "кожному", "кожна", "скрізь", "усюди"),
    *("wszyscy", "wszystkie", "wszystkim", "wszystko", "każdy", "każda", "wszędzie", "dowolny"),
)


@dataclass(frozen=True)
class Listener:
    """An approved volunteer, not blocked and reachable, as an announcement sees them."""

    user_id: int
    skills: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None


def _in_area(listener: Listener, area: str, community: Community) -> bool:
    if area in listener.areas:
        return True
    place = community.area(area)
    if (
        place is None
        or place.lat is None
        or place.lon is None
        or listener.lat is None
        or listener.lon is None
        or listener.radius_km is None
    ):
        return False
    return distance_km(listener.lat, listener.lon, place.lat, place.lon) <= listener.radius_km


def audience(
    listeners: Iterable[Listener],
    community: Community,
    area: str | None,
    skill: str | None,
    *,
    sender: int | None = None,
) -> list[int]:
    """Who gets it: everyone (None for both), or those in `area` (theirs, or within their
    radius) who have `skill`; never the coordinator who wrote it."""
    return [
        x.user_id
        for x in listeners
        if x.user_id != sender
        and (area is None or _in_area(x, area, community))
        and (skill is None or skill in x.skills)
    ]


def means_every(typed: str) -> bool:
    """ "all", "every area", "everyone": a typed answer meaning no narrowing down."""
    words = answers.normalise(typed).split()
    return bool(words) and words[0] in _EVERY


_EVERY = frozenset(w for phrase in EVERY_WORDS for w in answers.normalise(phrase).split())
