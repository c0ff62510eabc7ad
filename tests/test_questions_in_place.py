"""A question answered by one of its buttons becomes the next question in place (handlers/
flows.py `ask`, `conclude`): Telegram counts new messages, not edits, so a flow pressed
through costs the budget little. What was chosen stays on the message, ticked; a typed
answer still gets the next question as a new message below it; a doubled press, or one on
a question no longer the newest in the chat, is handled as before.
"""

from __future__ import annotations

from datetime import timedelta

from support.bot import RESIDENT, VOLUNTEER, BotUnderTest, labels, plain
from test_referrals import LIA, REF, make_liaison, refer

from handlers import texts

SHOPPING = "Shopping & essentials"


async def test_a_need_pressed_through_sends_two_new_messages_and_edits_the_rest(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT, VOLUNTEER)
    await bot.sign_up(VOLUNTEER)
    mark = bot.mark()

    need_id = await bot.post_need(RESIDENT)

    # The first question, and the question of when (below the description they typed):
    # everything else was a question answered by its button, turned into the next one.
    assert [plain(t) for t in bot.sent_since(mark, RESIDENT.id)] == [
        texts.ASK_CATEGORY,
        texts.ASK_WHEN,
    ]
    assert len(bot.calls_since(mark, "editMessageText")) == 4
    # On screen: the notice with the menu under it, one message for the questions up to
    # the description, one for when, the summary and how it went.
    first, last = bot.screen(RESIDENT)[-2:]
    assert len(bot.screen(RESIDENT)) == 3
    assert plain(first.text).startswith(f"What: {SHOPPING} ✓\n\nArea: Trinity.")
    assert "few words" in plain(first.text) and labels(first) == []
    shown = plain(last.text)
    assert "What: Shopping & essentials\nWhere: Trinity\nWhen: Today" in shown
    assert "A loaf of bread and some milk" in shown
    assert shown.endswith("Shall I post it?\n\n✓ " + plain(texts.NEED_POSTED.format(id=need_id))), (
        shown
    )
    assert labels(last) == []


