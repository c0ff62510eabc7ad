"""What an attacker or a careless user found: invisible descriptions, an invite link opened
mid-flow, a blocked person's data rights, a blocked volunteer's screen, a button pressed
twice, and the published limits, each through the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import pytest
from support.bot import NEIGHBOUR, RESIDENT, VOLUNTEER, BotUnderTest, labels, plain

from bot.sandbox import Person
from domain import safety
from domain.safety import visible_text
from handlers import texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
ALICE = Person(9100001, "Alice")  # the configured coordinator
SHOPPING = "Shopping & essentials"

# Each draws nothing on a phone; a "description" made only of them would reach volunteers
# as a blank message.
INVISIBLE = {
    "word joiner": "\u2060\u2060",
    "byte order mark": "\ufeff",
    "hangul filler": "\u3164\u3164\u3164",
    "braille blank": "\u2800\u2800",
    "soft hyphens": "\u00ad\u00ad\u00ad",
    "tag characters": "\U000e0041\U000e0042\U000e0043",
    "a mix with spaces": " \u2060 \u3164\u00a0\u2800\ufeff ",
}


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    async with start_bot(coordinator_ids=[ALICE.id]) as running:
        await running.agree(ALICE, RESIDENT, VOLUNTEER)
        yield running
        assert not running.errors.records, running.errors.describe()


@pytest.mark.parametrize("kind", list(INVISIBLE))
async def test_a_description_that_shows_nothing_is_asked_for_again(
    bot: BotUnderTest, kind: str
) -> None:
    await bot.start_need(RESIDENT, SHOPPING, "Trinity")
    await bot.say(RESIDENT, INVISIBLE[kind])
    assert bot.last_text(RESIDENT) == texts.EMPTY_DESCRIPTION
    # Still at the description: words typed now are the description.
    await bot.say(RESIDENT, "Milk and bread")
    assert "When do you need it?" in plain(bot.last_text(RESIDENT))
    await bot.press(RESIDENT, "Today")
    assert "Milk and bread" in plain(bot.last_text(RESIDENT))


def test_visible_text_keeps_what_people_read() -> None:
    assert visible_text("  Milk \u2060and\u00ad bread\ufeff ") == "Milk and bread"
    assert visible_text("Двa хлiба, будь ласка") == "Двa хлiба, будь ласка"
    assert visible_text("Line one\nline two") == "Line one\nline two"
    assert visible_text("🍞🥛") == "🍞🥛"
    for text in INVISIBLE.values():
        assert visible_text(text) == ""


async def test_an_invite_link_opened_in_the_middle_of_a_request_is_taken_up(
    bot: BotUnderTest,
) -> None:
    await bot.say(ALICE, "/invite liaison")
    code = plain(bot.last_text(ALICE)).split("?start=")[1].split()[0]
    await bot.start_need(RESIDENT, SHOPPING, "Trinity")
    await bot.say(RESIDENT, f"/start {code}")
    assert bot.rows("SELECT role FROM roles WHERE user_id=?", (RESIDENT.id,)) == [("liaison",)]
    assert bot.conversation_state(RESIDENT) is None  # the half-done request was left
    # And what they type next is not read as a description.
    await bot.say(RESIDENT, "hello?")
    assert bot.count("needs") == 0


async def test_a_blocked_person_can_still_see_and_delete_what_is_kept(bot: BotUnderTest) -> None:
    await bot.post_need(RESIDENT, description="Zephyr's shopping")
    await bot.say(ALICE, f"/block {RESIDENT.id} rude to volunteers")
    await bot.say(RESIDENT, "/need")
    assert bot.last_text(RESIDENT) == texts.BLOCKED_REPLY

    mark = bot.mark()
    await bot.say(RESIDENT, "/mydata")
    [document] = bot.calls_since(mark, "sendDocument")
    assert int(str(document.params["chat_id"])) == RESIDENT.id

    await bot.say(RESIDENT, "/forget")
    await bot.press(RESIDENT, "Delete my data")
    assert bot.last_text(RESIDENT) == texts.FORGET_DONE
    assert bot.count("needs", "description LIKE '%Zephyr%'") == 0
    # Still blocked: deleting their data is not a way back in.
    await bot.say(RESIDENT, "/need")
    assert bot.last_text(RESIDENT) == texts.BLOCKED_REPLY


async def test_a_blocked_volunteers_task_message_loses_the_residents_details(
    bot: BotUnderTest,
) -> None:
    await bot.sign_up(VOLUNTEER)
    need_id = await bot.post_need(RESIDENT)
    await bot.press(VOLUNTEER, "Accept")
    task = bot.last(VOLUNTEER)
    assert RESIDENT.first_name in task.text and "Done" in labels(task)

    await bot.say(ALICE, f"/block {VOLUNTEER.id}")
    now = bot.request.messages[(VOLUNTEER.id, task.message_id)]
    assert RESIDENT.first_name not in now.text
    assert f"#{need_id}" in plain(now.text) and "no longer open" in now.text
    assert labels(now) == []
    code = bot.rows("SELECT doorstep_code FROM needs WHERE id=?", (need_id,))[0][0]
    assert code is None  # back to matching; a new code comes with the next volunteer


async def test_theres_a_problem_pressed_twice_is_one_concern_and_one_alert(
    bot: BotUnderTest,
) -> None:
    await bot.sign_up(VOLUNTEER)
    need_id = await bot.post_need(RESIDENT)
    await bot.press(VOLUNTEER, "Accept")
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "1 hour")
    asked = bot.message_with_button(RESIDENT, "There's a problem")
    mark = bot.mark()
    await bot.press(RESIDENT, "There's a problem", asked)
    await bot.press(RESIDENT, "There's a problem", asked)  # a second tap before the edit
    assert bot.count("concerns", "need_id=?", (need_id,)) == 1
    alerts = [t for t in bot.sent_since(mark, ALICE.id) if f"#{need_id}" in plain(t)]
    assert len(alerts) == 1
    assert bot.sent_since(mark, RESIDENT.id).count(texts.PROBLEM_NOTED) == 1


async def test_theres_a_problem_forged_before_the_job_is_done_changes_nothing(
    bot: BotUnderTest,
) -> None:
    await bot.sign_up(VOLUNTEER)
    need_id = await bot.post_need(RESIDENT)
    await bot.press(VOLUNTEER, "Accept")
    await bot.press_data(RESIDENT, f"v1:bad:{need_id}")
    assert bot.count("concerns") == 0


# --- the limits the README publishes, as numbers ----------------------------------------------


def test_the_published_limits() -> None:
    assert safety.MAX_OPEN_NEEDS == 5
    assert safety.MAX_POSTS_PER_DAY == 20
    assert safety.POSTS_WINDOW == timedelta(hours=24)
    assert safety.UPDATE_IDS_KEPT == timedelta(days=7)


async def test_five_open_requests_then_a_kind_no(bot: BotUnderTest) -> None:
    for n in range(5):
        await bot.post_need(RESIDENT, area=["Trinity", "Badcox"][n % 2], description=f"Job {n}")
    assert bot.count("needs", "status='open'") == 5
    await bot.start_need(RESIDENT, SHOPPING, "Keyford")
    await bot.say(RESIDENT, "A sixth job")
    await bot.press(RESIDENT, "Flexible")
    await bot.press(RESIDENT, "Post")
    assert bot.count("needs") == 5
    assert "5" in plain(bot.last_text(RESIDENT))


async def test_update_ids_are_remembered_for_seven_days(bot: BotUnderTest) -> None:
    from handlers import jobs
    from handlers.context import Ctx

    await bot.say(NEIGHBOUR, "/start")
    await bot.press(NEIGHBOUR, "I agree")
    kept = bot.count("processed_updates")
    assert kept >= 1
    bot.clock.advance(timedelta(days=6, hours=23))
    await jobs.tick(Ctx(bot.app))
    assert bot.count("processed_updates") == kept
    bot.clock.advance(timedelta(hours=2))
    await jobs.tick(Ctx(bot.app))
    assert bot.count("processed_updates") == 0


async def test_tasks_always_say_who_the_resident_is_and_how_to_reach_them(
    bot: BotUnderTest,
) -> None:
    await bot.sign_up(VOLUNTEER)
    need_id = await bot.post_need(RESIDENT)
    await bot.press(VOLUNTEER, "Accept")
    code = bot.rows("SELECT doorstep_code FROM needs WHERE id=?", (need_id,))[0][0]
    await bot.say(VOLUNTEER, "/tasks")
    entry = bot.last(VOLUNTEER)
    assert RESIDENT.first_name in entry.text and "Message Margaret" in labels(entry)
    assert code in entry.text and "Done" in labels(entry)


async def test_accept_pressed_again_shows_the_task_again(bot: BotUnderTest) -> None:
    """A screen that never showed the win (the edit lost to a crash) is put right."""
    await bot.sign_up(VOLUNTEER)
    await bot.post_need(RESIDENT)
    proposal = bot.message_with_button(VOLUNTEER, "Accept")
    accept = proposal.callback_for("Accept")
    await bot.press(VOLUNTEER, "Accept")
    # The volunteer's phone still shows the old proposal and they press again.
    bot.request.messages[(VOLUNTEER.id, proposal.message_id)] = proposal
    await bot.press_data(VOLUNTEER, accept, message=proposal)
    now = bot.request.messages[(VOLUNTEER.id, proposal.message_id)]
    assert RESIDENT.first_name in now.text and "Done" in labels(now)
    assert bot.count("proposals", "status='accepted'") == 1
