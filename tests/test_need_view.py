"""A need in full for a coordinator: `#12` or `/see 12`, in any status, with its history and
the actions its status allows (Assign, Reassign, Close, Reopen, Add note, Message resident),
and a concern alert's `See #12`; each through the real bot, each refused to anyone else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import pytest
from support.bot import RESIDENT, BotUnderTest, labels, plain, refused_messages

from bot.sandbox import Person, Sent
from domain.models import Role
from handlers import jobs, texts
from handlers.context import Ctx

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

ALICE = Person(9100001, "Alice")  # the configured coordinator
ANNA = Person(6700011, "Anna")  # a volunteer in Trinity, no username
BEN = Person(6700012, "Ben", "ben_b")  # another, with one
LIZ = Person(6700020, "Liz")  # a council liaison
MINUTE = timedelta(minutes=1)


def reach(who: Person) -> str:
    return texts.reach(who.first_name, who.username, who.id)


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    async with start_bot(coordinator_ids=[ALICE.id], wave_size=1) as running:
        await running.agree(ALICE, RESIDENT, ANNA, BEN, LIZ)
        await running.store.people.grant(LIZ.id, Role.LIAISON, running.clock.now())
        await running.sign_up(ANNA)
        running.clock.advance(MINUTE)
        await running.sign_up(BEN)
        yield running
        assert not running.errors.records, running.errors.describe()
        assert refused_messages(running.request.calls) == []


async def accepted_need(bot: BotUnderTest) -> int:
    """A need Anna (first in line) has accepted, a minute apart each step."""
    bot.clock.advance(MINUTE)
    need_id = await bot.post_need(RESIDENT)
    bot.clock.advance(MINUTE)
    await bot.press(ANNA, "Accept")
    assert status(bot, need_id) == ("accepted", ANNA.id)
    return need_id


def status(bot: BotUnderTest, need_id: int) -> tuple[str, int | None]:
    row = bot.rows("SELECT status, volunteer_id FROM needs WHERE id=?", (need_id,))[0]
    return str(row[0]), row[1]


def view(bot: BotUnderTest) -> Sent:
    shown = bot.last(ALICE)
    assert "<b>History</b>" in shown.text, shown.text
    return shown


def history(message: Sent) -> list[str]:
    return plain(message.text).split("History\n", 1)[1].splitlines()


# --- seeing it -------------------------------------------------------------------------------


async def test_hash_number_shows_the_need_in_full_with_its_history(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    code = bot.rows("SELECT doorstep_code FROM needs WHERE id=?", (need_id,))[0][0]
    await bot.say(ALICE, f"#{need_id}")
    shown = view(bot)
    read = plain(shown.text)
    assert f"#{need_id} · a volunteer has it" in read
    assert "Shopping & essentials in Trinity, today" in read
    assert "Resident: Margaret @maggie_w" in read
    assert f"Volunteer: Anna (id {ANNA.id})" in read  # no username: the id to type
    assert f'href="tg://user?id={ANNA.id}"' in shown.text  # and her name opens her profile
    assert f"Doorstep code: {code}" in read
    assert "A loaf of bread and some milk" in read
    assert [line.split(" · ", 1)[1] for line in history(shown)] == [
        "posted by Margaret @maggie_w",
        f"Anna (id {ANNA.id}) asked",
        f"Anna (id {ANNA.id}) accepted",
    ]
    assert labels(shown) == ["Reassign", "Close", "Add note", "Message resident"]
    assert bot.rows("SELECT actor_id, target FROM audit_log WHERE action='see_need'") == [
        (ALICE.id, f"need:{need_id}")
    ]

    # /see says the same, with or without the #.
    for command in (f"/see {need_id}", f"/see #{need_id}"):
        await bot.say(ALICE, command)
        assert view(bot).text == shown.text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("#999", texts.NO_SUCH_NEED.format(id=999)), ("/see 999", texts.NO_SUCH_NEED.format(id=999))],
)
async def test_a_number_nobody_posted_gets_a_kind_answer(
    bot: BotUnderTest, typed: str, expected: str
) -> None:
    before = bot.snapshot()
    await bot.say(ALICE, typed)
    assert bot.last_text(ALICE) == expected
    assert bot.snapshot() == before


@pytest.mark.parametrize("typed", ["/see", "/see twelve", "/see 1 2"])
async def test_see_without_a_number_says_how(bot: BotUnderTest, typed: str) -> None:
    await bot.say(ALICE, typed)
    assert bot.last_text(ALICE) == texts.SEE_USAGE


@pytest.mark.parametrize("who", [ANNA, LIZ, RESIDENT])
async def test_anyone_else_typing_a_number_gets_no_view(bot: BotUnderTest, who: Person) -> None:
    need_id = await accepted_need(bot)
    before = bot.snapshot()
    mark = bot.mark()
    await bot.say(who, f"#{need_id}")
    await bot.say(who, f"/see {need_id}")
    said = bot.sent_since(mark, who.id)
    assert not any("History" in t or "maggie_w" in t for t in said)
    assert said[-1] == texts.NOT_ALLOWED
    assert bot.count("audit_log", "action='see_need'") == 0
    after = bot.snapshot()
    for table in ("relay_messages", "processed_updates"):  # "#1" relayed: their own words
        before.pop(table, None)
        after.pop(table, None)
    assert after == before


async def test_buttons_follow_the_status(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")  # nobody's skill
    await bot.say(ALICE, f"#{need_id}")
    assert labels(view(bot)) == ["Assign", "Close", "Add note", "Message resident"]
    assert "Asked 0, 0 yet to answer." in plain(view(bot).text)
    await bot.press(ALICE, "Close")
    await bot.say(ALICE, f"#{need_id}")
    assert labels(view(bot)) == ["Reopen", "Add note", "Message resident"]
    assert history(view(bot))[-1].endswith("closed by Alice (id 9100001)")

    # Someone who phoned in: the coordinator is the resident, so no `Message resident`.
    await bot.say(ALICE, "/newneed Doris, 07700 900123")
    await bot.press(ALICE, "Shopping & essentials")
    await bot.press(ALICE, "Trinity")
    await bot.say(ALICE, "Bread")
    await bot.press(ALICE, "Today")
    await bot.press(ALICE, "Post")
    phoned = int(bot.rows("SELECT max(id) FROM needs")[0][0])
    await bot.say(ALICE, f"#{phoned}")
    read = plain(view(bot).text)
    assert "Phoned in: Doris, entered by a coordinator; contact: 07700 900123" in read
    assert "entered by Alice (id 9100001) for Doris, who phoned in" in read
    assert "Message resident" not in labels(view(bot))


async def test_a_done_need_shows_who_did_it_and_the_hours(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    bot.clock.advance(MINUTE)
    await bot.press(ANNA, "Done")
    await bot.press(ANNA, "1 hour")
    await bot.say(ALICE, f"#{need_id}")
    assert history(view(bot))[-1].endswith(f"done by Anna (id {ANNA.id}), 1 hour")
    assert labels(view(bot)) == ["Add note", "Message resident"]


# --- a concern, straight to the need -----------------------------------------------------------


async def test_a_concern_alert_opens_the_need(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    bot.clock.advance(MINUTE)
    await bot.press(RESIDENT, "Raise a concern")
    await bot.say(RESIDENT, "She asked for my bank card")
    alert = bot.last(ALICE)
    assert plain(alert.text).startswith(f"⚠️ Concern from Margaret @maggie_w about #{need_id}")
    assert labels(alert) == [f"See #{need_id}"]
    await bot.press(ALICE, f"See #{need_id}", alert)
    assert history(view(bot))[-1].endswith(
        "⚠️ concern from Margaret @maggie_w: She asked for my bank card"
    )

    # Pressed by the volunteer (a forwarded or forged button): nothing.
    mark = bot.mark()
    await bot.press_data(ANNA, alert.callback_for(f"See #{need_id}"), alert)
    assert bot.answers_since(mark) == [texts.NOT_ALLOWED]
    assert bot.sent_since(mark, ANNA.id) == []


# --- Reassign ----------------------------------------------------------------------------------


async def test_reassign_withdraws_the_volunteer_and_offers_who_else(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    task = bot.message_with_button(ANNA, "Done")
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Reassign")
    question = bot.last(ALICE)
    assert question.text == texts.REASSIGN_ASK.format(id=need_id, volunteer=reach(ANNA))
    assert labels(question) == ["Yes, reassign", "No"]
    await bot.press(ALICE, "No", question)
    assert status(bot, need_id) == ("accepted", ANNA.id)
    assert bot.request.messages[(ALICE.id, question.message_id)].text == texts.LEFT_AS_IT_WAS

    await bot.press(ALICE, "Reassign")
    bot.clock.advance(MINUTE)
    mark = bot.mark()
    await bot.press(ALICE, "Yes, reassign")
    assert status(bot, need_id) == ("open", None)
    # Anna: told not to go, and her task message keeps neither the address nor buttons.
    assert any("please don't go" in t for t in bot.sent_since(mark, ANNA.id))
    edited = bot.request.messages[(ANNA.id, task.message_id)]
    assert labels(edited) == [] and "no longer open" in edited.text
    assert any("Anna won't be coming" in plain(t) for t in bot.sent_since(mark, RESIDENT.id))
    assert labels(bot.last(ALICE)) == ["Ask Ben", "Ask the usual way"]
    bot.clock.advance(MINUTE)
    await bot.press(ALICE, "Ask Ben")
    assert "Accept" in labels(bot.last(BEN))
    await bot.press(BEN, "Accept")
    assert status(bot, need_id) == ("accepted", BEN.id)

    await bot.say(ALICE, f"#{need_id}")
    lines = [line.split(" · ", 1)[1] for line in history(view(bot))]
    assert lines[-3:] == [
        f"Alice (id {ALICE.id}) took it from Anna (id {ANNA.id}) to ask someone else",
        f"Alice (id {ALICE.id}) asked Ben @ben_b",
        "Ben @ben_b accepted",
    ]
    assert f"Anna (id {ANNA.id}) accepted" in lines
    assert bot.rows("SELECT actor_id, detail FROM audit_log WHERE action='reassign'")[0][0] == (
        ALICE.id
    )

    # The old confirmation, pressed again: Anna no longer has it, nothing changes.
    before = bot.snapshot()
    mark = bot.mark()
    await bot.press_data(ALICE, question.callback_for("Yes, reassign"), question)
    assert bot.answers_since(mark) == [texts.NOT_THEIRS_NOW.format(id=need_id)]
    assert bot.snapshot() == before


async def test_ask_the_usual_way_after_a_reassignment(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Reassign")
    await bot.press(ALICE, "Yes, reassign")
    await bot.press(ALICE, "Ask the usual way")
    assert bot.last_text(ALICE) == texts.MATCHED.format(id=need_id, asked=1)
    assert "Accept" in labels(bot.last(BEN))  # Anna, withdrawn, is not asked again
    await bot.press(ALICE, "Ask the usual way")
    assert bot.last_text(ALICE) == texts.MATCH_ALREADY.format(id=need_id)


async def test_close_a_need_a_volunteer_has(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Close")
    assert bot.last_text(ALICE) == texts.END_ASK.format(id=need_id, volunteer=reach(ANNA))
    mark = bot.mark()
    await bot.press(ALICE, "Yes, close it")
    assert status(bot, need_id) == ("closed", ANNA.id)
    assert any("withdrawn by a coordinator" in t for t in bot.sent_since(mark, ANNA.id))
    assert bot.sent_since(mark, RESIDENT.id) == [
        texts.RESIDENT_NEED_CLOSED.format(id=need_id, category="Shopping &amp; essentials")
    ]


# --- Reopen ------------------------------------------------------------------------------------


async def test_reopen_a_closed_need_asks_volunteers_again(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT)
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Close")
    assert status(bot, need_id) == ("closed", None)
    proposal = bot.last(ANNA)
    assert labels(proposal) == []  # withdrawn when it closed

    bot.clock.advance(timedelta(days=2))  # its window ("today") has passed
    await bot.say(ALICE, f"#{need_id}")
    mark = bot.mark()
    await bot.press(ALICE, "Reopen")
    assert texts.REOPENED.format(id=need_id, asked=1) in bot.sent_since(mark, ALICE.id)
    assert status(bot, need_id) == ("open", None)
    assert any("again" in t for t in bot.sent_since(mark, RESIDENT.id))
    assert "Accept" in labels(bot.last(ANNA))  # asked afresh
    end = bot.rows("SELECT window_end FROM needs WHERE id=?", (need_id,))[0][0]
    assert end > (bot.clock.now() + timedelta(days=6)).isoformat()  # a week from now

    await bot.say(ALICE, f"#{need_id}")
    assert history(view(bot))[-1].endswith(f"reopened by Alice (id {ALICE.id})")
    mark = bot.mark()
    reopen = bot.message_with_button(ALICE, "Reopen")  # the view from before
    await bot.press_data(ALICE, reopen.callback_for("Reopen"), reopen)  # pressed again
    assert bot.answers_since(mark) == [texts.CANNOT_REOPEN.format(id=need_id)]


# --- Add note and Message resident -------------------------------------------------------------


async def test_a_note_is_kept_with_the_need(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Add note")
    assert bot.last_text(ALICE) == texts.NOTE_ASK.format(id=need_id)
    bot.clock.advance(MINUTE)
    mark = bot.mark()
    await bot.say(ALICE, "Spoke to Margaret: Tuesdays suit her")
    assert bot.last_text(ALICE) == texts.NOTE_KEPT.format(id=need_id)
    assert bot.sent_since(mark, RESIDENT.id) == []  # notes are for coordinators only
    assert bot.rows("SELECT author_id, kind, text FROM need_notes") == [
        (ALICE.id, "note", "Spoke to Margaret: Tuesdays suit her")
    ]
    await bot.say(ALICE, f"#{need_id}")
    assert history(view(bot))[-1].endswith(
        f"📝 Alice (id {ALICE.id}): Spoke to Margaret: Tuesdays suit her"
    )
    # The next text is an ordinary one again.
    await bot.say(ALICE, "hello")
    assert bot.count("need_notes") == 1


async def test_cancel_or_silence_keeps_no_note(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Add note")
    await bot.say(ALICE, "/cancel")
    assert bot.last_text(ALICE) == texts.INPUT_CANCELLED
    await bot.say(ALICE, "Not a note")
    await bot.press(ALICE, "Add note")
    bot.clock.advance(timedelta(hours=1))  # longer than MUTUALAID_FLOW_TIMEOUT
    await bot.say(ALICE, "Too late to be a note")
    assert bot.count("need_notes") == 0
    await bot.say(ALICE, "/cancel")
    assert bot.last_text(ALICE) == texts.NOTHING_TO_CANCEL


async def test_message_resident_goes_through_the_bot_from_the_coordinators(
    bot: BotUnderTest,
) -> None:
    need_id = await accepted_need(bot)
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Message resident")
    assert "Margaret @maggie_w" in plain(bot.last_text(ALICE))
    mark = bot.mark()
    await bot.say(ALICE, "Is Tuesday all right for you?")
    [sent] = bot.sent_since(mark, RESIDENT.id)
    assert plain(sent) == (
        f"✉️ From the coordinators of Frome Mutual Aid, about #{need_id} (Shopping & essentials):"
        "\n\nIs Tuesday all right for you?"
    )
    assert "Alice" not in sent  # from the coordinators, not from Alice's own account
    assert bot.last_text(ALICE) == texts.MESSAGE_SENT.format(id=need_id, resident=reach(RESIDENT))
    await bot.say(ALICE, f"#{need_id}")
    assert history(view(bot))[-1].endswith("to the resident: Is Tuesday all right for you?")


async def test_words_are_not_taken_from_someone_who_lost_the_role(bot: BotUnderTest) -> None:
    await bot.store.people.grant(BEN.id, Role.COORDINATOR, bot.clock.now())
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")
    await bot.say(BEN, f"#{need_id}")
    await bot.press(BEN, "Message resident")
    await bot.say(ALICE, "/roles")
    await bot.press(ALICE, "Remove Ben (coordinator)")
    mark = bot.mark()
    await bot.say(BEN, "Hello Margaret")
    assert bot.sent_since(mark, RESIDENT.id) == []
    assert bot.count("need_notes") == 0


@pytest.mark.parametrize(
    "label", ["Reassign", "Close", "Add note", "Message resident", "Reopen", "Assign"]
)
async def test_view_buttons_pressed_by_anyone_else_change_nothing(
    bot: BotUnderTest, label: str
) -> None:
    need_id = await accepted_need(bot)
    await bot.say(ALICE, f"#{need_id}")
    shown = view(bot)
    data = {
        "Reopen": f"v1:nreo:{need_id}",
        "Assign": f"v1:nasg:{need_id}",
    }.get(label) or shown.callback_for(label)
    before = bot.snapshot()
    for who in (ANNA, LIZ, RESIDENT):
        mark = bot.mark()
        await bot.press_data(who, data, shown)
        assert bot.answers_since(mark) == [texts.NOT_ALLOWED]
        await bot.say(who, "typed after the press")
    assert bot.count("need_notes") == 0
    after = bot.snapshot()
    for table in ("relay_messages", "user_data", "processed_updates"):
        before.pop(table, None)
        after.pop(table, None)
    assert after == before


async def test_an_unmatched_alert_opens_the_need_too(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE, RESIDENT)
        need_id = await bot.post_need(RESIDENT)  # today, and nobody to ask
        await jobs.tick(Ctx(bot.app))
        alert = bot.last(ALICE)
        assert alert.text.startswith("⚠️") and labels(alert) == [f"See #{need_id}"]


async def test_notes_go_with_the_residents_data(bot: BotUnderTest) -> None:
    need_id = await accepted_need(bot)
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Add note")
    await bot.say(ALICE, "Margaret's daughter visits on Fridays")
    await bot.press(ALICE, "Message resident")
    await bot.say(ALICE, "Thank you Margaret")
    assert bot.count("need_notes") == 2
    await bot.say(RESIDENT, "/forget")
    await bot.press(RESIDENT, "Delete my data")
    assert bot.count("need_notes") == 0
    await bot.say(ALICE, f"#{need_id}")
    assert labels(view(bot)) == []  # nothing left to note, nobody to message
    assert "Margaret" not in view(bot).text and "daughter" not in view(bot).text


async def test_notes_go_when_a_closed_need_loses_its_details(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")
    await bot.say(ALICE, f"#{need_id}")
    await bot.press(ALICE, "Add note")
    await bot.say(ALICE, "Her neighbour walks the dog now")
    await bot.press(ALICE, "Close")
    bot.clock.advance(timedelta(days=31))  # MUTUALAID_RETENTION is 30 days
    await jobs.tick(Ctx(bot.app))
    await jobs.tick(Ctx(bot.app))
    assert bot.count("need_notes") == 0
    await bot.say(ALICE, f"#{need_id}")
    assert "neighbour walks" not in view(bot).text
    assert labels(view(bot)) == []  # no words left to note against, nobody to reopen for


async def test_a_number_from_the_digest_typed_back_opens_the_need(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")
    await bot.say(ALICE, "/digest")
    digest = "\n".join(plain(t) for t in bot.texts(ALICE)[-3:])
    assert f"#{need_id} Dog walking & pets" in digest
    await bot.say(ALICE, f"#{need_id}")
    assert plain(view(bot).text).startswith(f"#{need_id} · waiting for a volunteer")


async def test_reminders_and_follow_ups_are_in_the_history(bot: BotUnderTest) -> None:
    bot.clock.advance(MINUTE)
    need_id = await bot.post_need(RESIDENT, when="Tomorrow")
    await bot.press(ANNA, "Accept")
    bot.clock.advance(timedelta(days=1))  # Thursday morning: the 08:00 reminder is due
    await jobs.tick(Ctx(bot.app))
    assert any("Reminder" in plain(t) for t in bot.texts(ANNA))
    await bot.say(ALICE, f"#{need_id}")
    lines = history(view(bot))
    assert lines[-1].startswith("Thu 13 Mar, 09:3")
    assert lines[-1].endswith(f" · Anna (id {ANNA.id}) reminded")


async def test_a_held_need_can_be_assigned_from_its_view(bot: BotUnderTest) -> None:
    await bot.start_need(RESIDENT, "Shopping & essentials", "Trinity")
    await bot.say(RESIDENT, "The doctor has sent it over")
    await bot.press(RESIDENT, "It's not that, post it")
    await bot.press(RESIDENT, "Today")
    await bot.press(RESIDENT, "Post")
    need_id = int(bot.rows("SELECT max(id) FROM needs")[0][0])
    assert status(bot, need_id) == ("held", None)
    await bot.say(ALICE, f"#{need_id}")
    assert labels(view(bot)) == ["Release", "Assign", "Close", "Add note", "Message resident"]
    await bot.press(ALICE, "Assign")
    assert status(bot, need_id) == ("open", None)  # released to the coordinator's choice
    assert labels(bot.last(ALICE)) == ["Ask Anna", "Ask Ben"]
    assert bot.count("proposals", "need_id=?", (need_id,)) == 0  # nobody asked until chosen
    assert any("passed it to volunteers" in t for t in bot.texts(RESIDENT))
    await bot.press(ALICE, "Ask Ben")
    assert "Accept" in labels(bot.last(BEN))
