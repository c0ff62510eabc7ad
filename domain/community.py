"""The community file: the group's areas, categories and signposts, validated."""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from domain import answers

DEFAULT_CATEGORIES = (
    "Shopping & essentials",
    "Prescriptions",
    "Dog walking & pets",
    "Phone befriending",
    "Transport to appointments",
    "Post & errands",
    "Lending items",
    "Other",
)


class CommunityError(ValueError):
    """The community file cannot be used; the message says where and why."""


class Area(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    aliases: tuple[str, ...] = ()
    neighbours: tuple[str, ...] = ()
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    # The council ward it lies in, for the liaison's figures by ward (product.md, The
    # dashboard); several areas may share one.
    ward: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"\S")


class Category(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    vetted_only: bool = False


class Signpost(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str
    text: str
    keywords: tuple[str, ...] = ()
    # Categories where these words are expected ("doctor" in Prescriptions): there they do
    # not block.
    allowed_in: tuple[str, ...] = ()
    # Never offers `It's not that, post it`. Unset, a topic about emergencies is one.
    emergency: bool | None = None

    @property
    def is_emergency(self) -> bool:
        return self.emergency if self.emergency is not None else "emergenc" in _key(self.topic)

    def allows(self, category: str | None) -> bool:
        """Are this signpost's words expected in requests of this category?"""
        return category is not None and _key(category) in {_key(c) for c in self.allowed_in}


class SocialValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pounds_per_hour: float | None = Field(default=None, gt=0)


DEFAULT_SIGNPOSTS = (
    Signpost(
        topic="Emergencies",
        text="If someone is in danger or seriously ill, call 999 now.",
        keywords=("emergency", "ambulance", "collapsed", "can't breathe", "chest pain", "fire"),
    ),
    Signpost(
        topic="Medical help",
        text="For medical advice call NHS 111 (free, day and night), or 999 in an emergency.",
        keywords=("doctor", "nurse"),
        # "The doctor has sent it over", "a lift to the nurse": expected there.
        allowed_in=("Prescriptions", "Transport to appointments"),
    ),
    Signpost(
        topic="Medical care",
        text="Injections, dressings and medicine doses need a nurse or pharmacist: call your "
        "GP surgery, or NHS 111 (free, day and night).",
        keywords=(
            "injection",
            "wound dressing",
            "change my dressing",
            "change the dressing",
            "medication dose",
            "wound",
        ),
    ),
    Signpost(
        topic="Personal care",
        text="Washing, dressing and personal care need trained carers: call the council's "
        "adult social care line.",
        keywords=(
            "personal care",
            "wash me",
            "bathing",
            "help me dress",
            "to the toilet",
            "commode",
        ),
    ),
    Signpost(
        topic="Entering homes",
        text="Our volunteers stay on the doorstep. For help inside the home, call the "
        "council's adult social care line.",
        keywords=("come inside", "come in and", "inside my home", "let yourself in", "key safe"),
    ),
    Signpost(
        topic="Money and bank cards",
        text="Never give anyone your bank card or PIN. Citizens Advice (0800 144 8848) can "
        "help with money; we can pay and be repaid with a receipt.",
        keywords=(
            "bank card",
            "my pin",
            "pin number",
            "cash machine",
            "withdraw cash",
            "my card",
        ),
    ),
    Signpost(
        topic="Feeling low",
        text="If you are struggling, Samaritans listen day and night: call 116 123 (free).",
        keywords=("suicide", "end my life", "kill myself", "self harm"),
        emergency=True,  # someone may be in danger: a coordinator calls, nothing is posted
    ),
)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


class Community(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    areas: tuple[Area, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = tuple(Category(name=n) for n in DEFAULT_CATEGORIES)
    signposts: tuple[Signpost, ...] = DEFAULT_SIGNPOSTS
    social_value: SocialValue = SocialValue()

    # Lookups built once: matching asks them for every candidate of every need.
    _areas: dict[str, Area] = PrivateAttr(default_factory=dict)
    _words: dict[str, Area] = PrivateAttr(default_factory=dict)
    _categories: dict[str, Category] = PrivateAttr(default_factory=dict)
    _neighbours: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._areas = {_key(a.name): a for a in self.areas}
        self._words = {_key(w): a for a in self.areas for w in (a.name, *a.aliases)}
        self._categories = {_key(c.name): c for c in self.categories}
        mutual: dict[str, set[str]] = {a.name: set() for a in self.areas}
        for area in self.areas:
            for neighbour in area.neighbours:
                other = self._areas.get(_key(neighbour))
                if other is not None:
                    # Neighbourliness is mutual even when the file lists it on one side only.
                    mutual[area.name].add(other.name)
                    mutual[other.name].add(area.name)
        self._neighbours = {name: frozenset(n) for name, n in mutual.items()}

    @model_validator(mode="after")
    def _consistent(self) -> Community:
        names = [_key(a.name) for a in self.areas]
        if len(set(names)) != len(names):
            raise ValueError("two areas share a name")
        cats = [_key(c.name) for c in self.categories]
        if len(set(cats)) != len(cats):
            raise ValueError("two categories share a name")
        known = set(names)
        for area in self.areas:
            for neighbour in area.neighbours:
                if _key(neighbour) not in known:
                    raise ValueError(
                        f"area {area.name!r} names neighbour {neighbour!r}, which is not an area"
                    )
        categories = set(cats)
        if "signposts" in self.model_fields_set:  # the defaults name default categories
            for sign in self.signposts:
                for category in sign.allowed_in:
                    if _key(category) not in categories:
                        raise ValueError(
                            f"signpost {sign.topic!r} is allowed in {category!r}, "
                            "which is not a category"
                        )
        seen: dict[str, str] = {}
        for area in self.areas:
            for word in (area.name, *area.aliases):
                owner = seen.setdefault(_key(word), area.name)
                if owner != area.name:
                    raise ValueError(
                        f"areas {owner!r} and {area.name!r} both use the alias {word!r}"
                    )
        return self

    # --- lookups -----------------------------------------------------------------------
    def area_names(self) -> list[str]:
        return [a.name for a in self.areas]

    def category_names(self) -> list[str]:
        return [c.name for c in self.categories]

    def area(self, name: str) -> Area | None:
        return self._areas.get(_key(name))

    def category(self, name: str) -> Category | None:
        return self._categories.get(_key(name))

    def find_area(self, typed: str) -> Area | None:
        """The area a resident meant by a name or alias, ignoring case and spacing."""
        return self._words.get(_key(typed))

    def read_area(self, typed: str) -> Area | None:
        """The area a resident meant by what they typed: a name or alias in any case, after
        a house or flat number ("12 Selwood Road"), from a full postcode, or a close
        spelling of one; None when nothing fits."""
        candidates = answers.place_candidates(typed)
        for candidate in candidates:
            area = self.find_area(candidate)
            if area is not None:
                return area
        options = [(a.name, (a.name, *a.aliases)) for a in self.areas]
        for candidate in candidates:
            name = answers.pick(candidate, options)
            if name is not None:
                return self.area(name)
        return None

    def suggest_areas(self, typed: str, limit: int = 3) -> list[str]:
        """The area names closest to what was typed, for a friendly 'did you mean'."""
        words = {_key(w): a.name for a in self.areas for w in (a.name, *a.aliases)}
        close = difflib.get_close_matches(_key(typed), list(words), n=limit * 3, cutoff=0.4)
        out: list[str] = []
        for word in close:
            if words[word] not in out:
                out.append(words[word])
        return out[:limit]

    def nearest_area(self, lat: float, lon: float) -> Area | None:
        located = [a for a in self.areas if a.lat is not None and a.lon is not None]
        if not located:
            return None
        return min(located, key=lambda a: (distance_km(lat, lon, a.lat, a.lon), a.name))  # type: ignore[arg-type]

    def neighbours_of(self, name: str) -> frozenset[str]:
        area = self.area(name)
        return self._neighbours.get(area.name, frozenset()) if area else frozenset()

    def signposts_for(self, text: str, category: str | None = None) -> list[Signpost]:
        """Signposts whose keywords appear in the text as whole words or phrases, except
        those whose words are expected in the request's category."""
        low = _key(text)
        hits = []
        for sign in self.signposts:
            if sign.allows(category):
                continue
            for word in sign.keywords:
                if re.search(rf"(?<!\w){re.escape(_key(word))}(?!\w)", low):
                    hits.append(sign)
                    break
        return hits


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; plenty for 'which estate is nearest'."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _line_of(text: str, loc: tuple[int | str, ...], data: dict) -> int | None:
    """Best-effort line number of the table a validation error points into."""
    if not loc or not isinstance(loc[0], str):
        return None
    section, index = loc[0], loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    lines = text.splitlines()
    if index is None:
        key = section
        for n, line in enumerate(lines, 1):
            if re.match(rf"\s*\[?{re.escape(key)}\]?\s*(=|$)", line):
                return n
            if line.lstrip().startswith("["):
                break  # past the top of the file: a key there belongs to a table
        return None
    count = -1
    for n, line in enumerate(lines, 1):
        if re.match(rf"\s*\[\[\s*{re.escape(section)}\s*\]\]", line):
            count += 1
            if count == index:
                if len(loc) > 2 and isinstance(loc[2], str):
                    for m in range(n, len(lines) + 1):
                        if re.match(rf"\s*{re.escape(loc[2])}\s*=", lines[m - 1]):
                            return m
                        if m > n and lines[m - 1].lstrip().startswith("["):
                            break
                return n
    return None


def _line_naming(text: str, message: str) -> tuple[int | None, str]:
    """The line and key where the last value quoted in `message` is written last."""
    quoted = re.findall(r"'([^']+)'", message)
    if not quoted:
        return None, ""
    value = quoted[-1]
    found: tuple[int | None, str] = (None, "")
    for n, line in enumerate(text.splitlines(), 1):
        if re.search(rf"[\"']{re.escape(value)}[\"']", line):
            # The last place it is written is where the rule broke (a second use, say).
            found = (n, line.split("=", 1)[0].strip() if "=" in line else "")
    return found


_RANGES = {"lat": ("latitude", 90), "lon": ("longitude", 180)}


def _message(err: Any) -> str:
    """What is wrong, in the file's own terms where pydantic's words would puzzle."""
    loc = tuple(err["loc"])
    if err["type"] == "missing" and loc == ("name",):
        return (
            "required: the group's name, at the top of the file before any [[areas]], "
            'e.g. name = "Riverside Mutual Aid"'
        )
    if loc and loc[-1] in _RANGES and err["type"] in ("less_than_equal", "greater_than_equal"):
        what, limit = _RANGES[str(loc[-1])]
        return f"{err['input']!r} is not a {what}: it must be between -{limit} and {limit}"
    return str(err["msg"])


def _shared_names(text: str, data: dict[str, Any]) -> list[str]:
    """Two (or more) areas, or categories, with one name: each named where it is written."""
    problems = []
    for section in ("areas", "categories"):
        entries = data.get(section)
        if not isinstance(entries, list):
            continue
        groups: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                groups.setdefault(_key(entry["name"]), []).append(index)
        for indices in groups.values():
            if len(indices) < 2:
                continue
            places = []
            for index in indices:
                line = _line_of(text, (section, index, "name"), data)
                places.append(f"{section}.{index}.name" + (f" (line {line})" if line else ""))
            name = entries[indices[0]]["name"]
            problems.append(
                f"  {' and '.join(places)}: two {section} share the name {name!r}"
                + (
                    " (names are matched without regard to case)"
                    if len({entries[i]["name"] for i in indices}) > 1
                    else ""
                )
            )
    return problems


def parse_community(text: str, source: str = "community file") -> Community:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CommunityError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Community.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        places = [tuple(e["loc"]) for e in errors]
        problems = []
        for err in errors:
            loc = tuple(err["loc"])
            if loc and any(p != loc and p[: len(loc)] == loc for p in places):
                continue  # a table that failed because an entry of it did: said by the entry
            where = ".".join(str(p) for p in loc)
            line = _line_of(text, loc, data)
            if not loc:
                if "share a name" in err["msg"]:
                    problems.extend(_shared_names(text, data))
                    continue
                # A rule across entries (an unknown neighbour, a shared alias): point at the
                # line with the value it names.
                line, where = _line_naming(text, err["msg"])
            at = f" (line {line})" if line else ""
            problems.append(f"  {where or '(top level)'}{at}: {_message(err)}")
        raise CommunityError(f"{source} has problems:\n" + "\n".join(problems)) from None


def load_community(path: Path) -> Community:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommunityError(f"cannot read the community file {path}: {exc.strerror}") from None
    return parse_community(text, source=str(path))
