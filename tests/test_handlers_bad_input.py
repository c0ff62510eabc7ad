"""Handler tests of everything people get wrong (or try on purpose).

Every bad input gets a clear, friendly answer, the flow stays at the step it was on, and
the database file is left exactly as it was.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.bot import (
    NEED_STEPS,
    NEIGHBOUR,
    RESIDENT,
    VOLUNTEER,
    BotUnderTest,
    finish_need,
    labels,
    need_until,
    plain,
    refused_messages,
    running_bot,
)

from bot.sandbox import Person, Sent
from handlers import keyboards, texts
from handlers.keyboards import Action

SHOPPING = "Shopping & essentials"

STICKER = {
    "sticker": {
        "file_id": "CAACAgIAAxkBAAIB",
        "file_unique_id": "AgADAQAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
PHOTO = {
    "photo": [
        {"file_id": "AgACAgQAAxkBAAIC", "file_unique_id": "AQADAgAD", "width": 90, "height": 60}
    ]
}
VOICE = {"voice": {"file_id": "AwACAgQAAxkBAAID", "file_unique_id": "AgADBAAD", "duration": 3}}


def expect_posted(bot: BotUnderTest, who: Person) -> None:
    """The flow carried on to the end: exactly one need, and the resident has its number."""
    rows = bot.rows("SELECT id FROM needs WHERE resident_id=?", (who.id,))
    assert len(rows) == 1, bot.texts(who)[-3:]
    assert f"#{rows[0][0]}" in plain(bot.last_text(who))


def on_screen(bot: BotUnderTest, message: Sent) -> Sent:
    """The message as it is on screen now (after any edits)."""
    return bot.request.messages[(message.chat_id, message.message_id)]


def step_buttons(step: str) -> list[str]:
    return {
        "category": [SHOPPING, "Prescriptions"],
        "area": ["Town Centre", "Trinity"],
        "when": ["Today", "Tomorrow", "This week", "Flexible"],
        "confirm": ["Post", "Cancel"],
    }.get(step, [])


# --- text or media where something else is expected ----------------------------------------


@pytest.mark.parametrize("step", ["category", "when", "confirm"])
async def test_text_where_a_button_is_expected_keeps_the_step(bot: BotUnderTest, step: str) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, step)
    before = bot.snapshot()

    await bot.say(RESIDENT, "Shopping please, today, yes post it")

    # Nothing fits one answer: what was expected, with the step's buttons again.
    assert bot.last_text(RESIDENT) == texts.EXPECTED[f"need.{step}"]
    assert bot.snapshot() == before
    for label in step_buttons(step):
        assert label in labels(bot.last(RESIDENT))
    await finish_need(bot, RESIDENT, step)
    expect_posted(bot, RESIDENT)


async def test_text_where_volunteer_buttons_are_expected_keeps_the_step(
    bot: BotUnderTest,
) -> None:
    await bot.agree(VOLUNTEER)
    await bot.say(VOLUNTEER, "/volunteer")
    await bot.press(VOLUNTEER, SHOPPING)
    before = bot.snapshot()

    await bot.say(VOLUNTEER, "I'd love to help out")

    assert bot.last_text(VOLUNTEER) == texts.EXPECTED["volunteer.skills"]
    assert "Done" in labels(bot.last(VOLUNTEER))
    assert bot.snapshot() == before
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "Trinity")
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "Any time")
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "Save")
    assert bot.rows("SELECT category FROM volunteer_skills") == [(SHOPPING,)]


@pytest.mark.parametrize("media", [STICKER, PHOTO, VOICE], ids=["sticker", "photo", "voice"])
@pytest.mark.parametrize("step", ["area", "description"])
async def test_media_where_text_is_expected_keeps_the_step(
    bot: BotUnderTest, step: str, media: dict[str, Any]
) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, step)
    before = bot.snapshot()

    await bot.send(RESIDENT, **media)

    assert bot.last_text(RESIDENT) == texts.TEXT_ONLY
    assert bot.snapshot() == before
    await finish_need(bot, RESIDENT, step)
    expect_posted(bot, RESIDENT)


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("Trin", "Trinity"), ("Welsh", "Welshmill"), ("Oak", "Oakfield")],
)
async def test_an_unknown_area_suggests_close_names_and_waits(
    bot: BotUnderTest, typed: str, suggested: str
) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "area")
    before = bot.snapshot()

    await bot.say(RESIDENT, typed)

    answer = plain(bot.last_text(RESIDENT))
    assert typed in answer
    assert "Did you mean" in answer and suggested in answer
    assert bot.snapshot() == before
    await bot.say(RESIDENT, suggested.lower())
    assert f"Area: {suggested}." in plain(bot.last_text(RESIDENT))


async def test_an_area_nobody_knows_gets_no_suggestion_but_a_way_on(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "area")
    before = bot.snapshot()

    await bot.say(RESIDENT, "Zanzibar")

    answer = plain(bot.last_text(RESIDENT))
    assert "Zanzibar" in answer and "Did you mean" not in answer
    assert "Tap a button" in answer
    assert bot.snapshot() == before
    await finish_need(bot, RESIDENT, "area")
    expect_posted(bot, RESIDENT)


@pytest.mark.parametrize(
    ("description", "answer"),
    [
        ("   ", texts.EMPTY_DESCRIPTION),
        ("\u200b\u200e\u2066", texts.EMPTY_DESCRIPTION),  # invisible characters only
        ("x" * 1001, texts.LONG_DESCRIPTION.format(length=1001, limit=1000)),
        ("Milk and bread. " * 80, texts.LONG_DESCRIPTION.format(length=1279, limit=1000)),
    ],
    ids=["spaces", "invisible", "1001", "1279"],
)
async def test_an_empty_or_too_long_description_is_refused(
    bot: BotUnderTest, description: str, answer: str
) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "description")
    before = bot.snapshot()

    await bot.say(RESIDENT, description)

    assert bot.last_text(RESIDENT) == answer
    assert bot.snapshot() == before
    await finish_need(bot, RESIDENT, "description")
    expect_posted(bot, RESIDENT)


async def test_a_description_of_exactly_1000_characters_is_accepted(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "description")
    await bot.say(RESIDENT, "y" * 1000)
    await bot.press(RESIDENT, "Flexible")
    await bot.press(RESIDENT, "Post")
    assert bot.rows("SELECT length(description) FROM needs") == [(1000,)]


@pytest.mark.parametrize(
    ("description", "topic", "not_topic"),
    [
        ("Could someone ask the Doctor to visit me", "Medical help", "Money and bank cards"),
        (
            "Please take my bank card and PIN to the cash machine",
            "Money and bank cards",
            "Emergencies",
        ),
    ],
)
async def test_a_description_the_group_must_not_do_gets_signposts_and_posts_nothing(
    bot: BotUnderTest, description: str, topic: str, not_topic: str
) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "description")

    await bot.say(RESIDENT, description)

    answer = plain(bot.last_text(RESIDENT))
    assert topic in answer and not_topic not in answer
    assert "nothing has been posted" in answer
    signpost = next(s for s in bot.services.community.signposts if s.topic == topic)
    assert signpost.text in answer
    # Not an emergency: the resident may say it's not that (held for a coordinator).
    assert labels(bot.last(RESIDENT)) == ["It's not that, post it", "Cancel"]
    assert bot.count("needs") == 0
    await bot.say(RESIDENT, "Bread and milk")  # not read as anything but "what now?"
    assert bot.last_text(RESIDENT) == texts.EXPECTED["need.signposted"]
    await bot.press(RESIDENT, "Cancel")
    assert bot.last_text(RESIDENT) == texts.CANCELLED
    assert bot.conversation_state(RESIDENT) is None  # the flow is over
    assert bot.count("needs") == 0


async def test_an_emergency_gets_signposts_and_no_way_to_post(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "description")

    await bot.say(RESIDENT, "My husband has collapsed, please come")

    answer = plain(bot.last_text(RESIDENT))
    assert "Emergencies" in answer and "999" in answer and "nothing has been posted" in answer
    assert labels(bot.last(RESIDENT)) == []  # no way on to Post
    assert bot.conversation_state(RESIDENT) is None  # the flow is over
    await bot.say(RESIDENT, "post it")  # no longer an answer to anything
    assert bot.last_text(RESIDENT) == texts.UNKNOWN_TEXT
    assert bot.count("needs") == 0


# --- stale, doubled and forged buttons ------------------------------------------------------


async def test_post_pressed_again_after_posting_posts_nothing_more(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "confirm")
    summary = bot.message_with_button(RESIDENT, "Post")
    await bot.press(RESIDENT, "Post")
    before, mark = bot.snapshot(), bot.mark()

    await bot.press(RESIDENT, "Post", message=summary)  # a second tap, on the same summary

    assert bot.answers_since(mark) == [texts.STALE_BUTTON]
    assert bot.snapshot() == before
    assert bot.count("needs") == 1


async def test_an_area_button_after_the_area_was_typed_is_stale(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "area")
    await bot.say(RESIDENT, "Badcox")  # typed: the area buttons stay on that message
    before, mark = bot.snapshot(), bot.mark()

    await bot.press(RESIDENT, "Fromefield")

    assert bot.answers_since(mark) == [texts.STALE_BUTTON]
    assert bot.snapshot() == before
    await finish_need(bot, RESIDENT, "description")
    assert bot.rows("SELECT area FROM needs") == [("Badcox",)]


async def test_a_button_from_a_cancelled_flow_starts_nothing(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/need")
    categories = bot.last(RESIDENT)
    await bot.say(RESIDENT, "/cancel")
    before, mark = bot.snapshot(), bot.mark()

    await bot.press(RESIDENT, "Prescriptions", message=categories)

    assert bot.answers_since(mark) == [texts.STALE_BUTTON]
    assert bot.sent_since(mark) == []
    assert bot.snapshot() == before


async def test_save_pressed_again_after_signing_up_changes_nothing(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER)
    await bot.sign_up(VOLUNTEER)
    summary = next(m for m in bot.screen(VOLUNTEER) if "Save it?" in m.text)
    # The screen shows no Save any more; a slow phone may still send the tap.
    assert labels(summary) == []
    old_summary = Sent(
        summary.chat_id,
        summary.message_id,
        summary.text,
        keyboards.confirm_volunteer().to_dict()["inline_keyboard"],
    )
    before, mark = bot.snapshot(), bot.mark()

    await bot.press(VOLUNTEER, "Save", message=old_summary)

    assert bot.answers_since(mark) == [texts.STALE_BUTTON]
    assert bot.snapshot() == before


FORGED = [
    "",  # empty: python-telegram-bot lets it match every pattern
    "\x00\x01\x7f\xff\ufffd\U0001f600",  # random bytes, as a modified client may send
    "v2:cat:0",  # another version's button
    "v0:post:",
    "v1:cat:99",  # out of range
    "v1:cat:-1",
    "v1:cat:0:extra",
    "v1:area:7777777777777777",
    "v1:when:yesterday",
    "v1:nope:1",  # no such action
    "v1:acc:abc",
    "v1:acc:99999",  # no such proposal
    "v1:dec:99999",
    "V1:CAT:0",
    "x" * 64,
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_button_data_outside_a_flow_is_answered_and_changes_nothing(
    bot: BotUnderTest, data: str
) -> None:
    await bot.agree(RESIDENT)
    before, mark = bot.snapshot(), bot.mark()

    await bot.press_data(RESIDENT, data)

    answers = bot.answers_since(mark)
    assert len(answers) == 1 and answers[0], "a forged button must get a friendly answer"
    assert texts.SOMETHING_WENT_WRONG not in bot.sent_since(mark)
    assert bot.snapshot() == before


@pytest.mark.parametrize("data", FORGED)
@pytest.mark.parametrize("step", ["category", "area", "when"])
async def test_forged_button_data_mid_flow_keeps_the_step(
    bot: BotUnderTest, data: str, step: str
) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, step)
    before, mark = bot.snapshot(), bot.mark()

    await bot.press_data(RESIDENT, data, message=bot.last(RESIDENT))

    answers = bot.answers_since(mark)
    assert len(answers) == 1 and answers[0], "a forged button must get a friendly answer"
    assert texts.SOMETHING_WENT_WRONG not in bot.sent_since(mark)
    assert bot.snapshot() == before
    for label in step_buttons(step):  # the real buttons are still there to press
        assert bot.message_with_button(RESIDENT, label)
    await finish_need(bot, RESIDENT, step)
    expect_posted(bot, RESIDENT)


async def proposal_for_volunteer(bot: BotUnderTest) -> Sent:
    await bot.agree(RESIDENT, VOLUNTEER, NEIGHBOUR)
    await bot.sign_up(VOLUNTEER, areas=("Trinity",))
    await bot.sign_up(NEIGHBOUR, areas=("Keyford",))  # a volunteer, but not for this need
    await bot.post_need(RESIDENT, area="Trinity")
    return bot.message_with_button(VOLUNTEER, "Accept")


@pytest.mark.parametrize("label", ["Accept", "Decline"])
async def test_someone_elses_proposal_button_is_answered_and_changes_nothing(
    bot: BotUnderTest, label: str
) -> None:
    proposal = await proposal_for_volunteer(bot)
    before, mark = bot.snapshot(), bot.mark()

    # Harold's client sends the callback data of Priya's button.
    await bot.press_data(NEIGHBOUR, proposal.callback_for(label), message=bot.last(NEIGHBOUR))

    assert bot.answers_since(mark) == [texts.NOT_FOR_YOU]
    assert bot.sent_since(mark) == []
    assert bot.calls_since(mark, "editMessageText") == []
    assert bot.snapshot() == before
    assert labels(bot.message_with_button(VOLUNTEER, "Accept")) == ["Accept", "Decline"]
    await bot.press(VOLUNTEER, "Accept")  # still Priya's to take
    assert bot.rows("SELECT status, volunteer_id FROM needs") == [("accepted", VOLUNTEER.id)]


async def test_accept_pressed_twice_acts_once(bot: BotUnderTest) -> None:
    proposal = await proposal_for_volunteer(bot)
    await bot.press(VOLUNTEER, "Accept")
    code = bot.rows("SELECT doorstep_code FROM needs")[0][0]
    before, mark = bot.snapshot(), bot.mark()

    await bot.press(VOLUNTEER, "Accept", message=proposal)

    assert len(bot.answers_since(mark)) == 1
    assert bot.sent_since(mark) == []  # the resident is not told twice, nobody apologises
    assert bot.snapshot() == before
    assert bot.rows("SELECT doorstep_code FROM needs") == [(code,)]
    assert len(bot.messages_containing(RESIDENT, VOLUNTEER.first_name)) == 1


async def test_decline_after_accepting_changes_nothing(bot: BotUnderTest) -> None:
    proposal = await proposal_for_volunteer(bot)
    await bot.press(VOLUNTEER, "Accept")
    task = on_screen(bot, proposal)  # now the accepted details, with the task's own buttons
    before, mark = bot.snapshot(), bot.mark()

    await bot.press(VOLUNTEER, "Decline", message=proposal)  # the old buttons, a slow phone

    assert len(bot.answers_since(mark)) == 1
    assert texts.SOMETHING_WENT_WRONG not in bot.sent_since(mark)
    assert bot.snapshot() == before
    assert on_screen(bot, proposal) == task


# --- commands out of place ------------------------------------------------------------------


async def test_an_unknown_command_outside_a_flow(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    before = bot.snapshot()

    await bot.say(RESIDENT, "/frobnicate now")

    assert bot.last_text(RESIDENT) == texts.UNKNOWN_COMMAND
    assert "/help" in texts.UNKNOWN_COMMAND
    assert bot.snapshot() == before


@pytest.mark.parametrize("command", ["/frobnicate", "/volunteer", "/need", "/start@elsewhere"])
async def test_another_command_mid_flow_keeps_the_step(bot: BotUnderTest, command: str) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "description")
    before = bot.snapshot()

    await bot.say(RESIDENT, command)

    assert bot.last_text(RESIDENT) == texts.IN_A_FLOW
    assert bot.snapshot() == before
    await finish_need(bot, RESIDENT, "description")
    expect_posted(bot, RESIDENT)


async def test_need_in_the_middle_of_signing_up_does_not_lose_the_form(
    bot: BotUnderTest,
) -> None:
    await bot.agree(VOLUNTEER)
    await bot.say(VOLUNTEER, "/volunteer")
    await bot.press(VOLUNTEER, SHOPPING)
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "Badcox")
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "Evenings")
    before = bot.snapshot()

    await bot.say(VOLUNTEER, "/need")

    assert bot.last_text(VOLUNTEER) == texts.IN_A_FLOW
    assert bot.snapshot() == before
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "Save")
    assert bot.rows("SELECT availability FROM volunteers") == [("evenings",)]
    assert bot.rows("SELECT category FROM volunteer_skills") == [(SHOPPING,)]
    assert bot.rows("SELECT area FROM volunteer_areas") == [("Badcox",)]


async def test_raise_a_concern_mid_need_leaves_the_need_where_it_was(bot: BotUnderTest) -> None:
    await proposal_for_volunteer(bot)
    await bot.press(VOLUNTEER, "Accept")
    accepted = bot.message_with_button(RESIDENT, "Raise a concern")  # the resident's "accepted"
    await need_until(bot, RESIDENT, "when")  # a second request, half-way
    before, mark = bot.snapshot(), bot.mark()

    await bot.press(RESIDENT, "Raise a concern", message=accepted)

    assert bot.answers_since(mark) == [texts.IN_A_FLOW]
    assert bot.sent_since(mark) == []
    assert bot.snapshot() == before
    await finish_need(bot, RESIDENT, "when")
    assert bot.count("needs", "resident_id=?", (RESIDENT.id,)) == 2
    assert "#2" in plain(bot.last_text(RESIDENT))


@pytest.mark.parametrize("step", NEED_STEPS)
async def test_cancel_mid_flow_posts_nothing(bot: BotUnderTest, step: str) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, step)
    on_screen = bot.last(RESIDENT)

    await bot.say(RESIDENT, "/cancel")

    assert bot.last_text(RESIDENT) == texts.CANCELLED
    assert "Nothing was posted" in texts.CANCELLED
    assert bot.count("needs") == 0
    assert bot.conversation_state(RESIDENT) is None
    if labels(on_screen):  # a button left on screen leads nowhere now
        mark = bot.mark()
        await bot.press(RESIDENT, labels(on_screen)[0], message=on_screen)
        assert bot.answers_since(mark) == [texts.STALE_BUTTON]
    assert bot.count("needs") == 0


async def test_the_cancel_button_at_the_summary_posts_nothing(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "confirm")
    summary = bot.last(RESIDENT)

    await bot.press(RESIDENT, "Cancel")

    assert bot.last_text(RESIDENT) == texts.CANCELLED
    assert labels(next(m for m in bot.screen(RESIDENT) if m.message_id == summary.message_id)) == []
    assert bot.count("needs") == 0
    assert bot.conversation_state(RESIDENT) is None


async def test_cancel_outside_a_flow(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    before = bot.snapshot()

    await bot.say(RESIDENT, "/cancel")

    assert bot.last_text(RESIDENT) == texts.NOTHING_TO_CANCEL
    assert bot.snapshot() == before


# --- group chats ---------------------------------------------------------------------------

GROUP_ID = -1001234567890


@pytest.mark.parametrize(
    "command", ["/start", "/need", "/need@mutualaid_demo_bot", "/volunteer", "/help", "/cancel"]
)
@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_a_command_in_a_group_gets_one_pointer_to_a_private_chat(
    bot: BotUnderTest, command: str, chat_type: str
) -> None:
    mark = bot.mark()

    await bot.say(RESIDENT, command, chat_type=chat_type, chat_id=GROUP_ID)

    sent = bot.calls_since(mark, "sendMessage")
    assert [(int(c.params["chat_id"]), c.params["text"]) for c in sent] == [
        (GROUP_ID, texts.GROUP_CHAT)
    ]
    assert "private chat" in texts.GROUP_CHAT
    assert bot.calls_since(mark, "editMessageText") == []
    for table in ("people", "needs", "volunteers", "conversations", "user_data"):
        assert bot.count(table) == 0, table


async def test_a_group_changes_nothing_for_someone_who_has_agreed(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    before, mark = bot.snapshot(), bot.mark()

    for text in ("/need", "Trinity", "Bread and milk", "/cancel"):
        await bot.say(RESIDENT, text, chat_type="group", chat_id=GROUP_ID)
    await bot.press_in_group(RESIDENT, "v1:menu:need", GROUP_ID)

    group_texts = [c.params["text"] for c in bot.calls_since(mark, "sendMessage")]
    assert group_texts == [texts.GROUP_CHAT, texts.GROUP_CHAT]  # one per command, none for text
    assert bot.answers_since(mark) == [texts.GROUP_CHAT]
    assert bot.sent_since(mark, RESIDENT.id) == []
    assert bot.snapshot() == before


# --- anything at all ----------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["/cancel", "/need", "/start", "/help", "/", "/x@y", "trinity", "doctor", "<b>&", ""]
)
ANY_TEXT = st.one_of(
    _WORDS,
    st.text(max_size=60),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Co"]), max_size=40),
    st.builds(lambda s, n: (s * n)[:4096], st.text(min_size=1, max_size=7), st.integers(150, 1200)),
)
_ACTIONS = [a.value for a in Action if a is not Action.POST]
ANY_DATA = st.one_of(
    st.text(max_size=64),
    st.builds(
        lambda version, action, arg: f"{version}:{action}:{arg}",
        st.sampled_from(["v1", "v1", "v2", "v0"]),
        st.sampled_from([*_ACTIONS, "zz", ""]),
        st.one_of(st.integers(-5, 20).map(str), st.text("0123456789abcdefxyz:", max_size=20)),
    ),
).filter(lambda d: (b := keyboards.parse(d)) is None or b.action is not Action.POST)


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example database written into the working tree
    derandomize=True,  # the same examples every run: a failure found once replays every time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=ANY_TEXT, data=ANY_DATA)
async def test_arbitrary_input_at_every_step_never_escapes_and_never_posts(
    isolated_env: Path, text: str, data: str
) -> None:
    with tempfile.TemporaryDirectory(dir=isolated_env) as folder:
        async with running_bot(Path(folder) / "fuzz.db") as bot:
            await bot.agree(RESIDENT)
            for step in NEED_STEPS:
                await bot.say(RESIDENT, "/cancel")
                await need_until(bot, RESIDENT, step)
                mark = bot.mark()

                await bot.say(RESIDENT, text)
                await bot.press_data(RESIDENT, data, message=bot.last(RESIDENT))

                assert not bot.errors.records, (step, bot.errors.describe())
                assert texts.SOMETHING_WENT_WRONG not in bot.sent_since(mark)
                assert bot.count("needs") == 0, step
                assert refused_messages(bot.calls_since(mark)) == []
                assert len(bot.answers_since(mark)) == 1  # the press was answered, once
