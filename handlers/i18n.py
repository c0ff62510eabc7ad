"""The languages the bot speaks.

Every text is written in English in the source (`handlers/texts.py`, `handlers/keyboards.py`,
`web/texts.py` and the dashboard's templates) inside `_()`, or `P_()` where a number decides
the form. `mutualaid catalogues` (bot/catalogues.py) extracts them with Babel into
`handlers/locales/messages.pot` and merges them into each language's catalogue,
`handlers/locales/<code>/LC_MESSAGES/messages.po`, compiled when first used. The language
of the work in progress (an update, a message owed to someone, a web request) is a context
variable, so the code that writes a text never passes it along: `speaking(code)` sets it
for a block.

A module of texts calls `speaks(globals())` at its end: read in another language, its
constants and functions are those of a copy of the module executed with that language's
catalogue, so every text in it, and every text one of its functions puts together, is in
that language.
"""

from __future__ import annotations

import gettext as _gettext
import importlib.util
import sys
import types
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

SOURCE = "en"
LANGUAGES = ("en", "uk", "pl")
# Each language in its own name: what the /language buttons say.
NAMES = {"en": "English", "uk": "Українська", "pl": "Polski"}
# Babel's locale for dates and numbers in each language (British English).
LOCALES = {"en": "en_GB", "uk": "uk_UA", "pl": "pl_PL"}
CATALOGUES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("language", default=SOURCE)


def current() -> str:
    """The language of the work in progress."""
    return _current.get()


def use(language: str) -> None:
    """Speak this language for the rest of the task at hand (one update, one request)."""
    _current.set(language if language in LANGUAGES else SOURCE)


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Speak this language within the block (None: as before)."""
    if language is None or language not in LANGUAGES:
        yield
        return
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def from_telegram(code: str | None, offered: Sequence[str] = LANGUAGES) -> str | None:
    """The language of someone's Telegram app (`uk`, `pl-PL`, `en-GB`), if it is offered."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in offered else None


def reader_language(chosen: str | None, app: str | None, offered: Sequence[str]) -> str:
    """The language to speak to someone in: the one they chose (or that was kept when they
    agreed to the privacy notice), else their Telegram app's, else the group's first."""
    if chosen in offered:
        assert chosen is not None
        return chosen
    return from_telegram(app, offered) or offered[0]


def from_browser(header: str | None, offered: Sequence[str] = LANGUAGES) -> str | None:
    """The first offered language in a browser's Accept-Language, by its weights."""
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        found = from_telegram(tag.strip(), offered)
        if found is not None and weight > 0:
            choices.append((-weight, i, found))
    return min(choices)[2] if choices else None


# The community file's names and words (categories, signposts) in each language, English
# first: learnt when the application is built (bot/app.py).
_names: dict[str, dict[str, str]] = {}


def learn_names(names: Mapping[str, Mapping[str, str]]) -> None:
    """For each language, the community's English names and words in it."""
    _names.clear()
    _names.update({language: dict(found) for language, found in names.items()})


def named(name: str, language: str | None = None) -> str:
    """A name or words from the community file in this language (the current one unless
    told), where it gives them; else as written."""
    return _names.get(language or _current.get(), {}).get(name, name)


def catalogue_path(language: str) -> Path:
    return CATALOGUES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """A language's catalogue, compiled from its .po file (English: the source itself)."""
    if language == SOURCE or language not in LANGUAGES:
        return _gettext.NullTranslations()
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(message: str) -> str:
    """A text in the language of the work in progress."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


class Plural:
    """A text whose form depends on a number (`count` unless told): English has two forms,
    Polish and Ukrainian three. `format` picks the form, then fills it in."""

    def __init__(self, singular: str, plural: str, language: str, by: str = "count") -> None:
        self.singular, self.plural, self.language, self.by = singular, plural, language, by

    def form(self, n: float) -> str:
        # A fraction (1.5 hours) takes the form of a few, in each of these languages.
        whole = int(n) if float(n).is_integer() else 2
        return translations(self.language).ngettext(self.singular, self.plural, whole)

    def format(self, **values: Any) -> str:
        return self.form(values[self.by]).format(**values)


def texts_of(namespace: Mapping[str, Any]) -> tuple[str, Any, Any]:
    """For a module of texts: its language, and its `_` and `P_` in that language."""
    language: str = namespace.get("__language__", SOURCE)
    found = translations(language)

    def plural(singular: str, plural: str, by: str = "count") -> Plural:
        return Plural(singular, plural, language, by)

    return language, found.gettext, plural


class _Speaking(types.ModuleType):
    """A module of texts that answers in the language of the work in progress."""

    def __getattribute__(self, name: str) -> Any:
        language = _current.get()
        if language == SOURCE or name.startswith("__"):
            return super().__getattribute__(name)
        return getattr(_copy(super().__getattribute__("__name__"), language), name)


_copies: dict[tuple[str, str], types.ModuleType] = {}


def _copy(name: str, language: str) -> types.ModuleType:
    found = _copies.get((name, language))
    if found is None:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.loader is not None
        found = importlib.util.module_from_spec(spec)
        found.__dict__["__language__"] = language
        spec.loader.exec_module(found)
        _copies[(name, language)] = found
    return found


def speaks(namespace: dict[str, Any]) -> None:
    """Make the module of texts whose globals these are answer in the current language."""
    if "__language__" not in namespace:
        sys.modules[namespace["__name__"]].__class__ = _Speaking


class Formats:
    """Dates and numbers as a language writes them (Babel, its locale parsed once: the chat's
    texts and the dashboard's share these)."""

    def __init__(self, language: str) -> None:
        self.locale = Locale.parse(LOCALES.get(language, LOCALES[SOURCE]))

    def number(self, value: float) -> str:
        """`2`, `2.5` (`2,5` in Polish and Ukrainian), `1,500` (`1 500`)."""
        return format_decimal(value, locale=self.locale)

    def dated(self, day: date) -> str:
        """`1 Oct 2026` (`1 жовт. 2026 р.`, `1 paź 2026`)."""
        return format_skeleton("yMMMd", day, locale=self.locale)

    def day_month(self, day: date) -> str:
        """`9 Dec` (`9 груд.`, `9 gru`)."""
        return format_skeleton("MMMd", day, locale=self.locale)

    def short_day(self, day: date) -> str:
        """`Wed 9 Dec` (`ср, 9 груд.`, `śr., 9 gru`)."""
        return format_skeleton("MMMEd", day, locale=self.locale)

    def long_day(self, day: date) -> str:
        """`Wed 9 Dec 2026`."""
        return format_skeleton("yMMMEd", day, locale=self.locale).replace(",", "", 1)

    def clock(self, moment: datetime, pattern: str = "HH:mm") -> str:
        return format_time(moment, pattern, locale=self.locale)

    def month(self, day: date) -> str:
        """`October 2026` (`жовтень 2026`, `październik 2026`)."""
        return format_date(day, "LLLL y", locale=self.locale)


@cache
def formats(language: str) -> Formats:
    return Formats(language)


def N_(message: str) -> str:
    """Marks a text for the catalogues where it is written; `_` translates it where used."""
    return message
