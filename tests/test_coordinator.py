"""Coordinators' commands: /open, /approve, /vetted, /assign, /block and /unblock, /newneed,
/concerns, each through the real bot, with what people see and the audit log checked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest
from support.bot import RESIDENT, BotUnderTest, labels, plain, refused_messages

from bot.sandbox import Person, Sent
from domain.models import Role
from handlers import texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

ALICE = Person(9100001, "Alice")  # the configured coordinator
ANNA = Person(6700011, "Anna")  # volunteers in Trinity
BEN = Person(6700012, "Ben")
KIT = Person(6700001, "Kit")  # Keyford: never matched to Trinity by the bot itself
SHOPPING = "Shopping & essentials"


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    async with start_bot(coordinator_ids=[ALICE.id]) as running:
        await running.agree(ALICE, RESIDENT)
        yield running
        assert not running.errors.records, running.errors.describe()
        assert refused_messages(running.request.calls) == []  # Telegram would take them all


async def volunteer(bot: BotUnderTest, who: Person, area: str = "Trinity", **kw: object) -> None:
    await bot.agree(who)
    await bot.sign_up(who, areas=(area,), **kw)  # type: ignore[arg-type]


async def post_another(bot: BotUnderTest, who: Person, description: str, **kw: str) -> int:
    """Another request in the same category and area: `Yes, it's new` to the duplicate check."""
    await bot.start_need(who, kw.pop("category", SHOPPING), kw.pop("area", "Trinity"))
    await bot.say(who, description)
    await bot.press(who, kw.pop("when", "Today"))
    await bot.press(who, "Post")
    if "Yes, it's new" in labels(bot.last(who)):
        await bot.press(who, "Yes, it's new")
    return int(bot.rows("SELECT max(id) FROM needs WHERE resident_id=?", (who.id,))[0][0])


ASSIGN_USAGE = plain(texts.ASSIGN_USAGE)


def asked(bot: BotUnderTest, need_id: int) -> dict[int, str]:
    return dict(bot.rows("SELECT volunteer_id, status FROM proposals WHERE need_id=?", (need_id,)))


def proposal_on_screen(bot: BotUnderTest, need_id: int, who: Person) -> Sent:
    rows = bot.rows(
        "SELECT chat_id, message_id FROM proposals WHERE need_id=? AND volunteer_id=?",
        (need_id, who.id),
    )
    assert rows and rows[0][1] is not None, f"{who.first_name} was never sent #{need_id}"
    return bot.request.messages[(rows[0][0], rows[0][1])]


def audit(bot: BotUnderTest, action: str) -> list[tuple[object, ...]]:
    return bot.rows(
        "SELECT actor_id, target, detail FROM audit_log WHERE action=? ORDER BY id", (action,)
    )


def reach(who: Person) -> str:
    """How a coordinator's message names someone: a tap link, and their @username or id."""
    return texts.reach(who.first_name, who.username, who.id)


def status(bot: BotUnderTest, need_id: int) -> str:
    return str(bot.rows("SELECT status FROM needs WHERE id=?", (need_id,))[0][0])


# --- /approve ----------------------------------------------------------------------------------


