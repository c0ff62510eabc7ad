"""The dashboard in its reader's language (product.md, Languages and The dashboard): the
browser's Accept-Language picks English, Ukrainian or Polish (anything else: English), a
signed-in person's own language wins over it; words, month and day names and numbers
follow, the figures' cache never hands one language's words to another; and every text a
template shows is marked for translation.

The catalogues are written by translators (handlers/locales/*/messages.po): what a page
should say is read from them, and each word checked must have a translation that differs
from the English, so an English page can't pass.
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import nodes
from support.bot import RESIDENT, VOLUNTEER, BotUnderTest, FakeClock, labels, running_bot
from support.web import BASE, WebUnderTest, dashboard

from bot.config import BUNDLED_COMMUNITY
from bot.sandbox import Person
from domain.models import Role
from handlers import i18n
from web import texts
from web.core import TEMPLATES

CORA = Person(9_400_001, "Cora", "cora_coord")
LIZ = Person(9_400_002, "Liz", "liz_council")
MARCH = date(2025, 3, 1)  # the tests' month (tests/support/bot.py START)
NAVIGATION = ("Overview", "Areas", "Kinds of help", "Referrals", "Print", "Sign out")
RATE = 12.5  # the bundled community's pounds per hour


@pytest.fixture
async def bot(db_path: Path, clock: FakeClock):
    async with running_bot(db_path, clock=clock, coordinator_ids=[CORA.id]) as running:
        await running.agree(CORA, LIZ, RESIDENT, VOLUNTEER)
        await running.store.people.grant(LIZ.id, Role.LIAISON, clock.now(), CORA.id)
        yield running
        assert not running.errors.records, running.errors.describe()


async def _help_given(bot: BotUnderTest, times: int = 5) -> None:
    """Requests posted and done this month: figures, hours and their value to show."""
    await bot.sign_up(VOLUNTEER)
    for _ in range(times):
        await bot.post_need(RESIDENT)
        offered = [m for m in bot.screen(VOLUNTEER) if "Accept" in labels(m)]
        await bot.press(VOLUNTEER, "Accept", offered[-1])
        await bot.press(VOLUNTEER, "Done")
        await bot.press(VOLUNTEER, "1 hour")


def said(language: str, msgid: str) -> str:
    """A text as the language's catalogue says it: translated, so not the English."""
    found = i18n.translations(language).gettext(msgid)
    assert found != msgid, f"{msgid!r} has no {language} translation in the catalogue"
    return found


def shown(text: str) -> str:
    """A text as a page carries it between tags."""
    return f">{html.escape(text, quote=False)}<"


async def _no_language_kept(bot: BotUnderTest, *people: Person) -> None:
    """As for people who agreed before the bot spoke other languages (0014 left theirs
    empty): the dashboard has only their browser to go by."""
    for who in people:
        await bot.store.db.execute("UPDATE people SET language=NULL WHERE id=?", (who.id,))


async def _signed_in(web: WebUnderTest, who: Person, accept: str | None) -> None:
    if accept is not None:
        web.client.headers["accept-language"] = accept
    await web.sign_in(who)


# --- the language of a page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "language", "locale"),
    [
        ("uk", "uk", "uk_UA"),
        ("uk-UA,uk;q=0.9,en;q=0.8", "uk", "uk_UA"),
        ("pl-PL,pl;q=0.9", "pl", "pl_PL"),
        ("fr-CA,fr;q=0.9,pl;q=0.4", "pl", "pl_PL"),
    ],
)
async def test_a_page_is_in_the_browsers_language(
    bot: BotUnderTest, accept: str, language: str, locale: str
) -> None:
    await _help_given(bot)
    await _no_language_kept(bot, LIZ)
    async with dashboard(bot) as web:
        await _signed_in(web, LIZ, accept)
        page = await web.get("/")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert page.headers["content-language"] == language
    for word in NAVIGATION:
        assert shown(said(language, word)) in page.text, word
        assert shown(word) not in page.text, word
    # The month by its name in the language (Babel's, not the catalogue's), and the
    # council's value per hour written as the language writes money.
    assert format_date(MARCH, "LLLL y", locale=locale) in page.text
    assert "March" not in page.text
    assert format_currency(RATE, "GBP", locale=locale).replace("GBP", "£") in page.text
    assert "£12.50" not in page.text


@pytest.mark.parametrize("accept", ["fr", "de-DE,de;q=0.9", "", None])
async def test_a_language_the_dashboard_does_not_speak_is_english(
    bot: BotUnderTest, accept: str | None
) -> None:
    await _help_given(bot)
    await _no_language_kept(bot, LIZ)
    async with dashboard(bot) as web:
        await _signed_in(web, LIZ, accept)
        page = await web.get("/")
    assert '<html lang="en">' in page.text and page.headers["content-language"] == "en"
    for word in NAVIGATION:
        assert shown(word) in page.text
    assert "March 2025" in page.text and "£12.50" in page.text