async def test_the_pressed_question_shows_the_category_chosen_and_asks_the_area(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/need")
    question = bot.last(RESIDENT)
    mark = bot.mark()

    await bot.press(RESIDENT, SHOPPING)

    assert bot.sent_since(mark) == []
    now = bot.last(RESIDENT)
    assert now.message_id == question.message_id
    assert plain(now.text) == f"What: {SHOPPING} ✓\n\n" + texts.ASK_AREA
    assert "Trinity" in labels(now) and SHOPPING not in labels(now)


async def test_a_typed_answer_gets_the_next_question_below_it(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/need")
    question = bot.last(RESIDENT)

    await bot.say(RESIDENT, "shopping")

    asked = bot.last(RESIDENT)
    assert asked.message_id > question.message_id
    assert plain(asked.text) == texts.ASK_AREA
    assert plain(bot.screen(RESIDENT)[-2].text) == texts.ASK_CATEGORY  # as it was


async def test_a_doubled_press_changes_nothing_more(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/need")
    question = bot.last(RESIDENT)  # as the phone showed it, before the first press landed
    await bot.press(RESIDENT, SHOPPING, question)
    before, screen = bot.snapshot(), [m.text for m in bot.screen(RESIDENT)]
    mark = bot.mark()

    await bot.press(RESIDENT, "Prescriptions", question)

    assert bot.answers_since(mark) == [texts.STALE_BUTTON]
    assert bot.calls_since(mark, "sendMessage") == []
    assert bot.calls_since(mark, "editMessageText") == []
    assert [m.text for m in bot.screen(RESIDENT)] == screen
    assert bot.snapshot() == before
    await bot.press(RESIDENT, "Trinity")
    assert plain(bot.last_text(RESIDENT)).startswith(f"What: {SHOPPING} ✓")


async def test_a_press_on_a_question_no_longer_the_newest_gets_the_next_one_below(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/need")
    question = bot.last(RESIDENT)
    await bot.say(RESIDENT, "juggling")  # not a category: the buttons again, below
    again = bot.last(RESIDENT)
    assert again.message_id != question.message_id and SHOPPING in labels(again)

    await bot.press(RESIDENT, SHOPPING, question)

    # An edit far up the chat could go unseen: the question comes below, as a new message,
    # and the one pressed stays as it was, without its buttons.
    asked = bot.last(RESIDENT)
    assert asked.message_id > again.message_id
    assert plain(asked.text) == texts.ASK_AREA
    pressed = next(m for m in bot.screen(RESIDENT) if m.message_id == question.message_id)
    assert plain(pressed.text) == texts.ASK_CATEGORY and labels(pressed) == []


async def test_cancel_after_questions_in_place_leaves_their_buttons_dead(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await bot.start_need(RESIDENT, SHOPPING)
    edited = bot.last(RESIDENT)
    await bot.say(RESIDENT, "/cancel")
    assert bot.last_text(RESIDENT) == texts.CANCELLED
    before = bot.snapshot()
    mark = bot.mark()

    await bot.press(RESIDENT, "Trinity", edited)

    assert bot.answers_since(mark) == [texts.STALE_BUTTON]
    assert bot.sent_since(mark) == [] and bot.snapshot() == before
    assert bot.count("needs") == 0


async def test_after_the_timeout_carry_on_asks_the_waiting_question_below(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await bot.start_need(RESIDENT, SHOPPING)
    edited = bot.last(RESIDENT)
    bot.clock.advance(timedelta(hours=2))

    await bot.press(RESIDENT, "Trinity", edited)

    # Not taken as an answer: what they had started, with Carry on.
    aside = bot.last(RESIDENT)
    assert "Welcome back!" in plain(aside.text) and "Carry on" in labels(aside)
    assert bot.conversation_state(RESIDENT) is not None
    await bot.press(RESIDENT, "Carry on")
    asked = bot.last(RESIDENT)
    assert asked.message_id > aside.message_id and plain(asked.text) == texts.ASK_AREA
    await bot.press(RESIDENT, "Trinity")
    assert "few words" in plain(bot.last_text(RESIDENT))


async def test_signing_up_by_buttons_is_one_message_that_ends_saved(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER)
    mark = bot.mark()

    await bot.sign_up(VOLUNTEER, areas=("Trinity", "Badcox"))

    assert [plain(t) for t in bot.sent_since(mark, VOLUNTEER.id)] == [texts.ASK_SKILLS]
    shown = plain(bot.last_text(VOLUNTEER))
    assert f"Can help with: {SHOPPING}\nAreas: Trinity, Badcox" in shown
    assert shown.endswith("Save it?\n\n✓ " + texts.VOLUNTEER_SAVED), shown
    assert labels(bot.last(VOLUNTEER)) == []
    assert bot.count("volunteers") == 1


async def test_the_areas_question_shows_the_skills_ticked(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER)
    await bot.say(VOLUNTEER, "/volunteer")
    await bot.press(VOLUNTEER, "Dog walking & pets")
    await bot.press(VOLUNTEER, SHOPPING)
    await bot.press(VOLUNTEER, "Done")

    shown = plain(bot.last_text(VOLUNTEER))
    # In the community's order, whatever the order of the presses.
    assert shown == f"Can help with: {SHOPPING}, Dog walking & pets ✓\n\n" + plain(
        texts.ASK_VOLUNTEER_AREAS
    )
    assert "Trinity" in labels(bot.last(VOLUNTEER))


async def test_a_referral_pressed_through_keeps_what_was_chosen_in_sight(
    bot: BotUnderTest,
) -> None:
    await make_liaison(bot, LIA)
    mark = bot.mark()

    await refer(bot)

    # New messages only for the questions that follow something typed.
    sent = [plain(t) for t in bot.sent_since(mark, LIA.id)]
    assert sent[:4] == [
        plain(texts.ASK_REFER_CATEGORY),
        texts.ASK_REFER_WHEN,
        plain(texts.ASK_REFER_CONTACT),
        plain(texts.ASK_REFER_REFERENCE),
    ]
    assert len(sent) == 5 and "Has Dorothea agreed" in sent[4]
    screen = [plain(m.text) for m in bot.screen(LIA)]
    assert (
        f"What: {SHOPPING} ✓\nWhere: Trinity ✓\n\n" + plain(texts.ASK_REFER_DESCRIPTION) in screen
    )
    assert "When: Today ✓\n\n" + plain(texts.ASK_REFER_NAME) in screen
    assert screen[-1].endswith("✓ " + plain(texts.REFER_SENT.format(ref=REF))), screen[-1]
    assert bot.count("referrals") == 1
