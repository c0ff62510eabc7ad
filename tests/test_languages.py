"""Languages, through the real bot: each person reads every message and button in their
own language (their Telegram app's, or the one they chose with /language), whoever the
message comes from; nothing about someone is kept before they agree, not even a language."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, timedelta
from typing import TypeVar

import pytest
from support.bot import BotUnderTest, labels, plain

from bot.sandbox import Person
from domain import answers
from domain.community import Area, Community
from handlers import i18n, jobs, language, texts
from handlers.context import Ctx

T = TypeVar("T")
StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
ALICE = Person(9100001, "Alice")  # the configured coordinator, English
SHOPPING = "Shopping & essentials"


def said(language: str, english: str) -> str:
    """A button's label or a text as this language has it."""
    return i18n.translations(language).gettext(english)


def in_language(language: str, make: Callable[[], T]) -> T:
    with i18n.speaking(language):
        return make()


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    async with start_bot(coordinator_ids=[ALICE.id], quiet_hours=None) as running:
        await running.agree(ALICE)
        yield running
        assert not running.errors.records, running.errors.describe()


async def agree_in(bot: BotUnderTest, who: Person, language: str) -> None:
    await bot.say(who, "/start")
    await bot.press(who, said(language, "I agree"))


async def sign_up_in(bot: BotUnderTest, who: Person, language: str) -> None:
    """A volunteer profile through the buttons, reading them in this language."""
    await bot.say(who, "/volunteer")
    await bot.press(who, i18n.named(SHOPPING, language))
    await bot.press(who, said(language, "Done"))
    await bot.press(who, "Trinity")
    await bot.press(who, said(language, "Done"))
    await bot.press(who, said(language, "Any time"))
    await bot.press(who, said(language, "Done"))  # the languages they speak: their own ticked
    await bot.press(who, said(language, "Save"))


async def post_in(bot: BotUnderTest, who: Person, language: str, words: str) -> int:
    await bot.say(who, "/need")
    await bot.press(who, i18n.named(SHOPPING, language))
    await bot.press(who, "Trinity")
    await bot.say(who, words)
    await bot.press(who, said(language, "Today"))
    await bot.press(who, said(language, "Post"))
    rows = bot.rows("SELECT max(id) FROM needs WHERE resident_id=?", (who.id,))
    assert rows[0][0] is not None, bot.texts(who)[-3:]
    return int(rows[0][0])


@pytest.mark.parametrize(("resident_language", "volunteer_language"), [("uk", "pl"), ("pl", "uk")])
async def test_a_whole_request_each_person_in_their_own_language(
    bot: BotUnderTest, resident_language: str, volunteer_language: str
) -> None:
    resident = Person(7100001, "Oksana", language_code=f"{resident_language}-XX")
    volunteer = Person(7100002, "Piotr", language_code=volunteer_language)
    await bot.say(resident, "/start")
    notice = in_language(
        resident_language,
        lambda: texts.privacy_notice(bot.services.community.name, bot.services.retention.days),
    )
    assert bot.last_text(resident) == notice
    assert labels(bot.last(resident))[:2] == [
        said(resident_language, "I agree"),
        said(resident_language, "No thanks"),
    ]
    await bot.press(resident, said(resident_language, "I agree"))
    await agree_in(bot, volunteer, volunteer_language)
    await sign_up_in(bot, volunteer, volunteer_language)

    need_id = await post_in(bot, resident, resident_language, "Хліб і молоко / chleb i mleko")
    need = await bot.store.needs.get(need_id)
    assert need is not None

    # The volunteer is asked in theirs; their buttons too.
    proposal = bot.message_with_button(volunteer, said(volunteer_language, "Accept"))
    expected = in_language(
        volunteer_language, lambda: texts.proposal(need, now=bot.clock.now(), tz=bot.services.tz)
    )
    assert proposal.text == expected
    assert plain(expected) != plain(texts.proposal(need, now=bot.clock.now(), tz=bot.services.tz))
    await bot.press(volunteer, said(volunteer_language, "Accept"), proposal)

    # Each hears of the match in their own language.
    assert plain(bot.last_text(resident)).startswith(
        plain(said(resident_language, texts.ACCEPTED_RESIDENT).split("{")[0])
    )
    assert said(volunteer_language, "Done") in labels(bot.last(volunteer))
    # Nothing in English reached either of them after they agreed.
    english = {plain(texts.CONSENT_THANKS), plain(texts.NEED_POSTED.split("{")[0])}
    for who in (resident, volunteer):
        assert not english & {plain(t) for t in bot.texts(who)}, bot.texts(who)


