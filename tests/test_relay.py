"""After the match: resident and volunteer reach each other through the bot, and nobody else
does; the conversation closes two days after the task ends; what was relayed is personal
data. Through the real bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import pytest
from support.bot import NEIGHBOUR, RESIDENT, VOLUNTEER, BotUnderTest, labels, plain

from bot.sandbox import Person
from handlers import jobs, keyboards, texts
from handlers.context import Ctx

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
ALICE = Person(9100001, "Alice")  # the configured coordinator
OTHER = Person(5500077, "Oscar")  # another volunteer in the same area
SHOPPING = "Shopping & essentials"


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    async with start_bot(coordinator_ids=[ALICE.id], quiet_hours=None) as running:
        await running.agree(ALICE, RESIDENT, NEIGHBOUR, VOLUNTEER, OTHER)
        await running.sign_up(VOLUNTEER)
        yield running
        assert not running.errors.records, running.errors.describe()


async def matched(bot: BotUnderTest, who: Person = RESIDENT, words: str = "Bread") -> int:
    need_id = await bot.post_need(who, description=words)
    await bot.press(VOLUNTEER, "Accept", bot.message_with_button(VOLUNTEER, "Accept"))
    return need_id


async def tick(bot: BotUnderTest) -> None:
    await jobs.tick(Ctx(bot.app))


async def test_each_side_can_message_the_other_and_reply(bot: BotUnderTest) -> None:
    need_id = await matched(bot)
    accepted = bot.message_with_button(RESIDENT, "Message Priya")
    assert "Share my phone number" in labels(accepted)
    task = bot.last(VOLUNTEER)
    assert "Message Margaret" in labels(task) and "Done" in labels(task)
    # Nothing on either screen gives away an account or a link to one.
    assert "tg://user" not in task.text and f"@{RESIDENT.username}" not in task.text

    mark = bot.mark()
    await bot.say(RESIDENT, "I'm in from 2pm, the side door")
    [relayed] = bot.sent_since(mark, VOLUNTEER.id)
    assert plain(relayed) == f"Margaret · #{need_id}:\nI'm in from 2pm, the side door"
    assert labels(bot.last(VOLUNTEER)) == ["Reply"]
    assert bot.last_text(RESIDENT) == "Sent to Priya."

    await bot.press(VOLUNTEER, "Reply")
    assert bot.last_text(VOLUNTEER).startswith("Type your message for Margaret")
    mark = bot.mark()
    await bot.say(VOLUNTEER, "See you at 2!")
    assert [plain(t) for t in bot.sent_since(mark, RESIDENT.id)] == [
        f"Priya · #{need_id}:\nSee you at 2!"
    ]


async def test_with_two_tasks_the_bot_asks_which(bot: BotUnderTest) -> None:
    first = await matched(bot, RESIDENT, "Bread")
    second = await matched(bot, NEIGHBOUR, "Stamps")
    await bot.say(VOLUNTEER, "Running ten minutes late")
    question = bot.last(VOLUNTEER)
    assert question.text == texts.RELAY_WHICH
    assert labels(question) == [f"#{second} · Harold", f"#{first} · Margaret"]
    mark = bot.mark()
    await bot.press(VOLUNTEER, f"#{first} · Margaret", question)
    assert [plain(t) for t in bot.sent_since(mark, RESIDENT.id)] == [
        f"Priya · #{first}:\nRunning ten minutes late"
    ]
    assert bot.sent_since(mark, NEIGHBOUR.id) == []


async def test_a_phone_number_goes_over_only_on_its_owners_tap(bot: BotUnderTest) -> None:
    need_id = await matched(bot)
    await bot.press(RESIDENT, "Share my phone number")
    [asked] = [c for c in bot.request.calls if "reply_markup" in c.params][-1:]
    markup = asked.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    assert markup["keyboard"][0][0] == {"text": "Share my phone number", "request_contact": True}

    # Someone else's contact card is not theirs to hand over.
    mark = bot.mark()
    other = {"phone_number": "+447700900999", "first_name": "Someone", "user_id": 424242}
    await bot.send(RESIDENT, contact=other)
    assert bot.sent_since(mark, VOLUNTEER.id) == []
    assert bot.last_text(RESIDENT) == texts.PHONE_NOT_YOURS

    own = {"phone_number": "+447700900123", "first_name": "Margaret", "user_id": RESIDENT.id}
    await bot.send(RESIDENT, contact=own)
    [told] = bot.sent_since(mark, VOLUNTEER.id)
    assert plain(told) == f"Margaret shared their phone number for #{need_id}: +447700900123"
    assert bot.last_text(RESIDENT) == "Your number went to Priya."
    # Nobody else heard it.
    assert not any("+447700900123" in t for t in bot.texts(OTHER) + bot.texts(ALICE))


async def test_the_conversation_closes_two_days_after_the_job(bot: BotUnderTest) -> None:
    need_id = await matched(bot)
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "1 hour")
    bot.clock.advance(timedelta(days=1, hours=23))
    mark = bot.mark()
    await bot.say(RESIDENT, "Thank you so much!")
    assert len(bot.sent_since(mark, VOLUNTEER.id)) == 1

    bot.clock.advance(timedelta(hours=2))
    mark = bot.mark()
    await bot.say(RESIDENT, "Are you there?")
    assert bot.sent_since(mark, VOLUNTEER.id) == []
    assert plain(bot.last_text(RESIDENT)) == plain(texts.RELAY_CLOSED.format(id=need_id))
    # And the old buttons no longer open it.
    await bot.press(RESIDENT, "Message Priya")
    assert bot.sent_since(mark, VOLUNTEER.id) == []


async def test_a_volunteer_who_gave_it_back_can_still_say_sorry_then_not(
    bot: BotUnderTest,
) -> None:
    await matched(bot)
    await bot.press(VOLUNTEER, "Couldn't do it")
    mark = bot.mark()
    await bot.say(VOLUNTEER, "So sorry, my car broke down")
    assert len(bot.sent_since(mark, RESIDENT.id)) == 1
    bot.clock.advance(timedelta(days=2, minutes=1))
    mark = bot.mark()
    await bot.say(VOLUNTEER, "Hello again")
    assert bot.sent_since(mark, RESIDENT.id) == []


async def test_nobody_but_the_two_can_use_the_relay(bot: BotUnderTest) -> None:
    await bot.sign_up(OTHER)
    need_id = await bot.post_need(RESIDENT)
    # Oscar was asked too, but Priya accepted.
    await bot.press(VOLUNTEER, "Accept", bot.message_with_button(VOLUNTEER, "Accept"))
    mark = bot.mark()
    await bot.say(OTHER, "Hi Margaret, where do you live?")
    # Even with the resident's own button data, copied from someone's screen.
    arg = keyboards.relay_arg(need_id, RESIDENT.id)
    await bot.press_data(OTHER, f"v1:msg:{arg}")
    await bot.press_data(OTHER, f"v1:phone:{arg}")
    await bot.say(OTHER, "Hello?")
    assert bot.sent_since(mark, RESIDENT.id) == []
    assert bot.count("relay_messages") == 0


async def test_relayed_words_are_personal_data(bot: BotUnderTest) -> None:
    need_id = await matched(bot)
    await bot.say(RESIDENT, "Key under the blue pot")
    await bot.say(VOLUNTEER, "Got it, thanks")

    before = len(bot.request.files)
    await bot.say(RESIDENT, "/mydata")
    [(chat_id, _, raw)] = bot.request.files[before:]
    data = json.loads(raw)
    assert chat_id == RESIDENT.id
    assert [m["text"] for m in data["messages_sent"]] == ["Key under the blue pot"]
    assert "Got it, thanks" not in raw.decode()

    # Coordinators see the conversation only on a task with a concern.
    await bot.say(ALICE, "/concerns")
    assert "blue pot" not in bot.last_text(ALICE)
    await bot.press(RESIDENT, "Raise a concern")
    await bot.say(RESIDENT, "He asked for my bank card")
    await bot.say(ALICE, "/concerns")
    shown = plain(bot.last_text(ALICE))
    assert f"Messages between them about #{need_id}" in shown
    assert "Margaret: Key under the blue pot" in shown and "Priya: Got it, thanks" in shown

    await bot.say(RESIDENT, "/forget")
    await bot.press(RESIDENT, "Delete my data")
    assert bot.rows("SELECT text FROM relay_messages") == [("Got it, thanks",)]


async def test_retention_takes_the_relayed_words_with_the_need(bot: BotUnderTest) -> None:
    await matched(bot)
    await bot.say(RESIDENT, "Key under the blue pot")
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "1 hour")
    assert bot.count("relay_messages") == 1
    bot.clock.advance(bot.settings.retention + timedelta(days=1))
    await tick(bot)
    await tick(bot)
    assert bot.count("relay_messages") == 0


async def test_a_phoned_in_need_gives_the_caller_and_note_to_the_volunteer_only(
    bot: BotUnderTest,
) -> None:
    await bot.sign_up(OTHER)
    await bot.say(ALICE, "/newneed Doris, 01373 461234")
    await bot.press(ALICE, SHOPPING)
    await bot.press(ALICE, "Trinity")
    await bot.say(ALICE, "Weekly shop")
    await bot.press(ALICE, "Today")
    await bot.press(ALICE, "Post")
    proposals = [bot.message_with_button(p, "Accept") for p in (VOLUNTEER, OTHER)]
    assert not any("Doris" in m.text or "461234" in m.text for m in proposals)

    await bot.press(VOLUNTEER, "Accept", proposals[0])
    task = bot.last(VOLUNTEER)
    assert "Doris" in task.text and "01373 461234" in task.text
    assert "Message Alice" in labels(task)
    # Oscar, who was asked but did not get it, never sees who or how.
    assert not any("461234" in t or "Doris" in t for t in bot.texts(OTHER))
    await bot.say(VOLUNTEER, "/tasks")
    assert "01373 461234" in bot.last_text(VOLUNTEER)


async def test_a_typed_answer_to_the_bots_question_is_not_relayed(bot: BotUnderTest) -> None:
    await matched(bot)
    # Another request nobody can take (Priya does only shopping), whose day ends.
    other = await bot.post_need(RESIDENT, category="Prescriptions", when="Today")
    bot.clock.advance(timedelta(days=1))
    await tick(bot)
    assert any(
        "still need help" in plain(t).lower() and f"#{other}" in plain(t)
        for t in bot.texts(RESIDENT)
    )
    mark = bot.mark()
    await bot.say(RESIDENT, "yes")
    assert bot.sent_since(mark, VOLUNTEER.id) == []
    assert bot.rows("SELECT status FROM needs WHERE id=?", (other,)) == [("open",)]
    assert bot.count("relay_messages") == 0