async def test_pages_before_signing_in_and_refusals_are_in_the_browsers_language(
    bot: BotUnderTest,
) -> None:
    await _no_language_kept(bot, LIZ)
    async with dashboard(bot) as web:
        web.client.headers["accept-language"] = "uk"
        welcome = await web.get("/")
        assert '<html lang="uk">' in welcome.text
        assert shown(said("uk", "Sign in to the dashboard")) in welcome.text
        link = await web.link_for(LIZ)
        opened = await web.get(link)
        assert shown(said("uk", "Sign in")) in opened.text
        missing = await web.get("/no-such-page")
        assert missing.status_code == 404
        assert shown(said("uk", "There is no such page here.")) in missing.text
        await web.open_link(link)
        refused = await web.get("/needs")  # a coordinator's page; she is the liaison
        assert refused.status_code == 403
        assert shown(said("uk", "This page is for the group's coordinators.")) in refused.text


async def test_only_the_languages_the_group_offers_and_its_first_otherwise(
    db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    community = tmp_path / "community.toml"
    example = BUNDLED_COMMUNITY.read_text(encoding="utf-8")
    assert 'languages = ["en", "uk", "pl"]\n' in example
    community.write_text(
        example.replace('languages = ["en", "uk", "pl"]\n', 'languages = ["uk", "en"]\n'),
        encoding="utf-8",
    )
    async with running_bot(db_path, clock=clock, community_file=community) as bot:
        async with dashboard(bot) as web:
            for accept, language in (("pl-PL,pl;q=0.9", "uk"), ("en-GB", "en"), (None, "uk")):
                headers = {"accept-language": accept} if accept else {}
                page = await web.get("/", headers=headers)
                assert f'<html lang="{language}">' in page.text, accept


async def test_the_browsers_language_first_else_the_persons_own(bot: BotUnderTest) -> None:
    """The page follows the browser's language where the group offers it; where the browser
    asks for none of them, someone's language as the bot keeps it (their Telegram app's when
    they agreed, or /language)."""
    anna = Person(9_400_003, "Anna", "anna_council", language_code="uk")
    await bot.say(anna, "/start")  # the privacy notice comes in her app's language
    await bot.press(anna, said("uk", "I agree"))
    await bot.store.people.grant(anna.id, Role.LIAISON, bot.clock.now(), CORA.id)
    await bot.store.people.set_language(LIZ.id, "pl")
    await bot.store.people.set_language(CORA.id, "en")
    async with dashboard(bot) as web:
        await _signed_in(web, anna, "pl-PL,pl;q=0.9")
        page = await web.get("/")
        assert '<html lang="pl">' in page.text  # her browser's
        web.client.headers["accept-language"] = "fr-FR"
        page = await web.get("/")
        assert '<html lang="uk">' in page.text  # the browser asks for none: her own
        assert shown(said("uk", "Overview")) in page.text
        web.forget_cookies()
        await web.sign_in(LIZ)
        page = await web.get("/")
        assert '<html lang="pl">' in page.text
        assert shown(said("pl", "Overview")) in page.text
        assert format_date(MARCH, "LLLL y", locale="pl_PL") in page.text
        web.forget_cookies()
        # Signed out again: the browser's.
        web.client.headers["accept-language"] = "pl-PL,pl;q=0.9"
        assert '<html lang="pl">' in (await web.get("/")).text
        web.client.headers["accept-language"] = "uk"
        assert '<html lang="uk">' in (await web.get("/")).text
        web.client.headers["accept-language"] = "fr-FR"
        await web.sign_in(CORA)
        page = await web.get("/needs")
        assert '<html lang="en">' in page.text and shown("Requests") in page.text


async def test_the_figures_kept_for_a_minute_serve_each_reader_in_their_language(
    bot: BotUnderTest,
) -> None:
    """One period's figures are worked out once and kept; its labels, dates and charts are
    still in each reader's language, whoever asked first."""
    await _help_given(bot)
    async with dashboard(bot) as ukrainian:
        # A second reader of the same dashboard (one app, one cache), in English.
        transport = httpx.ASGITransport(app=ukrainian.app, client=("203.0.113.8", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            english = WebUnderTest(bot, client, ukrainian.app)
            await _no_language_kept(bot, LIZ, CORA)
            await _signed_in(ukrainian, LIZ, "uk")
            await _signed_in(english, CORA, "en-GB,en;q=0.9")
            figures = ukrainian.app.state.figures
            first = await ukrainian.get("/")
            kept = dict(figures._kept)
            then = await english.get("/")
            chart_uk = await ukrainian.get("/charts/trend.svg")
            chart_en = await english.get("/charts/trend.svg")
            again_uk = await ukrainian.get("/charts/trend.svg")
            assert dict(figures._kept) == kept  # the same figures, not worked out again
    assert format_date(MARCH, "LLLL y", locale="uk_UA") in first.text
    assert "March 2025" in then.text and "березень" not in then.text
    # The charts: the title and the weeks' month in each reader's language.
    title = said("uk", "Week by week")
    assert title in chart_uk.text and "Week by week" not in chart_uk.text
    assert "Week by week" in chart_en.text and title not in chart_en.text
    assert ">10 бер.<" in chart_uk.text and ">10 Mar<" in chart_en.text
    assert again_uk.content == chart_uk.content


# --- every text a template shows is marked ------------------------------------------------------

GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}
_LETTER = re.compile(r"[^\W\d_]")


class _Visible(HTMLParser):
    """The text a reader sees: text between tags, and the attributes read out or shown."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.texts += [v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v]
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.texts.append(found["value"] or "")

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _outside_trans(source: str) -> str:
    """A template's own text outside `{% trans %}` blocks, every tag and expression replaced
    by a mark (so an attribute filled in by an expression is still an attribute)."""
    out: list[str] = []
    depth = 0
    block: list[str] = []
    for _, kind, value in TEMPLATES.lex(source):
        if kind == "block_begin":
            block = []
        elif kind == "name" and not block:
            block.append(value)
            if value == "trans":
                depth += 1
            elif value == "endtrans":
                depth -= 1
        elif kind in ("comment_begin", "comment", "comment_end"):
            continue
        if kind == "data" and depth == 0:
            out.append(value)
        elif kind in ("variable_begin", "block_begin") and depth == 0:
            out.append(" \x00 ")
    return "".join(out)


def _unmarked_text(source: str) -> list[str]:
    visible = _Visible()
    visible.feed(_outside_trans(source))
    visible.close()
    return [
        " ".join(t.replace("\x00", "…").split())
        for t in visible.texts
        if _LETTER.search(t.replace("\x00", ""))
    ]


def _unmarked_strings(source: str) -> list[str]:
    """Strings in expressions that read as words for people (a capital letter or a space)
    and are not the argument of `_()`."""
    tree = TEMPLATES.parse(source)
    marked = {
        id(arg)
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT
        for arg in call.args
    }
    return [
        c.value
        for c in tree.find_all(nodes.Const)
        if isinstance(c.value, str)
        and id(c) not in marked
        and _LETTER.search(c.value)
        and (" " in c.value or c.value != c.value.lower())
    ]


def _templates() -> Iterator[tuple[str, str]]:
    assert TEMPLATES.loader is not None
    for name in TEMPLATES.list_templates(extensions=["html"]):
        yield name, TEMPLATES.loader.get_source(TEMPLATES, name)[0]


def test_every_text_in_every_template_is_marked_for_translation() -> None:
    found = {
        name: unmarked
        for name, source in _templates()
        if (unmarked := _unmarked_text(source) + _unmarked_strings(source))
    }
    assert found == {}
    assert len(list(_templates())) >= 20


def test_the_check_finds_an_unmarked_sentence() -> None:
    """What the check above would say of a template with English left unmarked."""
    assert _unmarked_text('<p>{{ _("Marked") }}</p><p>Left out, {{ n }} times</p>') == [
        "Left out, … times"
    ]
    assert _unmarked_text('<img alt="A chart" src="{{ x }}">') == ["A chart"]
    assert _unmarked_text("{% trans %}Marked, {{ n }} times{% endtrans %} · #{{ id }}") == []
    assert _unmarked_text("<td>{{ n }}</td>{# a note for the template's reader #}") == []
    assert _unmarked_strings('{{ a or "someone else" }}{{ _("Marked too") }}') == ["someone else"]
    assert _unmarked_strings('{{ act(v, "approve", _("Approve"), "primary") }}') == []


# --- a page in a pseudo-language: nothing unmarked reaches it ------------------------------------


class _Wrapped(gettext.NullTranslations):
    """Every text «wrapped», so whatever was not translated stands out."""

    def gettext(self, message: str) -> str:
        return f"«{message}»"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"«{msgid1 if n == 1 else msgid2}»"


@pytest.fixture
def wrapped_ukrainian(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ukrainian (its dates and numbers) with a catalogue that wraps every text."""

    def translations(language: str) -> gettext.NullTranslations:
        return _Wrapped() if language == "uk" else gettext.NullTranslations()

    monkeypatch.setattr(i18n, "translations", translations)
    monkeypatch.setattr(i18n, "_copies", {})  # modules of texts read afresh with it


def _words_left(page: str, data: set[str]) -> str:
    """What a reader sees that is neither wrapped (translated) nor data (names, numbers,
    dates in Ukrainian)."""
    visible = _Visible()
    visible.feed(page)
    visible.close()
    text = "\n".join(visible.texts)
    while True:  # innermost first: a translated text may hold another
        inner = re.sub(r"«[^«»]*»", " ", text)
        if inner == text:
            break
        text = inner
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return " ".join(w for w in text.split() if _LETTER.search(w) and re.search("[A-Za-z«»]", w))


WARDS = '[[areas]]\nname = "Town Centre"\nward = "Market"\n'


async def test_every_page_shows_only_translated_words_and_data(
    db_path: Path, clock: FakeClock, tmp_path: Path, wrapped_ukrainian: None
) -> None:
    # Wards in the community file, one area without: each table the pages can show.
    community = tmp_path / "community.toml"
    community.write_text(
        BUNDLED_COMMUNITY.read_text(encoding="utf-8").replace(
            '[[areas]]\nname = "Town Centre"\n', WARDS, 1
        ),
        encoding="utf-8",
    )
    async with running_bot(
        db_path, clock=clock, coordinator_ids=[CORA.id], community_file=community
    ) as bot:
        await bot.agree(CORA, LIZ, RESIDENT, VOLUNTEER)
        await bot.store.people.grant(LIZ.id, Role.LIAISON, clock.now(), CORA.id)
        await _no_language_kept(bot, LIZ, CORA)
        await _help_given(bot)
        await bot.post_need(RESIDENT, area="Town Centre")
        offered = [m for m in bot.screen(VOLUNTEER) if "Accept" in labels(m)]
        await bot.press(VOLUNTEER, "Accept", offered[-1])
        concern = bot.message_with_button(VOLUNTEER, "Raise a concern")
        await bot.press(VOLUNTEER, "Raise a concern", concern)
        await bot.say(VOLUNTEER, "The gate was locked")
        if "Send" in labels(bot.last(VOLUNTEER)):
            await bot.press(VOLUNTEER, "Send")
        open_need = await bot.post_need(RESIDENT, area="Town Centre")
        assert "Market" in {a.ward for a in bot.services.community.areas}
        data = {
            bot.services.community.name,
            *bot.services.community.area_names(),
            *bot.services.community.category_names(),
            "Market",
            *(p.first_name for p in (CORA, LIZ, RESIDENT, VOLUNTEER)),
            *(p.username for p in (CORA, LIZ, RESIDENT, VOLUNTEER) if p.username),
            "A loaf of bread and some milk",
            "The gate was locked",
            "WEB-7",
        }
        async with dashboard(bot) as web:
            web.client.headers["accept-language"] = "uk"
            pages = {"/ signed out": (await web.get("/")).text}
            link = await web.link_for(LIZ)
            pages["sign-in link"] = (await web.get(link)).text
            await web.open_link(link)
            referral = await web.get("/referrals")
            form = {
                "category": "Shopping & essentials",
                "area": "Trinity",
                "description": "A loaf of bread and some milk",
                "when": "today",
                "name": "Liz",
                "contact": "07700 900123",
                "ref": "WEB-7",
                "agreed": "yes",
            }
            await web.submit(referral, "/referrals/new", **form)
            for path in ("/", "/areas", "/categories", "/matching", "/print", "/referrals"):
                pages[f"liaison {path}"] = (await web.get(path)).text
            pages["refused"] = (await web.get("/needs")).text
            pages["used link"] = (await web.get(link)).text
            pages["no such page"] = (await web.get("/nowhere")).text
            pages["bad period"] = (await web.get("/areas?period=2099-01")).text
            for name in ("trend", "areas", "wards", "categories", "supply", "matching", "hours"):
                svg = (await web.get(f"/charts/{name}.svg")).text
                pages[f"chart {name}"] = re.sub(r"<style\b.*?</style>", "", svg, flags=re.S)
            web.forget_cookies()
            await web.sign_in(CORA)
            for path in (
                "/needs",
                "/needs?status=open&area=Trinity",
                f"/needs/{open_need}",
                f"/needs/{open_need - 1}",
                "/volunteers",
                "/concerns",
                "/audit",
                "/referrals",
            ):
                pages[f"coordinator {path}"] = (await web.get(path)).text
        assert all("«" in page for page in pages.values())
        left = {name: words for name, page in pages.items() if (words := _words_left(page, data))}
        assert left == {}


def test_the_bands_and_the_ward_left_out_are_said_in_english_as_the_figures_name_them() -> None:
    assert all(texts.band(label) == label for label in texts.BANDS)
    assert texts.ward("North") == "North"
