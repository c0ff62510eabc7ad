"""Signposts in context (product.md): words expected in a category do not block there; a
resident shown signposts for anything but an emergency may say `It's not that, post it`,
and the need is held for a coordinator, who releases it to matching or closes it kindly.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from support.bot import (
    RESIDENT,
    VOLUNTEER,
    BotUnderTest,
    labels,
    plain,
    refused_messages,
)

from bot.sandbox import Person
from domain.models import Role
from handlers import texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
SHOPPING = "Shopping & essentials"
CORA = Person(9400001, "Cora")
LIA = Person(9400002, "Lia")
WORDS = "The doctor has sent it over"


def status(bot: BotUnderTest, need_id: int) -> str:
    return str(bot.rows("SELECT status FROM needs WHERE id=?", (need_id,))[0][0])


def no_errors(bot: BotUnderTest) -> None:
    assert not bot.errors.records, bot.errors.describe()


async def held_need(bot: BotUnderTest, category: str = SHOPPING) -> int:
    """A request whose words hit a signpost, posted anyway: held for a coordinator."""
    await bot.start_need(RESIDENT, category, "Trinity")
    await bot.say(RESIDENT, WORDS)
    await bot.press(RESIDENT, "It's not that, post it")
    await bot.press(RESIDENT, "Today")
    await bot.press(RESIDENT, "Post")
    return int(bot.rows("SELECT max(id) FROM needs")[0][0])


async def test_the_doctor_in_a_prescriptions_request_is_posted_normally(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT, VOLUNTEER)
    await bot.sign_up(VOLUNTEER, skills=("Prescriptions",))

    need_id = await bot.post_need(RESIDENT, category="Prescriptions", description=WORDS)

    # The summary, with how it went under it: Post became the answer in place.
    posted = plain(bot.last_text(RESIDENT))
    assert f"Shall I post it?\n\n✓ Posted as #{need_id}." in posted and WORDS in posted
    assert status(bot, need_id) == "open"
    assert WORDS in plain(bot.message_with_button(VOLUNTEER, "Accept").text)
    no_errors(bot)


async def test_the_same_words_for_shopping_are_signposted_and_may_be_held(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await bot.agree(RESIDENT, VOLUNTEER, CORA)
        await bot.sign_up(VOLUNTEER)  # shopping in Trinity: would be asked if it were open
        await bot.start_need(RESIDENT, SHOPPING, "Trinity")
        await bot.say(RESIDENT, WORDS)

        shown = bot.last(RESIDENT)
        assert "Medical help" in plain(shown.text) and "nothing has been posted" in plain(
            shown.text
        )
        assert labels(shown) == ["It's not that, post it", "Cancel"]
        await bot.press(RESIDENT, "It's not that, post it")
        assert labels(bot.last(RESIDENT))[:2] == ["Today", "Tomorrow"]
        await bot.press(RESIDENT, "Today")
        assert "A coordinator will read it before it goes to volunteers" in plain(
            bot.last_text(RESIDENT)
        )
        mark = bot.mark()
        await bot.press(RESIDENT, "Post")

        need_id = int(bot.rows("SELECT max(id) FROM needs")[0][0])
        # Under the summary it answered, which says it goes to a coordinator first.
        held = plain(bot.last_text(RESIDENT))
        assert held.endswith("✓ " + plain(texts.NEED_HELD.format(id=need_id)))
        assert "A coordinator will read it before it goes to volunteers" in held
        assert status(bot, need_id) == "held"
        assert bot.count("proposals") == 0 and bot.sent_since(mark, VOLUNTEER.id) == []
        alerts = [plain(t) for t in bot.sent_since(mark, CORA.id)]
        assert len(alerts) == 1 and f"#{need_id}" in alerts[0] and "Medical help" in alerts[0]
        for alert in [plain(t) for t in bot.texts(CORA)]:
            assert "doctor" not in alert and "sent it over" not in alert  # never their words
        await bot.say(RESIDENT, "/mine")
        assert "with a coordinator" in plain(bot.last_text(RESIDENT))
        no_errors(bot)


async def test_post_it_typed_after_signposts(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.start_need(RESIDENT, SHOPPING, "Trinity")
    await bot.say(RESIDENT, WORDS)
    await bot.say(RESIDENT, "it's not that")
    await bot.say(RESIDENT, "tomorrow")
    await bot.say(RESIDENT, "post")
    assert bot.rows("SELECT status, wanted FROM needs") == [("held", "tomorrow")]


async def test_an_emergency_never_offers_to_post(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await bot.agree(RESIDENT, CORA)
        await bot.start_need(RESIDENT, SHOPPING, "Trinity")
        mark = bot.mark()

        await bot.say(RESIDENT, "The doctor says it's an emergency")

        shown = bot.last(RESIDENT)
        assert "Emergencies" in plain(shown.text) and "Medical help" in plain(shown.text)
        assert labels(shown) == []
        assert bot.conversation_state(RESIDENT) is None
        await bot.say(RESIDENT, "post it")
        assert bot.count("needs") == 0
        [alert] = bot.sent_since(mark, CORA.id)
        assert "Emergencies" in plain(alert) and "says it's an" not in plain(alert)
        no_errors(bot)


async def test_a_held_need_in_open_and_the_digest_then_released(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await bot.agree(RESIDENT, VOLUNTEER, CORA)
        await bot.sign_up(VOLUNTEER)
        need_id = await held_need(bot)

        await bot.say(CORA, "/digest")
        digest = "\n".join(plain(t) for t in bot.texts(CORA)[-2:])
        assert "Held for a coordinator: 1 – /open" in digest and f"#{need_id} {SHOPPING}" in digest
        assert WORDS not in digest
        await bot.say(CORA, "/open")
        line = bot.message_with_button(CORA, "Release")
        assert labels(line) == ["See in full", "Release", "Close"]
        assert f"#{need_id}" in plain(line.text) and WORDS in plain(line.text)
        assert "Medical help" in plain(line.text)
        mark = bot.mark()

        await bot.press(CORA, "Release")

        assert status(bot, need_id) == "open"
        assert bot.message_with_button(VOLUNTEER, "Accept")  # the proposal went out
        assert WORDS in plain(bot.message_with_button(VOLUNTEER, "Accept").text)
        assert "passed it to volunteers" in plain(bot.last_text(RESIDENT))
        edited = bot.request.messages[(line.chat_id, line.message_id)]
        assert "Released" in plain(edited.text) and labels(edited) == []
        # Pressed again (an old /open): nothing more happens.
        before, again = bot.snapshot(), bot.mark()
        await bot.press_data(CORA, f"v1:hrel:{need_id}", message=line)
        assert bot.answers_since(again) == [texts.ALREADY_HANDLED]
        assert bot.snapshot() == before
        assert refused_messages(bot.calls_since(mark)) == []
        await bot.press(VOLUNTEER, "Accept")
        assert status(bot, need_id) == "accepted"
        no_errors(bot)


async def test_a_held_need_closed_tells_the_resident_kindly(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await bot.agree(RESIDENT, CORA)
        need_id = await held_need(bot)
        await bot.say(CORA, "/open")

        await bot.press(CORA, "Close")

        assert status(bot, need_id) == "closed"
        told = plain(bot.last_text(RESIDENT))
        assert f"A coordinator has read #{need_id}" in told and "I'm sorry" in told
        assert "NHS 111" in told  # the signposts again, for who can help
        assert bot.count("proposals") == 0
        no_errors(bot)


async def test_only_a_coordinator_may_release_or_close(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await bot.agree(RESIDENT, VOLUNTEER, CORA, LIA)
        await bot.sign_up(VOLUNTEER)
        await bot.store.people.grant(LIA.id, Role.LIAISON, bot.clock.now())
        need_id = await held_need(bot)
        before, mark = bot.snapshot(), bot.mark()

        for who in (VOLUNTEER, LIA, RESIDENT):
            await bot.press_data(who, f"v1:hrel:{need_id}")
            await bot.press_data(who, f"v1:hcls:{need_id}")

        assert bot.answers_since(mark) == [texts.NOT_ALLOWED] * 6
        assert bot.snapshot() == before
        assert status(bot, need_id) == "held"
        no_errors(bot)


async def test_a_resident_may_cancel_a_held_need(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    need_id = await held_need(bot)
    await bot.say(RESIDENT, "/mine")
    await bot.press(RESIDENT, f"Cancel #{need_id}")
    assert status(bot, need_id) == "cancelled"
