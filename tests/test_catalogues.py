"""The message catalogues: every text of the source translated in every language, each
translation fillable exactly like its English, and none beyond what Telegram accepts.

The first test is the check a new text must pass: `mutualaid catalogues` extracts it and
a translator fills it in, or this fails and names it.
"""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message

from bot import catalogues
from handlers import i18n

TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.SOURCE]
ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"</?([a-z]+)\b[^>]*>")
ALLOWED_TAGS = {"b", "i", "code", "a"}  # in the chat (the dashboard's pages are HTML)
# Telegram's limits: a message, a button's toast, a command's description. A label longer
# than this no longer fits on an old phone's screen beside another button.
MESSAGE_LIMIT = 4096
TOAST_LIMIT = 200
COMMAND_LIMIT = 256
LABEL_LIMIT = 40


@pytest.fixture(scope="module")
def source() -> Catalog:
    return catalogues.extract()


@pytest.fixture(scope="module", params=TRANSLATED)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _forms(message: Message) -> list[str]:
    value = message.string
    return [v or "" for v in value] if isinstance(value, tuple | list) else [value or ""]


def _ids(message: Message) -> list[str]:
    value = message.id
    return list(value) if isinstance(value, tuple | list) else [value]


def _fields(text: str) -> Counter[str]:
    return Counter(
        f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(text) if name is not None
    )


def _percent_fields(text: str) -> Counter[str]:
    """The dashboard's templates fill `%(name)s`."""
    return Counter(re.findall(r"%\((\w+)\)s", text))


def _tags(text: str) -> Counter[str]:
    return Counter(m.group(0).split()[0].rstrip(">") for m in TAG.finditer(text))


def test_every_text_of_the_source_is_translated_in_every_language(
    source: Catalog, language: str
) -> None:
    gaps = catalogues.gaps(source, language)
    assert not gaps.missing, f"{language}: not translated yet: {gaps.missing[:10]}"
    assert not gaps.stale, f"{language}: no longer in the source: {gaps.stale[:10]}"


def test_the_check_names_a_text_added_to_the_source_and_not_yet_translated(
    source: Catalog, language: str
) -> None:
    grown = Catalog()
    for message in source:
        if message.id:
            grown.add(message.id, context=message.context)
    grown.add("A text added today")
    assert catalogues.gaps(grown, language).missing == ["A text added today"]


def test_each_translation_has_the_placeholders_and_tags_of_its_english(language: str) -> None:
    problems = []
    for message in catalogues.read(language):
        if not message.id:
            continue
        english = _ids(message)
        for i, translated in enumerate(_forms(message)):
            if not translated:
                continue
            original = english[min(i, len(english) - 1)]
            if _fields(translated) != _fields(original):
                problems.append(f"placeholders differ: {original[:50]!r} -> {translated[:50]!r}")
            if _tags(translated) != _tags(original):
                problems.append(f"tags differ: {original[:50]!r} -> {translated[:50]!r}")
            if _percent_fields(translated) != _percent_fields(original):
                problems.append(f"placeholders differ: {original[:50]!r} -> {translated[:50]!r}")
            in_chat = any(where.startswith("handlers/") for where, _ in message.locations)
            if in_chat and not {m.group(1) for m in TAG.finditer(translated)} <= ALLOWED_TAGS:
                problems.append(f"a tag Telegram refuses: {translated[:50]!r}")
            if in_chat and re.search(r"&(?!lt;|gt;|amp;|quot;)", translated):
                problems.append(f"a bare & (Telegram reads HTML): {translated[:50]!r}")
            if original.startswith((" ", "\n")) != translated.startswith((" ", "\n")):
                problems.append(f"a fragment's leading space lost: {translated[:50]!r}")
    assert not problems, "\n".join(problems[:20])


def test_commands_and_request_numbers_stay_as_typed(language: str) -> None:
    """/need is typed in Latin letters whatever the language; #12 is how requests are named."""
    problems = []
    for message in catalogues.read(language):
        if not message.id:
            continue
        for original, translated in zip(_ids(message), _forms(message), strict=False):
            if not translated:
                continue  # the first test names it
            for command in re.findall(r"/[a-z]+\b", original):
                if command not in translated and "://" not in original:
                    problems.append(f"{command} missing in {translated[:60]!r}")
            if "#{id}" in original and "#{id}" not in translated:
                problems.append(f"#{{id}} missing in {translated[:60]!r}")
    assert not problems, "\n".join(problems[:20])


def _uses(source: Catalog, kind: str) -> set[str]:
    """The English texts used as `kind`: labels (in keyboards), toasts (answer(...))."""
    found: set[str] = set()
    for message in source:
        if not message.id:
            continue
        for filename, _ in message.locations:
            if kind == "label" and filename.endswith("keyboards.py"):
                found.add(_ids(message)[0])
    return found


def _toast_names() -> set[str]:
    """The names in handlers/texts.py that handlers show as a button's toast."""
    names: set[str] = set()
    for path in (ROOT / "handlers").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "answer"
                and len(node.args) > 1
            ):
                for sub in ast.walk(node.args[1]):
                    if isinstance(sub, ast.Attribute) and getattr(sub.value, "id", "") == "texts":
                        names.add(sub.attr)
    return names


def test_no_text_is_longer_than_telegram_takes_in_any_language(
    source: Catalog, language: str
) -> None:
    from handlers import texts

    labels = _uses(source, "label")
    with i18n.speaking(language):
        toasts = {name: getattr(texts, name) for name in _toast_names()}
        commands = [about for section in texts.COMMANDS.values() for _, about in section]
    problems = [
        f"toast {name}: {len(text)}" for name, text in toasts.items() if len(text) > TOAST_LIMIT
    ]
    problems += [
        f"command: {about!r}" for about in commands if not 3 <= len(about) <= COMMAND_LIMIT
    ]
    translations = i18n.translations(language)
    for message in catalogues.read(language):
        if not message.id:
            continue
        for translated in _forms(message):
            # Placeholders filled with long values: a name of 64, a description of 1,000.
            if len(translated) + 1200 > MESSAGE_LIMIT:
                problems.append(f"message of {len(translated)}: {translated[:40]!r}")
    for label in labels:
        translated = translations.gettext(label)
        if len(translated.format(id=12345, name="Alexandra", km="2,5")) > LABEL_LIMIT:
            problems.append(f"label {translated!r}")
    assert toasts and labels and commands
    assert not problems, "\n".join(problems)


def test_numbers_decide_the_form_in_each_language() -> None:
    """English has two forms, Polish and Ukrainian three: 1 volunteer, 2–4, 5 and more."""
    from handlers import texts

    said = {}
    for language in i18n.LANGUAGES:
        with i18n.speaking(language):
            said[language] = [texts.APPROVE_ALL_OFFER.format(count=n) for n in (1, 2, 5, 22, 25)]
    assert said["en"][:3] == [
        "1 volunteer is waiting for approval.",
        "2 volunteers are waiting for approval.",
        "5 volunteers are waiting for approval.",
    ]
    for language in TRANSLATED:
        one, two, five, twenty_two, twenty_five = said[language]
        assert len({one, two, five}) == 3, said[language]
        assert twenty_two == two.replace("2", "22", 1), said[language]
        assert twenty_five == five.replace("5", "25", 1), said[language]