async def test_language_changes_every_later_message_and_button(bot: BotUnderTest) -> None:
    margaret = Person(7100011, "Margaret", language_code="en-GB")
    await bot.agree(margaret)
    await bot.say(margaret, "/language")
    assert bot.last_text(margaret) == texts.ASK_LANGUAGE
    assert labels(bot.last(margaret)) == ["English", "Українська", "Polski"]
    await bot.press(margaret, "Polski")
    assert bot.last_text(margaret) == said("pl", texts.LANGUAGE_SET)
    await bot.say(margaret, "/help")
    assert bot.last_text(margaret) == in_language("pl", lambda: texts.help_section("resident"))
    # Kept in their profile, and in what /mydata shows them.
    assert bot.rows("SELECT language FROM people WHERE id=?", (margaret.id,)) == [("pl",)]
    await bot.say(margaret, "/need")
    assert bot.last_text(margaret) == said("pl", texts.ASK_CATEGORY)
    assert said("pl", "Cancel") in labels(bot.last(margaret))


async def test_before_agreeing_a_language_changes_the_notice_and_nothing_is_kept(
    bot: BotUnderTest,
) -> None:
    halyna = Person(7100021, "Halyna", language_code="en")  # an English phone
    await bot.say(halyna, "/start")
    assert "Українська" in labels(bot.last(halyna))
    await bot.press(halyna, "Українська")
    notice = in_language(
        "uk", lambda: texts.privacy_notice(bot.services.community.name, bot.services.retention.days)
    )
    assert bot.last_text(halyna) == notice
    assert bot.rows("SELECT count(*) FROM people WHERE id=?", (halyna.id,)) == [(0,)]
    await bot.press(halyna, said("uk", "I agree"))
    assert bot.rows("SELECT language FROM people WHERE id=?", (halyna.id,)) == [("uk",)]
    assert bot.last_text(halyna).endswith("✓ " + said("uk", texts.CONSENT_THANKS))


async def test_an_app_in_a_language_the_group_does_not_offer_reads_the_groups_first(
    bot: BotUnderTest,
) -> None:
    jean = Person(7100031, "Jean", language_code="fr")
    await bot.say(jean, "/start")
    assert bot.last_text(jean) == texts.privacy_notice(
        bot.services.community.name, bot.services.retention.days
    )


async def test_a_forged_language_button_changes_nothing(bot: BotUnderTest) -> None:
    margaret = Person(7100041, "Margaret")
    await bot.agree(margaret)
    before = bot.snapshot()
    await bot.press_data(margaret, "v1:lang:xx")
    assert bot.snapshot()["people"] == before["people"]
    assert bot.rows("SELECT language FROM people WHERE id=?", (margaret.id,)) == [("en",)]


