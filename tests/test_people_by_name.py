"""People named by `@username`, first name or id in every coordinator command that names
one (/assign, /vetted, /block, /unblock): who a name means, buttons when it fits several,
a kind answer when it fits nobody, and nothing at all for anyone but a coordinator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest
from support.bot import RESIDENT, BotUnderTest, labels, plain, refused_messages

from bot.sandbox import Person
from domain.models import Role
from domain.people import Known, Outcome, PersonRef, RefKind, Standing, match, parse_ref
from handlers import texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

ALICE = Person(9100001, "Alice")  # the configured coordinator
PRIYA = Person(6800001, "Priya")  # a volunteer in Trinity, no username
PRIYA_K = Person(6800002, "Priya", "priya_k")  # a resident in Keyford
PRINCE = Person(6800003, "Prince", "prince_of_frome")  # a volunteer in Trinity
LIZ = Person(6800009, "Liz")  # a council liaison
SHOPPING = "Shopping & essentials"


def reach(who: Person) -> str:
    return texts.reach(who.first_name, who.username, who.id)


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    async with start_bot(coordinator_ids=[ALICE.id]) as running:
        await running.agree(ALICE, RESIDENT, PRIYA, PRIYA_K, PRINCE)
        await running.sign_up(PRIYA, skills=(SHOPPING, "Phone befriending"))
        await running.sign_up(PRINCE)
        await running.post_need(PRIYA_K, area="Keyford", description="A lift to the dentist")
        yield running
        assert not running.errors.records, running.errors.describe()
        assert refused_messages(running.request.calls) == []


def asked(bot: BotUnderTest, need_id: int) -> dict[int, str]:
    return dict(bot.rows("SELECT volunteer_id, status FROM proposals WHERE need_id=?", (need_id,)))


def vetted(bot: BotUnderTest, who: Person) -> bool:
    return bool(bot.rows("SELECT vetted FROM volunteers WHERE user_id=?", (who.id,))[0][0])


def blocked(bot: BotUnderTest, who: Person) -> bool:
    return bool(bot.rows("SELECT blocked FROM people WHERE id=?", (who.id,))[0][0])


# --- the rule, as plain data -------------------------------------------------------------------


def known(user_id: int, name: str, username: str | None = None, **kw: object) -> Known:
    return Known(user_id=user_id, first_name=name, username=username, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@priya_k", PersonRef(RefKind.USERNAME, "priya_k")),
        ("5550001", PersonRef(RefKind.ID, "5550001")),
        ("id5550001", PersonRef(RefKind.ID, "5550001")),
        ("Priya", PersonRef(RefKind.NAME, "Priya")),
        ("Mary Ann", PersonRef(RefKind.NAME, "Mary Ann")),
        ("#12", None),
        ("@x", None),  # too short to be a username
        ("!!!", None),
        ("", None),
    ],
)
def test_what_a_coordinator_typed_is_read_as_a_person(
    typed: str, expected: PersonRef | None
) -> None:
    assert parse_ref(typed) == expected


def test_an_exact_first_name_comes_before_one_it_starts() -> None:
    people = [known(1, "Priya"), known(2, "Priyanka"), known(3, "PRIYA", "p3")]
    found = match(PersonRef(RefKind.NAME, "priya"), people)
    assert found.outcome is Outcome.SEVERAL
    assert {p.user_id for p in found.people} == {1, 3}  # not Priyanka
    assert match(PersonRef(RefKind.NAME, "priyan"), people).person == people[1]
    assert match(PersonRef(RefKind.NAME, "p3"), people).person == people[2]  # a bare username
    assert match(PersonRef(RefKind.USERNAME, "P3"), people).person == people[2]
    assert match(PersonRef(RefKind.ID, "2"), people).person == people[1]
    assert match(PersonRef(RefKind.NAME, "Zed"), people).outcome is Outcome.NOBODY
    # Names in any script, in any case; a later word of a double name.
    assert match(PersonRef(RefKind.NAME, "оля"), [known(4, "Оля")]).person is not None
    assert match(PersonRef(RefKind.NAME, "ann"), [known(5, "Mary Ann")]).person is not None


def test_several_are_listed_with_the_most_telling_first() -> None:
    people = [
        known(1, "Sam", standing=Standing.RESIDENT),
        known(2, "Sam", standing=Standing.COORDINATOR),
        known(3, "Sam", standing=Standing.VOLUNTEER),
    ]
    found = match(PersonRef(RefKind.NAME, "sam"), people)
    assert [p.user_id for p in found.people] == [2, 3, 1]


# --- /assign -----------------------------------------------------------------------------------


@pytest.mark.parametrize("named", ["@prince_of_frome", "Prince", "prince", "PRIN", str(PRINCE.id)])
async def test_assign_takes_a_username_a_first_name_or_an_id(bot: BotUnderTest, named: str) -> None:
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")  # nobody's skill
    await bot.say(ALICE, f"/assign #{need_id} {named}")
    assert bot.last_text(ALICE) == texts.ASSIGNED.format(name=reach(PRINCE), id=need_id)
    assert "@prince_of_frome" in plain(bot.last_text(ALICE))
    assert asked(bot, need_id) == {PRINCE.id: "open"}


async def test_assign_names_someone_without_a_username_by_link_and_id(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")
    await bot.say(ALICE, f"/assign {need_id} Priya")  # the resident Priya is no volunteer
    said = bot.last_text(ALICE)
    assert f'<a href="tg://user?id={PRIYA.id}">Priya</a>' in said
    assert f"(id {PRIYA.id})" in plain(said)  # what to type, since a link may not open
    assert asked(bot, need_id) == {PRIYA.id: "open"}


async def test_a_name_that_fits_two_volunteers_offers_a_button_for_each(
    bot: BotUnderTest,
) -> None:
    await bot.sign_up(PRIYA_K, areas=("Keyford",))
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")
    before = bot.snapshot()
    await bot.say(ALICE, f"/assign {need_id} priya")
    question = bot.last(ALICE)
    assert question.text == texts.WHO_DO_YOU_MEAN.format(typed="priya")
    assert labels(question) == ["Priya (Trinity, volunteer)", "Priya @priya_k (Keyford, volunteer)"]
    assert bot.snapshot() == before  # nobody asked yet

    await bot.press(ALICE, "Priya @priya_k (Keyford, volunteer)")
    assert asked(bot, need_id) == {PRIYA_K.id: "open"}
    assert bot.last_text(ALICE) == texts.ASSIGNED.format(name=reach(PRIYA_K), id=need_id)
    assert labels(bot.request.messages[(ALICE.id, question.message_id)]) == []


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        ("Zed", texts.NOBODY_CALLED.format(typed="Zed")),
        ("@nobody_here", texts.NOBODY_WITH_USERNAME.format(typed="nobody_here")),
        ("424242", texts.NOBODY_WITH_ID.format(typed="424242")),
        ("!!", texts.NOT_A_PERSON.format(typed="!!")),
    ],
)
async def test_a_name_that_fits_nobody_gets_a_kind_answer_with_how_to_write_it(
    bot: BotUnderTest, named: str, expected: str
) -> None:
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")
    before = bot.snapshot()
    await bot.say(ALICE, f"/assign {need_id} {named}")
    assert bot.last_text(ALICE) == expected + "\n\n" + texts.ASSIGN_USAGE
    assert bot.snapshot() == before


# --- /vetted -----------------------------------------------------------------------------------


async def test_vetted_by_first_name_and_off_again(bot: BotUnderTest) -> None:
    await bot.say(ALICE, "/vetted priya")  # the volunteer, not the resident of the same name
    assert bot.last_text(ALICE) == texts.VETTED_ON.format(name=reach(PRIYA))
    assert vetted(bot, PRIYA)
    await bot.say(ALICE, "/vetted Priya off")
    assert bot.last_text(ALICE) == texts.VETTED_OFF.format(name=reach(PRIYA))
    assert not vetted(bot, PRIYA)
    await bot.say(ALICE, "/vetted @priya_k")  # named exactly: the answer says what is wrong
    assert bot.last_text(ALICE) == texts.NOT_A_VOLUNTEER_NAMED.format(name=reach(PRIYA_K))


async def test_vetted_with_a_prefix_that_fits_two_asks_which(bot: BotUnderTest) -> None:
    await bot.say(ALICE, "/vetted pri")
    assert labels(bot.last(ALICE)) == [
        "Prince @prince_of_frome (Trinity, volunteer)",
        "Priya (Trinity, volunteer)",
    ]
    await bot.press(ALICE, "Prince @prince_of_frome (Trinity, volunteer)")
    assert vetted(bot, PRINCE) and not vetted(bot, PRIYA)


# --- /block and /unblock -----------------------------------------------------------------------


async def test_block_by_a_name_two_people_share_keeps_the_reason_for_the_one_chosen(
    bot: BotUnderTest,
) -> None:
    await bot.say(ALICE, "/block Priya rude on the phone")
    assert labels(bot.last(ALICE)) == [
        "Priya (Trinity, volunteer)",
        "Priya @priya_k (Keyford, resident)",
    ]
    assert not blocked(bot, PRIYA) and not blocked(bot, PRIYA_K)
    await bot.press(ALICE, "Priya @priya_k (Keyford, resident)")
    assert blocked(bot, PRIYA_K) and not blocked(bot, PRIYA)
    assert bot.last_text(ALICE) == texts.BLOCKED_DONE.format(name=reach(PRIYA_K))
    assert bot.rows("SELECT detail FROM audit_log WHERE action='block'") == [("rude on the phone",)]

    # /unblock looks among the blocked first: "Priya" means the one who is blocked.
    await bot.say(ALICE, "/unblock priya")
    assert not blocked(bot, PRIYA_K)
    assert bot.last_text(ALICE) == texts.UNBLOCKED_DONE.format(name=reach(PRIYA_K))
    await bot.say(ALICE, "/unblock @priya_k")
    assert bot.last_text(ALICE) == texts.BLOCK_PROBLEMS["not_blocked"].format(
        id=PRIYA_K.id, name=reach(PRIYA_K)
    )


async def test_block_by_username(bot: BotUnderTest) -> None:
    await bot.say(ALICE, "/block @PRINCE_OF_FROME")  # usernames ignore case
    assert blocked(bot, PRINCE)


# --- only coordinators -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "/assign {need} Prince",
        "/assign {need} @prince_of_frome",
        "/vetted Priya",
        "/vetted pri",
        "/block Priya",
        "/block @priya_k",
        "/unblock Priya",
    ],
)
async def test_a_volunteer_or_liaison_naming_someone_changes_nothing(
    bot: BotUnderTest, command: str
) -> None:
    await bot.agree(LIZ)
    await bot.store.people.grant(LIZ.id, Role.LIAISON, bot.clock.now())
    need_id = await bot.post_need(RESIDENT, category="Dog walking & pets")
    before = bot.snapshot()
    for who in (PRINCE, LIZ):
        await bot.say(who, command.format(need=need_id))
        assert bot.last_text(who) == texts.NOT_ALLOWED
    assert bot.snapshot() == before


async def test_a_pick_button_pressed_by_anyone_else_changes_nothing(bot: BotUnderTest) -> None:
    await bot.say(ALICE, "/block Priya")
    question = bot.last(ALICE)
    before = bot.snapshot()
    mark = bot.mark()
    data = question.callback_for("Priya (Trinity, volunteer)")
    await bot.press_data(PRINCE, data, question)
    assert bot.answers_since(mark) == [texts.NOT_ALLOWED]
    assert bot.snapshot() == before
    # A forged or garbled one from a coordinator changes nothing either.
    await bot.press_data(ALICE, "v1:pick:zzz", question)
    await bot.press_data(ALICE, "v1:pick:b", question)
    assert bot.answers_since(mark)[-2:] == [texts.STALE_BUTTON, texts.STALE_BUTTON]
    assert not blocked(bot, PRIYA) and not blocked(bot, PRIYA_K)