async def test_approving_a_volunteer_tells_them_and_matches_open_needs(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await bot.agree(ALICE, RESIDENT)
        need_id = await bot.post_need(RESIDENT)
        await volunteer(bot, ANNA)
        await volunteer(bot, BEN)
        assert bot.last_text(ANNA).endswith("✓ " + texts.VOLUNTEER_PENDING)
        assert asked(bot, need_id) == {}

        await bot.say(ALICE, "/approve")
        listed = [m for m in bot.screen(ALICE) if labels(m) == ["Approve", "Reject"]]
        assert [("Anna" in m.text, "Ben" in m.text) for m in listed] == [
            (True, False),
            (False, True),
        ]
        assert SHOPPING in plain(listed[0].text) and "Trinity" in plain(listed[0].text)

        await bot.press(ALICE, "Approve", listed[0])
        assert bot.rows("SELECT approved FROM volunteers WHERE user_id=?", (ANNA.id,)) == [(1,)]
        assert texts.VOLUNTEER_APPROVED in bot.texts(ANNA)
        assert asked(bot, need_id) == {ANNA.id: "open"}  # matched at once
        assert labels(proposal_on_screen(bot, need_id, ANNA)) == ["Accept", "Decline"]
        now_shows = bot.request.messages[(ALICE.id, listed[0].message_id)]
        assert labels(now_shows) == [] and "Approved" in now_shows.text

        # Pressed again (a second phone, a slow network): nothing more happens.
        mark = bot.mark()
        await bot.press_data(ALICE, listed[0].callback_for("Approve"), listed[0])
        assert bot.answers_since(mark) == [texts.ALREADY_HANDLED]
        assert bot.sent_since(mark) == []

        await bot.press(ALICE, "Reject", listed[1])
        assert bot.count("volunteers", "user_id=?", (BEN.id,)) == 0
        assert bot.count("volunteer_skills", "user_id=?", (BEN.id,)) == 0
        assert bot.last_text(BEN) == texts.VOLUNTEER_NOT_APPROVED
        assert asked(bot, need_id) == {ANNA.id: "open"}

        assert audit(bot, "approve") == [(ALICE.id, f"user:{ANNA.id}", None)]
        assert audit(bot, "reject") == [(ALICE.id, f"user:{BEN.id}", None)]
        await bot.say(ALICE, "/approve")
        assert bot.last_text(ALICE) == texts.APPROVE_NONE
        assert not bot.errors.records, bot.errors.describe()


# --- /vetted -----------------------------------------------------------------------------------


async def test_vetting_lets_a_volunteer_take_vetted_only_requests(bot: BotUnderTest) -> None:
    await volunteer(bot, ANNA, skills=("Phone befriending",))
    need_id = await bot.post_need(RESIDENT, category="Phone befriending")
    assert asked(bot, need_id) == {}  # not vetted, so not asked

    await bot.say(ALICE, f"/vetted {ANNA.id}")
    assert bot.last_text(ALICE) == texts.VETTED_ON.format(name=reach(ANNA))
    assert asked(bot, need_id) == {ANNA.id: "open"}
    await bot.say(ALICE, f"/vetted {ANNA.id}")
    assert bot.last_text(ALICE) == texts.VETTED_UNCHANGED.format(name=reach(ANNA))
    await bot.say(ALICE, f"/vetted {ANNA.id} off")
    assert bot.rows("SELECT vetted FROM volunteers WHERE user_id=?", (ANNA.id,)) == [(0,)]
    await bot.say(ALICE, "/vetted 424242")
    assert bot.last_text(ALICE) == (
        texts.NOBODY_WITH_ID.format(typed=424242) + "\n\n" + texts.VETTED_USAGE
    )
    await bot.say(ALICE, "/vetted")
    assert bot.last_text(ALICE) == texts.VETTED_USAGE
    assert [a[0:2] for a in audit(bot, "vetted") + audit(bot, "unvetted")] == [
        (ALICE.id, f"user:{ANNA.id}"),
        (ALICE.id, f"user:{ANNA.id}"),
    ]


# --- /assign and /open -------------------------------------------------------------------------


async def test_assign_asks_one_volunteer_who_can_still_decline(bot: BotUnderTest) -> None:
    await volunteer(bot, KIT, area="Keyford")
    need_id = await bot.post_need(RESIDENT)
    assert asked(bot, need_id) == {}

    await bot.say(ALICE, f"/assign #{need_id} {KIT.id}")
    assert bot.last_text(ALICE) == texts.ASSIGNED.format(name=reach(KIT), id=need_id)
    proposal = proposal_on_screen(bot, need_id, KIT)
    assert labels(proposal) == ["Accept", "Decline"]
    assert "Margaret" not in proposal.text  # a proposal never names the resident
    assert audit(bot, "assign") == [(ALICE.id, f"need:{need_id}", f"volunteer:{KIT.id}")]

    await bot.say(ALICE, f"/assign {need_id} {KIT.id}")
    assert plain(bot.last_text(ALICE)) == plain(
        texts.ASSIGN_PROBLEMS["already_asked"].format(name=reach(KIT), id=need_id)
    )

    await bot.press(KIT, "Decline", proposal)
    assert asked(bot, need_id) == {KIT.id: "declined"}
    assert labels(proposal_on_screen(bot, need_id, KIT)) == []
    assert status(bot, need_id) == "open"

    # A coordinator who has since spoken to them may ask again.
    await bot.say(ALICE, f"/assign {need_id} {KIT.id}")
    assert asked(bot, need_id) == {KIT.id: "open"}
    await bot.press(KIT, "Accept", proposal_on_screen(bot, need_id, KIT))
    assert bot.rows("SELECT status, volunteer_id FROM needs WHERE id=?", (need_id,)) == [
        ("accepted", KIT.id)
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("{need} 424242", "I don't know anyone with id 424242 here.\n\n" + ASSIGN_USAGE),
        ("999 {kit}", "There's no request #999."),
        ("{need} {resident}", "Margaret @maggie_w hasn't signed up as a volunteer."),
        ("{need} Bob", "I don't know anyone called “Bob” here.\n\n" + ASSIGN_USAGE),
        (
            "{need} @nobody_here",
            texts.NOBODY_WITH_USERNAME.format(typed="nobody_here") + "\n\n" + ASSIGN_USAGE,
        ),
        ("{need}", ASSIGN_USAGE),
        ("twelve {kit}", ASSIGN_USAGE),
    ],
)
async def test_assign_explains_what_stops_it(bot: BotUnderTest, args: str, expected: str) -> None:
    await volunteer(bot, KIT, area="Keyford")
    need_id = await bot.post_need(RESIDENT)
    before = bot.snapshot()
    await bot.say(ALICE, "/assign " + args.format(need=need_id, kit=KIT.id, resident=RESIDENT.id))
    assert plain(bot.last_text(ALICE)) == expected
    assert bot.snapshot() == before


