"""The message catalogues: every text marked for translation in the source, extracted with
Babel, and each language's catalogue brought up to date with it.

    mutualaid catalogues          # write handlers/locales/messages.pot, update each .po
    mutualaid catalogues --check  # say what is missing or stale, change nothing

A translator then fills in the new entries of their language's .po file (a text changed in
English is marked fuzzy, and a fuzzy entry is not used until a translator has looked at it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from handlers import i18n

ROOT = Path(__file__).resolve().parent.parent
# Where texts live: the chat's texts and buttons, the dashboard's texts and its templates.
SOURCES = (
    ("handlers", [("**.py", "python")]),
    ("web", [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]),
)
KEYWORDS = {"_": None, "N_": None, "gettext": None, "P_": (1, 2), "ngettext": (1, 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
TEMPLATE = i18n.CATALOGUES / f"{i18n.DOMAIN}.pot"


def extract() -> Catalog:
    """Every marked text in the source, with where it is used."""
    catalog = Catalog(project="mutualaid", fuzzy=False, creation_date=_EPOCH)
    for folder, method_map in SOURCES:
        found = extract_from_dir(
            ROOT / folder,
            method_map=method_map,
            options_map={"templates/**.html": JINJA_OPTIONS},
            keywords=KEYWORDS,
            comment_tags=("NOTE:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            where = (f"{folder}/{filename}", lineno)
            catalog.add(message, locations=[where], auto_comments=comments, context=context)
    return catalog


# A fixed date in the header, so the file changes only when the texts do.
_EPOCH = datetime(2026, 1, 1)


def read(language: str) -> Catalog:
    with i18n.catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, omit_header=False, sort_output=False)


@dataclass
class Gaps:
    """What a language's catalogue lacks against the source."""

    missing: list[str] = field(default_factory=list)  # no translation (or only a fuzzy one)
    stale: list[str] = field(default_factory=list)  # translated, but no longer in the source

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale)


def gaps(source: Catalog, language: str) -> Gaps:
    found = read(language)
    result = Gaps()
    for message in source:
        if not message.id:
            continue
        have = found.get(message.id, message.context)
        if have is None or have.fuzzy or not _translated(have):
            result.missing.append(_key(message))
    ids = {_key(m) for m in source if m.id}
    result.stale = [_key(m) for m in found if m.id and _key(m) not in ids]
    return result


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(strings)


def update() -> dict[str, Gaps]:
    """Write the template and merge it into every language's catalogue."""
    source = extract()
    write(source, TEMPLATE)
    for language in i18n.LANGUAGES:
        if language == i18n.SOURCE:
            continue
        path = i18n.catalogue_path(language)
        if path.exists():
            catalog = read(language)
        else:
            catalog = Catalog(locale=language, project="mutualaid", creation_date=_EPOCH)
        catalog.update(source, update_header_comment=False)
        catalog.fuzzy = False
        catalog.language_team = f"{i18n.NAMES[language]} translators of mutualaid"
        catalog.last_translator = "the mutualaid translators"
        catalog.obsolete.clear()
        write(catalog, path)
    return {lang: gaps(source, lang) for lang in i18n.LANGUAGES if lang != i18n.SOURCE}


def check() -> dict[str, Gaps]:
    source = extract()
    return {lang: gaps(source, lang) for lang in i18n.LANGUAGES if lang != i18n.SOURCE}


def report(found: dict[str, Gaps]) -> list[str]:
    lines = []
    for language, gap in found.items():
        state = "complete" if not gap else f"{len(gap.missing)} to translate"
        lines.append(f"{language}: {state}")
        lines += [f"  missing: {text[:70]!r}" for text in gap.missing[:20]]
        lines += [f"  no longer used: {text[:70]!r}" for text in gap.stale[:20]]
    return lines
