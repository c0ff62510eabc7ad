"""Handler tests of the main paths: consent, signing up, posting, proposals, waves, restarts.

The real Application (built by `build_application`) talks to a stand-in Telegram at the
transport seam; the tests read what people see and what is in the database file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from support.bot import RESIDENT, VOLUNTEER, BotUnderTest, labels, plain

from bot.sandbox import Person, Sent
from handlers import keyboards, texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

SHOPPING = "Shopping & essentials"


def open_proposal(bot: BotUnderTest, who: Person) -> Sent:
    return bot.message_with_button(who, "Accept")


def code_in(text: str) -> str:
    found = re.findall(r"code\D{0,20}(\d{4})\b", plain(text))
    assert found, f"no four-digit doorstep code in {plain(text)!r}"
    return str(found[0])


# --- consent ---------------------------------------------------------------------------------


async def test_start_shows_the_privacy_notice_with_agree_and_no_thanks(
    bot: BotUnderTest,
) -> None:
    await bot.say(RESIDENT, "/start")

    notice = bot.last(RESIDENT)
    assert labels(notice) == ["I agree", "No thanks", "Українська", "Polski"]
    words = plain(notice.text)
    assert "Frome Mutual Aid" in words
    assert "30 days" in words  # how long
    assert "/forget" in words and "/mydata" in words  # how to see and delete it
    assert "without your name" in words  # who sees it
    # Nothing is kept about someone who has not agreed yet.
    assert bot.rows("SELECT id FROM people WHERE id=?", (RESIDENT.id,)) == []


@pytest.mark.parametrize(
    "attempt",
    ["/need", "/volunteer", "/help", "Please can someone get my shopping", "menu:need"],
)
@pytest.mark.parametrize("after_start", [False, True], ids=["never-started", "notice-shown"])
async def test_nothing_works_before_agreeing(
    bot: BotUnderTest, attempt: str, after_start: bool
) -> None:
    if after_start:
        await bot.say(RESIDENT, "/start")
    mark = bot.mark()

    if attempt == "menu:need":  # an `I need help` button left from an older session
        data = str(keyboards.menu().inline_keyboard[0][0].callback_data)
        old_menu = Sent(
            RESIDENT.id, 999_999, "Old menu", [[{"text": "I need help", "callback_data": data}]]
        )
        await bot.press(RESIDENT, "I need help", message=old_menu)
        assert texts.NEEDS_CONSENT in bot.answers_since(mark)
    else:
        await bot.say(RESIDENT, attempt)

    assert bot.sent_since(mark, RESIDENT.id) == [texts.NEEDS_CONSENT]
    assert "/start" in texts.NEEDS_CONSENT
    assert bot.count("needs") == 0
    assert bot.count("volunteers") == 0
    assert bot.count("conversations") == 0
    assert bot.count("people", "id=? AND consent_version > 0", (RESIDENT.id,)) == 0


async def test_agreeing_records_consent_and_shows_the_menu(bot: BotUnderTest) -> None:
    await bot.say(RESIDENT, "/start")
    notice = bot.last(RESIDENT)
    await bot.press(RESIDENT, "I agree")

    # The notice stays as it was, with what they said under it and the menu in place of
    # `I agree` (it can't be answered twice).
    assert bot.screen(RESIDENT) == [bot.last(RESIDENT)]
    menu = bot.last(RESIDENT)
    assert menu.message_id == notice.message_id
    assert menu.text == notice.text + "\n\n✓ " + texts.CONSENT_THANKS
    assert labels(menu) == ["I need help", "I can help"]
    assert bot.rows(
        "SELECT consent_version, consent_at FROM people WHERE id=?", (RESIDENT.id,)
    ) == [(texts.PRIVACY_VERSION, bot.clock.now().isoformat())]

    await bot.press(RESIDENT, "I need help")
    assert bot.last_text(RESIDENT) == texts.ASK_CATEGORY
    assert SHOPPING in labels(bot.last(RESIDENT))


async def test_no_thanks_keeps_nothing_and_the_bot_stays_closed(bot: BotUnderTest) -> None:
    await bot.say(RESIDENT, "/start")
    await bot.press(RESIDENT, "No thanks")

    assert bot.last_text(RESIDENT) == texts.CONSENT_DECLINED
    assert "/start" in texts.CONSENT_DECLINED
    await bot.say(RESIDENT, "/need")
    assert bot.last_text(RESIDENT) == texts.NEEDS_CONSENT
    assert bot.count("needs") == 0
    # "We won't keep anything about you": not their name, not their username.
    assert "won't keep anything" in texts.CONSENT_DECLINED
    assert bot.rows("SELECT first_name, username FROM people WHERE id=?", (RESIDENT.id,)) == []


# --- signing up as a volunteer -------------------------------------------------------------


async def test_volunteer_signs_up_with_skills_areas_and_availability(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER)
    await bot.press(VOLUNTEER, "I can help")
    await bot.press(VOLUNTEER, SHOPPING)
    await bot.press(VOLUNTEER, "Dog walking & pets")
    await bot.press(VOLUNTEER, "Dog walking & pets")  # changed her mind: a toggle
    skills = bot.last(VOLUNTEER)
    assert f"✅ {SHOPPING}" in skills.button_labels()
    assert "Dog walking & pets" in skills.button_labels()  # unticked again
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "Badcox")
    await bot.press(VOLUNTEER, "Trinity")
    await bot.press(VOLUNTEER, "Done")
    assert labels(bot.last(VOLUNTEER))[:4] == ["Any time", "Weekdays", "Weekends", "Evenings"]
    await bot.press(VOLUNTEER, "Weekends")
    # The languages they speak: their own is ticked already.
    assert bot.last_text(VOLUNTEER).endswith(texts.ASK_VOLUNTEER_LANGUAGES)
    assert bot.last(VOLUNTEER).button_labels()[:3] == ["✅ English", "Українська", "Polski"]
    await bot.press(VOLUNTEER, "Done")

    summary = plain(bot.last_text(VOLUNTEER))
    assert f"Can help with: {SHOPPING}\n" in summary
    assert "Areas: Trinity, Badcox" in summary
    assert "Available: Weekends" in summary
    assert "Save" in labels(bot.last(VOLUNTEER))
    assert bot.count("volunteers") == 0  # nothing is kept until Save

    summary_html = bot.last_text(VOLUNTEER)
    await bot.press(VOLUNTEER, "Save")

    # The profile stays on screen, with how it went under it.
    assert bot.last_text(VOLUNTEER) == texts.concluded(summary_html, texts.VOLUNTEER_SAVED)
    assert bot.rows("SELECT availability, approved, on_duty FROM volunteers") == [
        ("weekends", 1, 1)
    ]
    assert bot.rows("SELECT category FROM volunteer_skills WHERE user_id=?", (VOLUNTEER.id,)) == [
        (SHOPPING,)
    ]
    assert sorted(bot.rows("SELECT area FROM volunteer_areas")) == [("Badcox",), ("Trinity",)]
    assert bot.conversation_state(VOLUNTEER, "volunteer") is None


async def test_with_approval_on_a_new_volunteer_waits_and_is_not_asked(
    start_bot: StartBot,
) -> None:
    async with start_bot(volunteer_approval=True) as bot:
        await bot.agree(VOLUNTEER, RESIDENT)
        await bot.sign_up(VOLUNTEER, areas=("Trinity",))

        assert bot.last_text(VOLUNTEER).endswith("✓ " + texts.VOLUNTEER_PENDING)
        assert "coordinator will approve" in texts.VOLUNTEER_PENDING
        assert bot.rows("SELECT approved FROM volunteers WHERE user_id=?", (VOLUNTEER.id,)) == [
            (0,)
        ]

        mark = bot.mark()
        await bot.post_need(RESIDENT, area="Trinity")

        assert bot.sent_since(mark, VOLUNTEER.id) == []
        assert bot.count("proposals") == 0
        assert not bot.errors.records, bot.errors.describe()


# --- posting a need ------------------------------------------------------------------------


async def test_need_posted_by_area_button_is_answered_with_its_reference(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/need")
    await bot.press(RESIDENT, "Prescriptions")
    assert "Trinity" in labels(bot.last(RESIDENT))
    await bot.press(RESIDENT, "Trinity")
    prompt = plain(bot.last_text(RESIDENT))
    assert "Area: Trinity" in prompt
    assert "health details" in prompt and "full address" in prompt
    await bot.say(RESIDENT, "Collect my repeat prescription from Boots")
    assert labels(bot.last(RESIDENT))[:4] == ["Today", "Tomorrow", "This week", "Flexible"]
    await bot.press(RESIDENT, "Tomorrow")
    summary = bot.last(RESIDENT)
    assert labels(summary) == ["Post", "Cancel"]
    assert "Collect my repeat prescription from Boots" in plain(summary.text)
    assert bot.count("needs") == 0  # nothing is posted before Post

    await bot.press(RESIDENT, "Post")

    rows = bot.rows(
        "SELECT id, resident_id, category, area, description, wanted, status FROM needs"
    )
    assert len(rows) == 1
    need_id = rows[0][0]
    assert rows[0][1:] == (
        RESIDENT.id,
        "Prescriptions",
        "Trinity",
        "Collect my repeat prescription from Boots",
        "tomorrow",
        "open",
    )
    assert f"#{need_id}" in plain(bot.last_text(RESIDENT))
    assert labels(bot.screen(RESIDENT)[-2]) == []  # the summary can't be posted twice
    assert bot.conversation_state(RESIDENT) is None


@pytest.mark.parametrize(
    ("typed", "area"),
    [
        ("selwood ROAD", "Trinity"),  # a street alias, any case
        ("ba11 4", "Keyford"),  # a postcode district, lower case
        ("  FROMEFIELD  ", "Fromefield"),  # the area's own name, shouted, with spaces
    ],
)
async def test_need_area_typed_as_an_alias_in_any_case(
    bot: BotUnderTest, typed: str, area: str
) -> None:
    await bot.agree(RESIDENT)
    await bot.start_need(RESIDENT)
    await bot.say(RESIDENT, typed)

    assert f"Area: {area}." in plain(bot.last_text(RESIDENT))
    await bot.say(RESIDENT, "Some bread")
    await bot.press(RESIDENT, "Flexible")
    await bot.press(RESIDENT, "Post")

    assert bot.rows("SELECT area, wanted FROM needs") == [(area, "flexible")]


@pytest.mark.parametrize(
    ("lat", "lon", "area"),
    [
        (51.2262, -2.3291, "Badcox"),  # a few streets from Badcox's centre
        (51.2420, -2.3050, "Fromefield"),  # north-east edge of town
        (51.2600, -2.2000, "Berkley Down"),  # well outside: still the nearest
    ],
)
async def test_need_area_from_a_shared_location_is_the_nearest_centroid(
    bot: BotUnderTest, lat: float, lon: float, area: str
) -> None:
    await bot.agree(RESIDENT)
    await bot.start_need(RESIDENT)
    await bot.share_location(RESIDENT, lat, lon)

    assert f"Area: {area}." in plain(bot.last_text(RESIDENT))
    await bot.say(RESIDENT, "Post a parcel for me")
    await bot.press(RESIDENT, "This week")
    await bot.press(RESIDENT, "Post")

    assert bot.rows("SELECT area, wanted FROM needs") == [(area, "week")]


# --- the loop: proposal, accept, both sides told ---------------------------------------------


async def test_proposal_reaches_the_volunteer_without_the_residents_identity(
    bot: BotUnderTest,
) -> None:
    await bot.agree(VOLUNTEER, RESIDENT)
    await bot.sign_up(VOLUNTEER)
    need_id = await bot.post_need(RESIDENT, description="Milk, eggs and a newspaper")

    proposal = open_proposal(bot, VOLUNTEER)
    assert labels(proposal) == ["Accept", "Decline"]
    words = plain(proposal.text)
    assert f"#{need_id}" in words
    assert SHOPPING in words and "Trinity" in words and "today" in words
    assert "Milk, eggs and a newspaper" in words
    everything = proposal.text + repr(proposal.buttons)
    for secret in (RESIDENT.first_name, RESIDENT.username, str(RESIDENT.id)):
        assert secret and secret not in everything
    assert bot.rows("SELECT need_id, volunteer_id, status FROM proposals") == [
        (need_id, VOLUNTEER.id, "open")
    ]


async def test_accept_gives_the_volunteer_the_details_and_both_the_same_code(
    bot: BotUnderTest,
) -> None:
    await bot.agree(VOLUNTEER, RESIDENT)
    await bot.sign_up(VOLUNTEER)
    need_id = await bot.post_need(RESIDENT, description="Milk, eggs and a newspaper")
    proposal = open_proposal(bot, VOLUNTEER)

    await bot.press(VOLUNTEER, "Accept")

    details = next(m for m in bot.screen(VOLUNTEER) if m.message_id == proposal.message_id)
    assert "Accept" not in labels(details) and "Decline" not in labels(details)
    words = plain(details.text)
    assert f"#{need_id}" in words
    assert "Milk, eggs and a newspaper" in words and SHOPPING in words and "Trinity" in words
    assert RESIDENT.first_name in words
    # Reached through the bot: a button, never the resident's account.
    assert f"Message {RESIDENT.first_name}" in labels(details)
    assert f"@{RESIDENT.username}" not in words and "tg://user" not in details.text
    code = code_in(details.text)
    safety = plain(texts.SAFETY_RULES.format(code=code))
    assert safety in words

    told = bot.messages_containing(RESIDENT, VOLUNTEER.first_name)
    assert len(told) == 1
    assert f"#{need_id}" in plain(told[0].text)
    assert code_in(told[0].text) == code
    assert bot.rows("SELECT status, volunteer_id, doorstep_code FROM needs") == [
        ("accepted", VOLUNTEER.id, code)
    ]
    assert bot.rows("SELECT status FROM proposals") == [("accepted",)]


# --- waves ---------------------------------------------------------------------------------

OLU = Person(6600001, "Olu")  # Oakfield: a neighbour of Trinity
TESS = Person(6600002, "Tess")  # Town Centre: a neighbour of Trinity
TARIQ = Person(6600003, "Tariq")  # Trinity
TILLY = Person(6600004, "Tilly")  # Trinity
KIT = Person(6600005, "Kit")  # Keyford: too far
DEV = Person(6600006, "Dev")  # Trinity, but prescriptions only


async def four_eligible(bot: BotUnderTest) -> int:
    """Six volunteers, four of them eligible for a shopping need in Trinity; returns its id."""
    await bot.agree(RESIDENT, OLU, TESS, TARIQ, TILLY, KIT, DEV)
    for who, area in ((OLU, "Oakfield"), (TESS, "Town Centre"), (TARIQ, "Trinity")):
        await bot.sign_up(who, areas=(area,))
    await bot.sign_up(TILLY, areas=("Trinity",))
    await bot.sign_up(KIT, areas=("Keyford",))
    await bot.sign_up(DEV, skills=("Prescriptions",), areas=("Trinity",))
    return await bot.post_need(RESIDENT, area="Trinity")


async def test_a_wave_asks_the_three_best_of_four_in_rank_order(bot: BotUnderTest) -> None:
    need_id = await four_eligible(bot)

    # Same area first (ties by a stable order), then a neighbour; the fourth waits.
    asked = bot.rows("SELECT volunteer_id FROM proposals WHERE need_id=? ORDER BY id", (need_id,))
    assert [r[0] for r in asked] == [TARIQ.id, TILLY.id, OLU.id]
    for who in (TARIQ, TILLY, OLU):
        assert labels(open_proposal(bot, who)) == ["Accept", "Decline"]
    for who in (TESS, KIT, DEV):
        assert not [m for m in bot.screen(who) if f"#{need_id}" in m.text]


async def test_first_accept_wins_the_others_are_told_and_lose_their_buttons(
    bot: BotUnderTest,
) -> None:
    need_id = await four_eligible(bot)
    before = {who.id: open_proposal(bot, who) for who in (TARIQ, TILLY, OLU)}

    await bot.press(TILLY, "Accept")

    assert bot.rows("SELECT status, volunteer_id FROM needs") == [("accepted", TILLY.id)]
    for who in (TARIQ, OLU):
        now = next(m for m in bot.screen(who) if m.message_id == before[who.id].message_id)
        assert labels(now) == []
        assert "another volunteer has taken" in plain(now.text)
        assert f"#{need_id}" in plain(now.text)
    statuses = dict(bot.rows("SELECT volunteer_id, status FROM proposals"))
    assert statuses == {TILLY.id: "accepted", TARIQ.id: "taken", OLU.id: "taken"}
    assert len(bot.messages_containing(RESIDENT, TILLY.first_name)) == 1

    # Tariq's phone still showed the buttons: he presses Accept a moment too late.
    mark = bot.mark()
    snapshot = bot.snapshot()
    await bot.press(TARIQ, "Accept", message=before[TARIQ.id])

    assert bot.answers_since(mark) == [texts.ALREADY_TAKEN]
    assert texts.SOMETHING_WENT_WRONG not in bot.sent_since(mark)
    assert bot.sent_since(mark, RESIDENT.id) == []
    assert bot.rows("SELECT status, volunteer_id FROM needs") == [("accepted", TILLY.id)]
    assert {k: v for k, v in bot.snapshot().items() if k != "scheduled_work"} == {
        k: v for k, v in snapshot.items() if k != "scheduled_work"
    }


async def test_when_the_whole_wave_declines_the_next_volunteer_is_asked(
    bot: BotUnderTest,
) -> None:
    need_id = await four_eligible(bot)
    before = {who.id: open_proposal(bot, who) for who in (TARIQ, TILLY, OLU)}

    await bot.press(TARIQ, "Decline")
    await bot.press(OLU, "Decline")
    assert bot.count("proposals", "volunteer_id=?", (TESS.id,)) == 0  # Tilly hasn't answered
    await bot.press(TILLY, "Decline")

    for who in (TARIQ, TILLY, OLU):
        now = next(m for m in bot.screen(who) if m.message_id == before[who.id].message_id)
        assert labels(now) == []
        assert "declined" in plain(now.text)
    tess = open_proposal(bot, TESS)
    assert f"#{need_id}" in plain(tess.text)
    assert bot.rows("SELECT status FROM proposals WHERE volunteer_id=?", (TESS.id,)) == [("open",)]
    for who in (KIT, DEV):
        assert not [m for m in bot.screen(who) if f"#{need_id}" in m.text]

    await bot.press(TESS, "Accept")
    assert bot.rows("SELECT status, volunteer_id FROM needs") == [("accepted", TESS.id)]


# --- restarts ------------------------------------------------------------------------------


@pytest.mark.parametrize("stopped_at", ["description", "when"])
async def test_a_need_half_way_through_carries_on_after_a_restart(
    start_bot: StartBot, stopped_at: str
) -> None:
    async with start_bot() as first:
        await first.agree(RESIDENT)
        await first.start_need(RESIDENT, "Post & errands", "Welshmill")
        if stopped_at == "when":
            await first.say(RESIDENT, "Post two letters at the Post Office")
        telegram = first.request  # Telegram, and what is on the resident's screen, stay up
        assert not first.errors.records, first.errors.describe()

    async with start_bot(request=telegram) as second:
        if stopped_at == "description":
            await second.say(RESIDENT, "Post two letters at the Post Office")
            assert labels(second.last(RESIDENT))[:4] == [
                "Today",
                "Tomorrow",
                "This week",
                "Flexible",
            ]
        await second.press(RESIDENT, "Tomorrow")  # for "when": a button the first run sent
        assert "Post" in labels(second.last(RESIDENT))
        await second.press(RESIDENT, "Post")

        assert second.rows("SELECT category, area, description, wanted FROM needs") == [
            ("Post & errands", "Welshmill", "Post two letters at the Post Office", "tomorrow")
        ]
        assert "#1" in plain(second.last_text(RESIDENT))
        assert not second.errors.records, second.errors.describe()