async def test_assign_never_gives_a_vetted_only_request_to_an_unvetted_volunteer(
    bot: BotUnderTest,
) -> None:
    await volunteer(bot, KIT, area="Keyford")
    need_id = await bot.post_need(RESIDENT, category="Phone befriending")
    await bot.say(ALICE, f"/assign {need_id} {KIT.id}")
    assert plain(bot.last_text(ALICE)) == plain(
        texts.ASSIGN_PROBLEMS["not_vetted"].format(id=need_id, name=reach(KIT))
    )
    assert asked(bot, need_id) == {}


async def test_open_lists_waiting_needs_with_see_assign_and_close(bot: BotUnderTest) -> None:
    await volunteer(bot, ANNA, area="Keyford")
    first = await bot.post_need(RESIDENT, description="Bread from the Co-op")
    second = await post_another(bot, RESIDENT, "Milk and eggs", when="This week")
    await bot.say(ALICE, "/open")
    shown = bot.screen(ALICE)[-3:]
    assert "2" in plain(shown[0].text)
    assert [f"#{first}" in m.text for m in shown[1:]] == [True, False]
    assert labels(shown[1]) == ["See in full", "Assign", "Close"]

    await bot.press(ALICE, "See in full", shown[1])
    full = plain(bot.last_text(ALICE))
    assert "Margaret @maggie_w" in full and "Bread from the Co-op" in full
    assert audit(bot, "see_need") == [(ALICE.id, f"need:{first}", None)]

    await bot.press(ALICE, "Assign", shown[1])  # Anna, in Keyford, is not eligible
    assert labels(bot.last(ALICE)) == []
    assert bot.last_text(ALICE) == texts.ASSIGN_NOBODY.format(id=first)

    await bot.press(ALICE, "Close", shown[2])
    assert status(bot, second) == "closed"
    assert bot.last_text(RESIDENT) == texts.RESIDENT_NEED_CLOSED.format(
        id=second, category=texts.html(SHOPPING)
    )
    assert audit(bot, "close_need") == [(ALICE.id, f"need:{second}", None)]
    mark = bot.mark()
    await bot.press_data(ALICE, shown[2].callback_for("Close"), shown[2])
    assert bot.answers_since(mark) == [texts.ALREADY_HANDLED]


async def test_assign_button_with_nobody_left_says_how_to_ask_anyone(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT)  # nobody yet
    await volunteer(bot, ANNA)  # matched at once when she signs up
    assert asked(bot, need_id) == {ANNA.id: "open"}
    await bot.press(ANNA, "Decline", proposal_on_screen(bot, need_id, ANNA))
    await volunteer(bot, BEN)
    await bot.press(BEN, "Decline", proposal_on_screen(bot, need_id, BEN))
    # Both declined: the Assign button has nobody left to suggest, and says how to go on.
    await bot.say(ALICE, "/open")
    await bot.press(ALICE, "Assign")
    assert bot.last_text(ALICE) == texts.ASSIGN_NOBODY.format(id=need_id)