async def test_a_volunteer_who_speaks_the_residents_language_is_asked_first(
    start_bot: StartBot,
) -> None:
    priya = Person(7100051, "Priya", language_code="en")  # the first asked, were it not for it
    bohdan = Person(7100052, "Bohdan", language_code="uk")
    oksana = Person(7100053, "Oksana", language_code="uk")
    margaret = Person(7100054, "Margaret", language_code="en")
    async with start_bot(coordinator_ids=[ALICE.id], quiet_hours=None, wave_size=1) as bot:
        await bot.agree(ALICE, priya, margaret)
        await agree_in(bot, bohdan, "uk")
        await agree_in(bot, oksana, "uk")
        await bot.sign_up(priya)
        await sign_up_in(bot, bohdan, "uk")
        assert bot.rows("SELECT languages FROM volunteers WHERE user_id=?", (bohdan.id,)) == [
            (",uk,",)
        ]

        await post_in(bot, oksana, "uk", "Хліб і молоко")
        assert bot.message_with_button(bohdan, said("uk", "Accept"))
        assert not any("Accept" in labels(m) for m in bot.screen(priya))
        # An English request: the English speaker first, as before.
        await bot.post_need(margaret, description="Milk")
        assert bot.message_with_button(priya, "Accept")


def _menus(bot: BotUnderTest, mark: int = 0) -> list[tuple[object, str | None, list[str]]]:
    """(scope: a chat id or "all", language_code, descriptions) of each menu set."""
    found = []
    for call in bot.calls_since(mark):
        if call.method != "setMyCommands":
            continue
        scope = call.params.get("scope")
        scope = json.loads(scope) if isinstance(scope, str) else dict(scope or {})
        commands = call.params["commands"]
        commands = json.loads(commands) if isinstance(commands, str) else commands
        where = scope.get("chat_id", "all")
        found.append(
            (where, call.params.get("language_code"), [c["description"] for c in commands])
        )
    return found


def _descriptions(language: str, section: str = "resident") -> list[str]:
    return in_language(language, lambda: [about for _, about in texts.COMMANDS[section]])


async def test_command_menus_in_each_language(bot: BotUnderTest) -> None:
    everyone = {(code, tuple(d)) for where, code, d in _menus(bot) if where == "all"}
    assert everyone == {
        (None, tuple(_descriptions("en"))),
        ("uk", tuple(_descriptions("uk"))),
        ("pl", tuple(_descriptions("pl"))),
    }
    # Someone who chose a language other than their app's gets their own menu in it.
    margaret = Person(7100061, "Margaret", language_code="en")
    await bot.agree(margaret)
    mark = bot.mark()
    await bot.say(margaret, "/language")
    await bot.press(margaret, "Українська")
    assert _menus(bot, mark) == [(margaret.id, None, _descriptions("uk"))]


@pytest.mark.parametrize(
    ("code", "category", "typed_category", "tomorrow", "post"),
    [
        ("uk", "Prescriptions", "ліки", "завтра", "надіслати"),
        ("uk", SHOPPING, "Покупки та найнеобхідніше", "завтра", "так"),
        ("pl", SHOPPING, "zakupy", "jutro", "wyślij"),
        ("pl", "Prescriptions", "leki na recepte", "jutro", "tak"),
    ],
)
async def test_a_request_typed_in_words_of_the_residents_language(
    bot: BotUnderTest, code: str, category: str, typed_category: str, tomorrow: str, post: str
) -> None:
    resident = Person(7100071, "Olena", language_code=code)
    await agree_in(bot, resident, code)
    await bot.say(resident, "/need")
    await bot.say(resident, typed_category)
    await bot.say(resident, "Trinity")
    await bot.say(resident, "Хліб / chleb")
    await bot.say(resident, tomorrow)
    summary = plain(bot.last_text(resident))
    assert i18n.named(category, code) in summary
    assert plain(said(code, "Tomorrow")) in summary
    await bot.say(resident, post)
    assert bot.rows("SELECT category, wanted FROM needs WHERE resident_id=?", (resident.id,)) == [
        (category, "tomorrow")
    ]


