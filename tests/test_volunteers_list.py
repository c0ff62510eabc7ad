"""/volunteers [words]: paged, searched by name, skill, area or state, each with its status,
tasks and hours in 30 days and its actions; /approve with `Approve all`. Through the real
bot; refused to anyone but a coordinator."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from support.bot import RESIDENT, BotUnderTest, labels, plain, refused_messages

from bot.sandbox import Person, Sent
from domain.models import Role
from handlers import texts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

ALICE = Person(9100001, "Alice")
LIZ = Person(6900099, "Liz")
SHOPPING = "Shopping & essentials"
PETS = "Dog walking & pets"
AREAS = ("Trinity", "Keyford", "Badcox")


def crowd(count: int, start: int = 6900001) -> list[Person]:
    return [
        Person(start + i, f"Vol{i:02d}", f"vol{i:02d}" if i % 2 else None) for i in range(count)
    ]


async def sign_up_crowd(bot: BotUnderTest, people: list[Person]) -> None:
    for i, who in enumerate(people):
        await bot.agree(who)
        skills = (SHOPPING,) if i % 3 else (SHOPPING, PETS)
        await bot.sign_up(who, skills=skills, areas=(AREAS[i % 3],))


def shown_since(bot: BotUnderTest, mark: int) -> list[Sent]:
    ids = {int(c.params["chat_id"]) for c in bot.calls_since(mark, "sendMessage")}
    assert ids <= {ALICE.id}
    return bot.screen(ALICE)[-len(bot.calls_since(mark, "sendMessage")) :]


async def test_volunteers_are_paged_ten_at_a_time(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE)
        people = crowd(23)
        await sign_up_crowd(bot, people)

        mark = bot.mark()
        await bot.say(ALICE, "/volunteers")
        page = shown_since(bot, mark)
        assert plain(page[0].text) == "Volunteers: 23 (page 1 of 3)"
        assert len(page) == 12  # the heading, ten volunteers, the page's buttons
        assert [plain(m.text).split(" ·")[0] for m in page[1:3]] == [
            f"Vol00 (id {people[0].id})",
            "Vol01 @vol01",
        ]
        assert labels(page[1]) == ["Vet", "Block"]
        assert labels(page[-1]) == ["Next ›"]

        mark = bot.mark()
        await bot.press(ALICE, "Next ›", page[-1])
        second = shown_since(bot, mark)
        assert plain(second[0].text) == "Volunteers: 23 (page 2 of 3)"
        assert labels(second[-1]) == ["‹ Previous", "Next ›"]
        assert labels(bot.request.messages[(ALICE.id, page[-1].message_id)]) == []

        mark = bot.mark()
        await bot.press(ALICE, "Next ›", second[-1])
        third = shown_since(bot, mark)
        assert len(third) == 5 and labels(third[-1]) == ["‹ Previous"]
        assert "Vol22" in third[-2].text
        assert not bot.errors.records, bot.errors.describe()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Keyford", {1, 4}),
        ("dog keyford", set()),
        ("dog trinity", {0, 3}),
        ("vol04", {4}),
        ("@vol03", {3}),
        ("VOL0", {0, 1, 2, 3, 4, 5}),
    ],
)
async def test_volunteers_by_name_skill_or_area(
    start_bot: StartBot, words: str, expected: set[int]
) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(ALICE)
        people = crowd(6)
        await sign_up_crowd(bot, people)
        mark = bot.mark()
        await bot.say(ALICE, f"/volunteers {words}")
        said = [plain(t) for t in bot.sent_since(mark, ALICE.id)]
        if not expected:
            assert said == [plain(texts.VOLUNTEERS_NONE.format(words=words))]
            return
        assert said[0].startswith(f"Volunteers matching “{words}”: {len(expected)}")
        listed = {
            i for i, who in enumerate(people) for line in said[1:] if f"{who.first_name} " in line
        }
        assert listed == expected


async def test_a_volunteers_line_says_status_tasks_and_hours(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        priya, sam = Person(6900101, "Priya", "priya_k"), Person(6900102, "Sam")
        await bot.agree(ALICE, RESIDENT, priya, sam)
        await bot.sign_up(priya)
        await bot.sign_up(sam)
        await bot.say(ALICE, "/approve Priya")
        assert bot.last_text(ALICE) == texts.APPROVED.format(
            name=texts.reach("Priya", "priya_k", priya.id)
        )
        await bot.post_need(RESIDENT)
        await bot.press(priya, "Accept")
        await bot.press(priya, "Done")
        await bot.press(priya, "2 hours")
        await bot.say(priya, "/pause")

        await bot.say(ALICE, "/volunteers")
        lines = [plain(m.text) for m in bot.screen(ALICE)[-2:]]
        # Waiting for approval first.
        assert lines[0].startswith(f"Sam (id {sam.id}) · waiting for approval")
        assert lines[1].startswith("Priya @priya_k · paused")
        assert "Shopping & essentials" in lines[1] and "Trinity" in lines[1]
        assert lines[1].endswith("Open tasks: 0. Last 30 days: 1 tasks, 2 hours.")
        assert labels(bot.screen(ALICE)[-2]) == ["Approve", "Reject", "Vet", "Block"]

        await bot.say(ALICE, "/volunteers pending")
        assert plain(bot.last_text(ALICE)).startswith("Sam")
        await bot.press(ALICE, "Approve")
        assert bot.rows("SELECT approved FROM volunteers WHERE user_id=?", (sam.id,)) == [(1,)]
        assert texts.VOLUNTEER_APPROVED in bot.texts(sam)
        assert not bot.errors.records, bot.errors.describe()


async def test_vet_and_block_from_the_list(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id]) as bot:
        priya = Person(6900101, "Priya")
        await bot.agree(ALICE, priya)
        await bot.sign_up(priya)
        await bot.say(ALICE, "/volunteers priya")
        card = bot.last(ALICE)
        await bot.press(ALICE, "Vet", card)
        now = bot.request.messages[(ALICE.id, card.message_id)]
        assert "vetted" in plain(now.text).split("\n")[0]
        assert labels(now) == ["Unvet", "Block"]
        assert bot.rows("SELECT vetted FROM volunteers") == [(1,)]
        await bot.press(ALICE, "Unvet", now)
        assert bot.rows("SELECT vetted FROM volunteers") == [(0,)]

        await bot.press(ALICE, "Block", card)
        assert bot.last_text(ALICE) == texts.BLOCK_ASK.format(
            who=texts.reach("Priya", None, priya.id)
        )
        assert bot.rows("SELECT blocked FROM people WHERE id=?", (priya.id,)) == [(0,)]
        await bot.press(ALICE, "Yes, block")
        assert bot.rows("SELECT blocked FROM people WHERE id=?", (priya.id,)) == [(1,)]
        assert bot.last_text(priya) == texts.BLOCKED_NOTICE
        assert not bot.errors.records, bot.errors.describe()


# --- /approve and Approve all ------------------------------------------------------------------


async def test_approve_all_says_how_many_and_asks_first(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await bot.agree(ALICE, RESIDENT)
        need_id = await bot.post_need(RESIDENT)
        people = crowd(12)
        await sign_up_crowd(bot, people)

        mark = bot.mark()
        await bot.say(ALICE, "/approve")
        said = bot.sent_since(mark, ALICE.id)
        assert len(said) == 10 + 2  # ten with their own buttons, how many more, Approve all
        assert said[10] == texts.APPROVE_MORE.format(count=2)
        assert labels(bot.last(ALICE)) == ["Approve all 12"]

        await bot.press(ALICE, "Approve all 12")
        assert bot.last_text(ALICE) == texts.APPROVE_ALL_ASK.format(count=12)
        assert labels(bot.last(ALICE)) == ["Yes, approve 12", "No"]
        assert bot.count("volunteers", "approved=1") == 0

        # One more signs up before the answer: the question is asked again, with 13.
        late = Person(6900200, "Late")
        await sign_up_crowd(bot, [late])
        question = bot.last(ALICE)
        await bot.press(ALICE, "Yes, approve 12", question)
        assert bot.count("volunteers", "approved=1") == 0
        now = bot.request.messages[(ALICE.id, question.message_id)]
        assert now.text == texts.APPROVE_ALL_CHANGED.format(count=13, was=12)
        await bot.press(ALICE, "Yes, approve 13", now)
        assert bot.count("volunteers", "approved=1") == 13
        assert (
            texts.APPROVED_ALL.format(count=13)
            in bot.request.messages[(ALICE.id, question.message_id)].text
        )
        for who in [*people, late]:
            assert texts.VOLUNTEER_APPROVED in bot.texts(who)
        assert bot.count("proposals", "need_id=?", (need_id,)) > 0  # matched at once
        assert bot.count("audit_log", "action='approve'") == 13

        mark = bot.mark()
        await bot.press_data(ALICE, now.callback_for("Yes, approve 13"), now)
        assert bot.answers_since(mark) == [texts.ALREADY_HANDLED]
        assert not bot.errors.records, bot.errors.describe()


async def test_approve_by_name(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        priya = Person(6900101, "Priya")
        await bot.agree(ALICE, priya)
        await bot.sign_up(priya)
        before = bot.snapshot()
        await bot.say(ALICE, "/approve Zed")
        assert bot.last_text(ALICE) == (
            texts.NOBODY_CALLED.format(typed="Zed") + "\n\n" + texts.APPROVE_USAGE
        )
        assert bot.snapshot() == before
        await bot.say(ALICE, "/approve priya")
        assert bot.count("volunteers", "approved=1") == 1
        await bot.say(ALICE, "/approve priya")
        assert bot.last_text(ALICE) == texts.NOT_PENDING.format(
            name=texts.reach("Priya", None, priya.id)
        )
        assert not bot.errors.records, bot.errors.describe()


@pytest.mark.parametrize(
    "command", ["/volunteers", "/volunteers Trinity", "/approve", "/approve Vol00"]
)
async def test_a_volunteer_or_liaison_cannot_list_or_approve(
    start_bot: StartBot, command: str
) -> None:
    async with start_bot(coordinator_ids=[ALICE.id], volunteer_approval=True) as bot:
        await bot.agree(ALICE, LIZ)
        await bot.store.people.grant(LIZ.id, Role.LIAISON, bot.clock.now())
        people = crowd(3)
        await sign_up_crowd(bot, people)
        await bot.say(ALICE, "/approve")
        listed = bot.last(ALICE)
        before = bot.snapshot()
        for who in (people[0], LIZ):
            await bot.say(who, command)
            assert bot.last_text(who) == texts.NOT_ALLOWED
            mark = bot.mark()
            for data in (
                "v1:aprall:3",
                "v1:apraly:3",
                f"v1:vvet:{people[1].id}y",
                f"v1:vblky:{people[1].id}",
                "v1:vpage:2",
                f"v1:apr:{people[1].id}",
            ):
                await bot.press_data(who, data, listed)
            assert set(bot.answers_since(mark)) == {texts.NOT_ALLOWED}
        assert bot.snapshot() == before
        assert refused_messages(bot.request.calls) == []