async def test_ask_button_assigns_from_the_open_list(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], wave_size=1) as bot:
        await bot.agree(ALICE, RESIDENT)
        await volunteer(bot, ANNA)
        await volunteer(bot, BEN)
        need_id = await bot.post_need(RESIDENT)
        assert asked(bot, need_id) == {ANNA.id: "open"}  # a wave of one

        await bot.say(ALICE, "/open")
        await bot.press(ALICE, "Assign")
        assert labels(bot.last(ALICE)) == ["Ask Ben"]
        await bot.press(ALICE, "Ask Ben")
        assert asked(bot, need_id) == {ANNA.id: "open", BEN.id: "open"}
        assert labels(proposal_on_screen(bot, need_id, BEN)) == ["Accept", "Decline"]
        assert audit(bot, "assign") == [(ALICE.id, f"need:{need_id}", f"volunteer:{BEN.id}")]
        assert not bot.errors.records, bot.errors.describe()


# --- /block and /unblock -----------------------------------------------------------------------


async def test_blocking_a_volunteer_withdraws_their_proposals_and_stops_matching(
    bot: BotUnderTest,
) -> None:
    await volunteer(bot, ANNA)
    await volunteer(bot, BEN)
    need_id = await bot.post_need(RESIDENT)
    assert asked(bot, need_id) == {ANNA.id: "open", BEN.id: "open"}

    mark = bot.mark()
    await bot.say(ALICE, f"/block {ANNA.id} rude to a resident")
    assert bot.rows("SELECT blocked FROM people WHERE id=?", (ANNA.id,)) == [(1,)]
    assert bot.sent_since(mark, ANNA.id) == [texts.BLOCKED_NOTICE]  # one neutral message
    assert asked(bot, need_id) == {ANNA.id: "withdrawn", BEN.id: "open"}
    withdrawn = proposal_on_screen(bot, need_id, ANNA)
    assert labels(withdrawn) == [] and "no longer open" in withdrawn.text
    assert audit(bot, "block") == [(ALICE.id, f"user:{ANNA.id}", "rude to a resident")]

    # Whatever she does now gets one neutral answer and changes nothing.
    before = bot.snapshot()
    mark = bot.mark()
    await bot.say(ANNA, "/tasks")
    await bot.press_data(ANNA, f"v1:acc:{1}", withdrawn)
    assert bot.sent_since(mark) == [texts.BLOCKED_REPLY]
    assert bot.answers_since(mark) == [texts.BLOCKED_REPLY]
    assert bot.snapshot() == before

    second = await post_another(bot, RESIDENT, "Stamps from the post office")
    assert asked(bot, second) == {BEN.id: "open"}

    await bot.say(ALICE, f"/unblock {ANNA.id}")
    assert bot.last_text(ANNA) == texts.UNBLOCKED_NOTICE
    assert audit(bot, "unblock") == [(ALICE.id, f"user:{ANNA.id}", None)]
    third = await post_another(bot, RESIDENT, "A pint of milk")
    assert ANNA.id in asked(bot, third)


async def test_blocking_a_volunteer_hands_their_accepted_task_back(bot: BotUnderTest) -> None:
    await volunteer(bot, ANNA)
    need_id = await bot.post_need(RESIDENT)
    await bot.press(ANNA, "Accept", proposal_on_screen(bot, need_id, ANNA))
    assert status(bot, need_id) == "accepted"
    await volunteer(bot, BEN)

    await bot.say(ALICE, f"/block {ANNA.id}")
    assert status(bot, need_id) == "open"
    assert asked(bot, need_id) == {ANNA.id: "dropped", BEN.id: "open"}
    assert "can't do" in plain(bot.last_text(RESIDENT))


async def test_blocking_a_resident_withdraws_their_requests(bot: BotUnderTest) -> None:
    await volunteer(bot, ANNA)
    await volunteer(bot, BEN)
    open_id = await bot.post_need(RESIDENT)
    taken_id = await post_another(bot, RESIDENT, "Dog food")
    await bot.press(BEN, "Accept", proposal_on_screen(bot, taken_id, BEN))

    mark = bot.mark()
    await bot.say(ALICE, f"/block {RESIDENT.id}")
    assert (status(bot, open_id), status(bot, taken_id)) == ("cancelled", "cancelled")
    assert labels(proposal_on_screen(bot, open_id, ANNA)) == []
    assert bot.sent_since(mark, RESIDENT.id) == [texts.BLOCKED_NOTICE]
    told = bot.sent_since(mark, BEN.id)
    assert any(f"#{taken_id}" in t and "withdrawn by a coordinator" in t for t in told)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (str(ALICE.id), texts.BLOCK_PROBLEMS["self"]),
        ("424242", texts.NOBODY_WITH_ID.format(typed=424242) + "\n\n" + texts.BLOCK_USAGE),
        ("Zed", texts.NOBODY_CALLED.format(typed="Zed") + "\n\n" + texts.BLOCK_USAGE),
        ("#12", texts.NOT_A_PERSON.format(typed="#12") + "\n\n" + texts.BLOCK_USAGE),
        ("", texts.BLOCK_USAGE),
    ],
)
async def test_block_refuses_what_it_must(bot: BotUnderTest, who: str, expected: str) -> None:
    before = bot.snapshot()
    await bot.say(ALICE, f"/block {who} for a reason" if who else "/block")
    assert bot.last_text(ALICE) == expected
    assert bot.snapshot() == before


