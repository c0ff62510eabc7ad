"""Many people at once through the update processor `mutualaid run` uses: each person's
updates in order, everyone else side by side, floods slowed, Telegram's budget shared."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from support.bot import BotUnderTest, labels, plain
from telegram import Update

from bot.sandbox import Person, Sent
from domain.safety import FLOOD_MESSAGES
from handlers import texts
from handlers.outbox import ANSWER, BULK, PERSONAL, Budget

SHOPPING = "Shopping & essentials"


async def deliver(bot: BotUnderTest, update: Update) -> None:
    """As PTB's polling loop hands an update over: through the application's processor."""
    await bot.app.update_processor.process_update(update, bot.app.process_update(update))


async def say(bot: BotUnderTest, who: Person, text: str) -> None:
    await deliver(bot, bot.sandbox.message_update(who, text))


async def press(bot: BotUnderTest, who: Person, label: str, message: Sent | None = None) -> None:
    message = message or bot.message_with_button(who, label)
    await deliver(bot, bot.sandbox.press_update(who, message, message.callback_for(label)))


async def request_help(bot: BotUnderTest, who: Person, words: str) -> None:
    await say(bot, who, "/start")
    await press(bot, who, "I agree")
    await say(bot, who, "/need")
    await press(bot, who, SHOPPING)
    await press(bot, who, "Trinity")
    await say(bot, who, words)
    await press(bot, who, "Today")
    await press(bot, who, "Post")


async def test_thirty_residents_at_once_each_see_their_own_flow_in_order(
    bot: BotUnderTest,
) -> None:
    helpers = [Person(6_100_000 + i, f"Helper{i}") for i in range(4)]
    for who in helpers:
        await bot.agree(who)
        await bot.sign_up(who)
    residents = [Person(7_100_000 + i, f"Resident{i}") for i in range(30)]
    await asyncio.gather(
        *(request_help(bot, r, f"Shopping list number {i}") for i, r in enumerate(residents))
    )

    assert bot.count("needs") == 30
    for i, who in enumerate(residents):
        [(need_id, words)] = bot.rows(
            "SELECT id, description FROM needs WHERE resident_id=?", (who.id,)
        )
        assert words == f"Shopping list number {i}"
        seen = [plain(t) for t in bot.texts(who)]
        # Each question answered by a button became the next in place: the notice with the
        # menu under it, the questions up to the description (what was chosen ticked), and
        # the question of when, now the summary with how it went under it.
        steps = [
            "Is that all right?",
            "What would you like to do?",
            f"What: {SHOPPING} ✓",
            "In a few words",
            "Shall I post it?",
            f"Posted as #{need_id}",
        ]
        at = [next(n for n, t in enumerate(seen) if step in t) for step in steps]
        assert at == sorted(at) and len(seen) == 3, seen
        assert bot.conversation_state(who) is None

    # Every volunteer presses every Accept they have, all at once: one winner per need.
    presses = [
        press(bot, who, "Accept", message)
        for who in helpers
        for message in bot.screen(who)
        if "Accept" in labels(message)
    ]
    await asyncio.gather(*presses)
    winners = bot.rows(
        "SELECT need_id, count(*) FROM proposals WHERE status='accepted' GROUP BY need_id"
    )
    assert winners and all(count == 1 for _, count in winners)
    accepted = bot.count("needs", "status='accepted'")
    assert accepted == len(winners)
    told = sum(1 for who in residents for t in bot.texts(who) if t.startswith("Good news"))
    assert told == accepted
    assert bot.count("outbox", "settled_at IS NULL") == 0


async def test_one_persons_messages_are_read_in_the_order_they_came(bot: BotUnderTest) -> None:
    resident = Person(7_200_001, "Olga")
    await bot.agree(resident)
    await bot.start_need(resident, SHOPPING, "Trinity")
    # Three messages sent in quick succession arrive together.
    await asyncio.gather(
        say(bot, resident, "Bread and milk, please"),
        say(bot, resident, "and some eggs"),
        say(bot, resident, "thank you"),
    )
    form = bot.rows("SELECT data FROM user_data WHERE user_id=?", (resident.id,))[0][0]
    assert "Bread and milk, please" in form and "eggs" not in form
    shown = [plain(t) for t in bot.texts(resident)]
    assert sum("When do you need it?" in t for t in shown) == 1


async def test_post_tapped_twice_in_quick_succession_posts_once(bot: BotUnderTest) -> None:
    """The second tap is handled after the first has ended the flow, never beside it."""
    resident = Person(7_200_002, "Pavel")
    await bot.agree(resident)
    await bot.start_need(resident, SHOPPING, "Trinity")
    await say(bot, resident, "Bread and milk")
    await press(bot, resident, "Today")
    summary = bot.message_with_button(resident, "Post")
    await asyncio.gather(
        press(bot, resident, "Post", summary), press(bot, resident, "Post", summary)
    )
    assert bot.count("needs") == 1
    assert sum("Posted as" in plain(t) for t in bot.texts(resident)) == 1


async def test_a_flood_is_asked_once_to_slow_down_and_nobody_else_waits(
    bot: BotUnderTest,
) -> None:
    flooder, other = Person(7_300_001, "Flo"), Person(7_300_002, "Ada")
    await bot.agree(flooder, other)
    mark = bot.mark()
    for n in range(FLOOD_MESSAGES + 10):
        await say(bot, flooder, f"hello {n}")
    answers = bot.sent_since(mark, flooder.id)
    assert answers.count(texts.SLOW_DOWN) == 1
    assert len(answers) == FLOOD_MESSAGES + 1  # each of the first 20 answered, then one ask

    await say(bot, other, "/help")
    assert "/need" in plain(bot.last_text(other))

    # A minute later they are read again.
    bot.clock.advance(timedelta(seconds=61))
    mark = bot.mark()
    await say(bot, flooder, "/help")
    assert len(bot.sent_since(mark, flooder.id)) == 1


async def test_a_flood_of_button_presses_is_not_counted_as_messages(bot: BotUnderTest) -> None:
    volunteer = Person(7_400_001, "Vic")
    await bot.agree(volunteer)
    await say(bot, volunteer, "/volunteer")
    for _ in range(FLOOD_MESSAGES + 5):
        await press(bot, volunteer, SHOPPING)  # ticking and unticking a skill
    assert texts.SLOW_DOWN not in bot.texts(volunteer)


async def test_people_are_served_before_bulk_messages() -> None:
    budget = Budget(rate=1, window=0.02)
    await budget.take()  # this window is spent: everyone after this waits their turn
    served: list[str] = []

    async def one(name: str, priority: int) -> None:
        await budget.take(priority)
        served.append(name)

    bulk = [asyncio.create_task(one(f"digest{i}", BULK)) for i in range(2)]
    await asyncio.sleep(0)  # the digests are waiting first
    proposals = [asyncio.create_task(one(f"proposal{i}", PERSONAL)) for i in range(2)]
    await asyncio.sleep(0)
    answers = [asyncio.create_task(one(f"answer{i}", ANSWER)) for i in range(2)]
    await asyncio.gather(*bulk, *proposals, *answers)
    assert served == ["answer0", "answer1", "proposal0", "proposal1", "digest0", "digest1"]


async def test_some_of_each_second_is_kept_for_answers() -> None:
    """Proposals and news may use only part of Telegram's second: a burst of them never
    leaves someone waiting for the answer to what they just did."""
    budget = Budget(rate=4, window=0.5, reserve=2)
    for _ in range(2):
        await budget.take(PERSONAL)  # the proposals' share of this window, spent
    proposal = asyncio.create_task(budget.take(PERSONAL))
    await asyncio.sleep(0.01)
    assert not proposal.done()  # waits for the window to move on
    answer = asyncio.create_task(budget.take(ANSWER))
    await asyncio.sleep(0.01)
    assert answer.done() and not proposal.done()  # the answer went at once, past it
    await proposal
