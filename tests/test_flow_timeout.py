"""Flows put aside after MUTUALAID_FLOW_TIMEOUT (product.md, Time as people read it): the
next message gets what was started, with `Carry on`, `Start again` and `Cancel`, and is
never read as an answer to the question asked long before. Across a restart too.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import pytest
from support.bot import RESIDENT, VOLUNTEER, BotUnderTest, labels, plain

from bot.sandbox import SandboxRequest
from handlers import texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
SHOPPING = "Shopping & essentials"
LATER = timedelta(minutes=31)  # the default timeout is 30 minutes
RESUME = ["Carry on", "Start again", "Cancel"]


def form(bot: BotUnderTest) -> str:
    rows = bot.rows("SELECT data FROM user_data WHERE user_id=?", (RESIDENT.id,))
    return rows[0][0] if rows else ""


async def area_asked_long_ago(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.start_need(RESIDENT, SHOPPING)  # the area is asked
    bot.clock.advance(LATER)


async def test_a_message_after_the_timeout_is_not_read_as_an_answer(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.start_need(RESIDENT, SHOPPING)
    bot.clock.advance(LATER)

    await bot.say(RESIDENT, "hello? are you still there")

    shown = plain(bot.last_text(RESIDENT))
    assert shown.startswith("Welcome back! You started asking for help 31 min ago.")
    assert f"What: {SHOPPING}" in shown and "Where:" not in shown
    assert labels(bot.last(RESIDENT)) == RESUME
    assert "I don't know an area" not in "\n".join(bot.texts(RESIDENT))
    assert '"area"' not in form(bot) and bot.count("needs") == 0
    # An area typed now is still not an answer: the three choices come first.
    await bot.say(RESIDENT, "Trinity")
    assert bot.last_text(RESIDENT) == texts.EXPECTED["resume"]
    assert labels(bot.last(RESIDENT)) == RESUME
    assert '"area"' not in form(bot)
    assert not bot.errors.records, bot.errors.describe()


async def test_within_the_timeout_the_answer_is_read_as_usual(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.start_need(RESIDENT, SHOPPING)
    bot.clock.advance(timedelta(minutes=29))
    await bot.say(RESIDENT, "Trinity")
    assert "Area: Trinity." in plain(bot.last_text(RESIDENT))
    bot.clock.advance(timedelta(minutes=29))  # each step starts the clock again
    await bot.say(RESIDENT, "Bread and milk")
    assert labels(bot.last(RESIDENT))[:2] == ["Today", "Tomorrow"]


async def test_carry_on_asks_the_same_question_again(bot: BotUnderTest) -> None:
    await area_asked_long_ago(bot)
    await bot.say(RESIDENT, "hello? are you still there")
    summary = bot.last(RESIDENT)

    await bot.press(RESIDENT, "Carry on")

    assert plain(bot.last_text(RESIDENT)) == texts.ASK_AREA
    assert "Trinity" in labels(bot.last(RESIDENT))
    await bot.say(RESIDENT, "Trinity")
    assert "Area: Trinity." in plain(bot.last_text(RESIDENT))
    # Its buttons went with the press; a second press (or a forged one) changes nothing.
    before, mark = bot.snapshot(), bot.mark()
    await bot.press_data(RESIDENT, "v1:rsm:cneed", message=summary)
    await bot.press_data(RESIDENT, "v1:rsm:zneed", message=summary)
    assert bot.answers_since(mark) == [texts.STALE_BUTTON] * 2
    assert bot.snapshot() == before


async def test_start_again_restarts_the_same_flow(bot: BotUnderTest) -> None:
    await area_asked_long_ago(bot)
    await bot.say(RESIDENT, "Trinity")  # a knock on the door, not an answer

    await bot.press(RESIDENT, "Start again")

    assert bot.last_text(RESIDENT) == texts.ASK_CATEGORY
    assert SHOPPING not in form(bot)
    await bot.say(RESIDENT, "prescription")
    await bot.say(RESIDENT, "Badcox")
    await bot.say(RESIDENT, "Collect from Boots")
    await bot.say(RESIDENT, "today")
    await bot.say(RESIDENT, "post")
    assert bot.rows("SELECT category, area FROM needs") == [("Prescriptions", "Badcox")]


async def test_cancel_ends_it_and_typed_choices_work_too(bot: BotUnderTest) -> None:
    await area_asked_long_ago(bot)
    await bot.say(RESIDENT, "hello? are you still there")
    await bot.say(RESIDENT, "cancel")
    assert bot.last_text(RESIDENT) == texts.CANCELLED
    assert bot.conversation_state(RESIDENT) is None
    assert bot.count("needs") == 0

    await bot.start_need(RESIDENT, SHOPPING)
    bot.clock.advance(LATER)
    await bot.say(RESIDENT, "Trinity")
    await bot.say(RESIDENT, "carry on")
    assert plain(bot.last_text(RESIDENT)) == texts.ASK_AREA


async def test_a_button_of_the_old_question_is_not_taken_either(bot: BotUnderTest) -> None:
    await area_asked_long_ago(bot)
    mark = bot.mark()

    await bot.press(RESIDENT, "Trinity")

    assert bot.answers_since(mark) == [None]
    assert plain(bot.last_text(RESIDENT)).startswith("Welcome back!")
    assert '"area"' not in form(bot)


async def test_put_aside_across_restarts(start_bot: StartBot) -> None:
    request = SandboxRequest()  # "Telegram" (people's screens) outlives the bot
    async with start_bot(request=request) as bot:
        await bot.agree(RESIDENT)
        await bot.start_need(RESIDENT, SHOPPING, "Trinity")
    async with start_bot(request=request) as bot:
        bot.clock.advance(LATER)
        await bot.say(RESIDENT, "hello? are you still there")
        assert "Where: Trinity" in plain(bot.last_text(RESIDENT))
        assert "Bread" not in form(bot) and "hello" not in form(bot)
    async with start_bot(request=request) as bot:
        await bot.say(RESIDENT, "more hello")  # still put aside after the restart
        assert bot.last_text(RESIDENT) == texts.EXPECTED["resume"]
        await bot.press(RESIDENT, "Carry on")
        assert "Area: Trinity." in plain(bot.last_text(RESIDENT))
        await bot.say(RESIDENT, "Bread and milk")
        await bot.say(RESIDENT, "today")
        await bot.say(RESIDENT, "post")
        assert bot.rows("SELECT description FROM needs") == [("Bread and milk",)]
        assert not bot.errors.records, bot.errors.describe()


async def test_a_volunteer_sign_up_put_aside(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER)
    await bot.say(VOLUNTEER, "/volunteer")
    await bot.say(VOLUNTEER, "shopping")
    bot.clock.advance(timedelta(hours=3))

    await bot.say(VOLUNTEER, "done")

    shown = plain(bot.last_text(VOLUNTEER))
    assert shown.startswith("Welcome back! You started signing up to volunteer 3 h ago.")
    assert f"Can help with: {SHOPPING}" in shown
    await bot.press(VOLUNTEER, "Carry on")
    assert bot.last_text(VOLUNTEER) == texts.ASK_SKILLS
    await bot.say(VOLUNTEER, "done")
    assert bot.last_text(VOLUNTEER) == texts.ASK_VOLUNTEER_AREAS


async def test_a_concern_put_aside_is_not_saved_from_a_later_message(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT, VOLUNTEER)
    await bot.sign_up(VOLUNTEER)
    need_id = await bot.post_need(RESIDENT)
    await bot.press(VOLUNTEER, "Accept")
    await bot.press(VOLUNTEER, "Raise a concern")
    bot.clock.advance(timedelta(days=1))

    await bot.say(VOLUNTEER, "hello?")

    assert f"raising a concern about #{need_id}" in plain(bot.last_text(VOLUNTEER))
    assert bot.count("concerns") == 0
    await bot.press(VOLUNTEER, "Carry on")
    assert plain(bot.last_text(VOLUNTEER)) == plain(texts.ASK_CONCERN.format(id=need_id))
    await bot.say(VOLUNTEER, "Nobody answered the door")
    assert bot.rows("SELECT text FROM concerns") == [("Nobody answered the door",)]


@pytest.mark.parametrize("flow", ["volunteer", "concern"])
async def test_carry_on_for_another_flow_is_refused(bot: BotUnderTest, flow: str) -> None:
    await area_asked_long_ago(bot)
    await bot.say(RESIDENT, "hello?")
    before, mark = bot.snapshot(), bot.mark()
    await bot.press_data(RESIDENT, f"v1:rsm:c{flow}")
    assert bot.answers_since(mark) == [texts.STALE_BUTTON]
    assert bot.snapshot() == before