async def test_a_coordinator_cannot_be_blocked(bot: BotUnderTest) -> None:
    await bot.store.people.grant(RESIDENT.id, Role.COORDINATOR, bot.clock.now())
    await bot.say(ALICE, f"/block {RESIDENT.id}")
    assert bot.last_text(ALICE) == texts.BLOCK_PROBLEMS["coordinator"].format(
        id=RESIDENT.id, name=reach(RESIDENT)
    )
    assert bot.rows("SELECT blocked FROM people WHERE id=?", (RESIDENT.id,)) == [(0,)]


# --- /newneed ----------------------------------------------------------------------------------


async def test_newneed_makes_the_coordinator_the_contact_for_someone_who_phoned(
    bot: BotUnderTest,
) -> None:
    await volunteer(bot, ANNA)
    await bot.say(ALICE, "/newneed Doris from Selwood Road")
    assert "Doris from Selwood Road" in plain(bot.texts(ALICE)[-2])
    await bot.press(ALICE, SHOPPING)
    await bot.press(ALICE, "Trinity")
    await bot.say(ALICE, "Bread and milk")
    await bot.press(ALICE, "Today")
    await bot.press(ALICE, "Post")
    need_id = int(bot.rows("SELECT max(id) FROM needs")[0][0])
    assert bot.rows("SELECT resident_id, on_behalf_of FROM needs WHERE id=?", (need_id,)) == [
        (ALICE.id, "Doris from Selwood Road")
    ]
    assert audit(bot, "newneed") == [(ALICE.id, f"need:{need_id}", "Doris from Selwood Road")]
    assert "Doris" not in proposal_on_screen(bot, need_id, ANNA).text  # the caller stays private

    await bot.press(ANNA, "Accept", proposal_on_screen(bot, need_id, ANNA))
    assert "Alice" in plain(bot.last_text(ANNA))  # the coordinator is who to contact
    assert "Anna" in plain(bot.last_text(ALICE))  # and hears who is coming

    await bot.press(ANNA, "Done")
    await bot.press(ANNA, "30 min")
    assert labels(bot.last(ALICE)) == ["Yes", "There's a problem"]  # the follow-up is hers

    # A plain /need by the same coordinator is her own, with no caller noted.
    own = await post_another(bot, ALICE, "Batteries")
    assert bot.rows("SELECT on_behalf_of FROM needs WHERE id=?", (own,)) == [(None,)]


# --- /concerns ---------------------------------------------------------------------------------


async def test_concerns_are_listed_and_resolved(bot: BotUnderTest) -> None:
    await volunteer(bot, ANNA)
    need_id = await bot.post_need(RESIDENT)
    await bot.press(ANNA, "Accept", proposal_on_screen(bot, need_id, ANNA))
    await bot.press(ANNA, "Raise a concern")
    await bot.say(ANNA, "Nobody answered the door and the curtains were shut")
    assert any("curtains" in t for t in bot.texts(ALICE))  # told at once

    await bot.say(ALICE, "/concerns")
    listed = bot.last(ALICE)
    assert labels(listed) == ["Resolved"]
    assert "Anna" in listed.text and f"#{need_id}" in listed.text and "curtains" in listed.text
    await bot.press(ALICE, "Resolved", listed)
    resolved = bot.request.messages[(ALICE.id, listed.message_id)]
    assert labels(resolved) == [] and "Resolved by Alice" in plain(resolved.text)
    assert bot.rows("SELECT status, resolved_by FROM concerns") == [("resolved", ALICE.id)]
    concern_id = bot.rows("SELECT id FROM concerns")[0][0]
    assert audit(bot, "resolve_concern") == [(ALICE.id, f"concern:{concern_id}", None)]

    mark = bot.mark()
    await bot.press_data(ALICE, listed.callback_for("Resolved"), listed)
    assert bot.answers_since(mark) == [texts.ALREADY_HANDLED]
    await bot.say(ALICE, "/concerns")
    assert bot.last_text(ALICE) == texts.CONCERNS_NONE