# The default categories, as a group's file without [[categories]] has them.
COMMUNITY = Community(name="Anytown", areas=(Area(name="Trinity"),))
# What each question's hint names as typable, and how that step reads a typed answer.
_TODAY = date(2025, 3, 12)
_READERS: dict[str, Callable[[str], object]] = {
    "need.when": lambda w: answers.pick_when(w, _TODAY),
    "need.confirm": lambda w: answers.yes_or_no(w, answers.POST_WORDS, answers.CANCEL_WORDS),
    "need.duplicate": lambda w: answers.yes_or_no(w, answers.NEW_WORDS, answers.SAME_WORDS),
    "need.signposted": lambda w: answers.pick(
        w,
        [
            (answers.Confirm.YES, answers.POST_ANYWAY_WORDS),
            (answers.Confirm.NO, (*answers.SIGNPOSTED_NO, *answers.NO)),
        ],
    ),
    "volunteer.availability": lambda w: answers.pick(w, list(answers.AVAILABILITY_WORDS.items())),
    "volunteer.confirm": lambda w: answers.yes_or_no(w, answers.SAVE_WORDS, answers.CANCEL_WORDS),
    "volunteer.skills": lambda w: (
        answers.pick(w, [(True, answers.DONE_WORDS)])
        or answers.pick(w, COMMUNITY.category_options())
    ),
    "volunteer.languages": lambda w: (
        answers.pick(w, [(True, answers.DONE_WORDS)])
        or answers.pick(w, list(language.WORDS.items()))
    ),
    "forget": lambda w: answers.yes_or_no(w, answers.DELETE_WORDS, answers.KEEP_DATA_WORDS),
    "resume": answers.pick_resume,
    "refer.agreed": lambda w: answers.yes_or_no(w, answers.AGREED_WORDS),
}
_QUOTED = re.compile(r"[“„«]([^”“»]+)[”“»]")


@pytest.mark.parametrize("code", i18n.LANGUAGES)
def test_every_word_a_question_says_to_type_is_understood(code: str) -> None:
    not_understood = []
    with i18n.speaking(code):
        hints = dict(texts.EXPECTED)
        labels_of = {k: v for k, v in hints.items() if k in _READERS}
    for step, hint in labels_of.items():
        for word in _QUOTED.findall(hint):
            if _READERS[step](word) is None:
                not_understood.append(f"{step}: {word!r}")
    assert labels_of and not not_understood, not_understood


async def test_each_coordinator_gets_the_digest_and_alerts_in_their_own_language(
    start_bot: StartBot,
) -> None:
    cora = Person(9100001, "Cora", language_code="en")
    pawel = Person(9100002, "Paweł", language_code="pl")
    resident = Person(7100081, "Oksana", language_code="uk")
    async with start_bot(coordinator_ids=[cora.id, pawel.id], quiet_hours=None) as bot:
        await bot.agree(cora)
        await agree_in(bot, pawel, "pl")
        await agree_in(bot, resident, "uk")
        # Wanted today, and nobody to ask: each coordinator is alerted at once.
        need_id = await post_in(bot, resident, "uk", "Ліки з аптеки")
        need = await bot.store.needs.get(need_id)
        assert need is not None

        def alert_in(language: str) -> str:
            """The alert's words after its last placeholder, as this language has them."""
            with i18n.speaking(language):
                return plain(texts.ALERT_UNMATCHED.rsplit("}", 1)[1])

        assert alert_in("pl") != alert_in("en")
        assert any(alert_in("en") in plain(t) for t in bot.texts(cora))
        assert any(alert_in("pl") in plain(t) for t in bot.texts(pawel))
        assert not any(alert_in("en") in plain(t) for t in bot.texts(pawel))

        # The next morning's digest, in each one's language.
        bot.clock.advance(timedelta(days=1))
        await jobs.run_due_work(Ctx(application=bot.app))

        def digest_in(language: str) -> str:
            with i18n.speaking(language):
                return plain(texts.DIGEST_TITLE.format(group=bot.services.community.name, when=""))

        assert any(plain(t).startswith(digest_in("en")) for t in bot.texts(cora))
        assert any(plain(t).startswith(digest_in("pl")) for t in bot.texts(pawel))
        assert digest_in("pl") != digest_in("en")
