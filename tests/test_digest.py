"""The coordinators' digest: daily at the digest time (a row of timed work), and /digest.

The bot runs offline (tests/support/bot.py) with a clock the test moves; timed work runs
the way the `tick` job runs it. Local time is Europe/London, so the digest is at 08:00 GMT
in winter and 07:00 UTC in summer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

from support.bot import (
    NEIGHBOUR,
    RESIDENT,
    BotUnderTest,
    FakeClock,
    html_problems,
    plain,
    refused_messages,
)

from bot.sandbox import Person
from domain.lifecycle import window_for
from domain.models import Role, When
from handlers import jobs, texts
from handlers.context import Ctx
from handlers.digest import MAX_ITEMS, split_message

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

CORA = Person(9100001, "Cora")  # a configured coordinator
COORDINATORS = [CORA.id]
ANNA = Person(6700011, "Anna")
BEN = Person(6700012, "Ben")
LIA = Person(8800001, "Lia")
SHOPPING = "Shopping & essentials"
# START is Wednesday 12 March 2025, 09:30 GMT; the first digest is Thursday's at 08:00.
THURSDAY_8 = datetime(2025, 3, 13, 8, 0, tzinfo=UTC)


async def run_due(bot: BotUnderTest) -> int:
    return await jobs.run_due_work(Ctx(application=bot.app))


async def at(bot: BotUnderTest, moment: datetime) -> int:
    assert moment >= bot.clock.now()
    bot.clock.advance(moment - bot.clock.now())
    return await run_due(bot)


def digests(bot: BotUnderTest, who: Person) -> list[str]:
    """The first message of each digest on `who`'s screen, as read."""
    return [plain(t) for t in bot.texts(who) if plain(t).startswith("Digest for")]


def digest_rows(bot: BotUnderTest) -> list[tuple[str, str]]:
    """Pending daily digests: (due, payload)."""
    return bot.rows(
        "SELECT due_at, payload FROM scheduled_work WHERE kind='digest' AND done_at IS NULL"
    )


def no_errors(bot: BotUnderTest) -> None:
    assert not bot.errors.records, bot.errors.describe()


async def test_the_daily_digest_comes_at_the_digest_time_once(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=COORDINATORS) as bot:
        # Booked on start, for the next 08:00 (local, GMT in March).
        assert [r[0] for r in digest_rows(bot)] == ["2025-03-13T08:00:00+00:00"]
        await at(bot, THURSDAY_8 - timedelta(seconds=1))
        assert digests(bot, CORA) == []
        await at(bot, THURSDAY_8)
        assert len(digests(bot, CORA)) == 1
        await run_due(bot)
        assert len(digests(bot, CORA)) == 1
        # The next is booked for Friday at 08:00, counting "done" from this one.
        assert digest_rows(bot) == [
            ("2025-03-14T08:00:00+00:00", '{"since": "2025-03-13T08:00:00+00:00"}')
        ]
        await at(bot, THURSDAY_8 + timedelta(days=1))
        assert len(digests(bot, CORA)) == 2
        no_errors(bot)


async def test_the_digest_time_is_local_time_across_daylight_saving(
    start_bot: StartBot, clock: FakeClock
) -> None:
    async with start_bot(coordinator_ids=COORDINATORS, digest_time="07:30") as bot:
        # Saturday 29 March 07:30 GMT, in quiet hours (to 08:00): sent at 08:00 GMT.
        await at(bot, datetime(2025, 3, 29, 7, 30, tzinfo=UTC))
        assert digests(bot, CORA) == []
        await at(bot, datetime(2025, 3, 29, 8, 0, tzinfo=UTC))
        assert len(digests(bot, CORA)) == 1
        # On Sunday the clocks go forward: 07:30 is 06:30 UTC, and quiet hours end at 08:00
        # BST, 07:00 UTC.
        assert [r[0] for r in digest_rows(bot)] == ["2025-03-30T06:30:00+00:00"]
        await at(bot, datetime(2025, 3, 30, 6, 59, 59, tzinfo=UTC))
        assert len(digests(bot, CORA)) == 1
        await at(bot, datetime(2025, 3, 30, 7, 0, tzinfo=UTC))
        assert len(digests(bot, CORA)) == 2
        assert "Sun 30 Mar, 08:00" in digests(bot, CORA)[-1]
        no_errors(bot)


async def test_a_digest_due_while_the_bot_was_down_is_sent_once(
    start_bot: StartBot, clock: FakeClock
) -> None:
    async with start_bot(coordinator_ids=COORDINATORS) as first:
        telegram = first.request
    # Down from Wednesday morning until Sunday 10:00: three digests fell due.
    clock.advance(datetime(2025, 3, 16, 10, 0, tzinfo=UTC) - clock.now())
    async with start_bot(coordinator_ids=COORDINATORS, request=telegram) as second:
        assert len(digest_rows(second)) == 1  # starting again books nothing more
        assert digests(second, CORA) == []
        await run_due(second)
        await run_due(second)
        assert len(digests(second, CORA)) == 1
        assert [r[0] for r in digest_rows(second)] == ["2025-03-17T08:00:00+00:00"]
        no_errors(second)


async def test_a_coordinator_who_blocked_the_bot_does_not_stop_the_digests(
    start_bot: StartBot,
) -> None:
    other = Person(9100002, "Olly")
    async with start_bot(coordinator_ids=[CORA.id, other.id]) as bot:
        bot.request.blocked.add(CORA.id)
        await at(bot, THURSDAY_8)
        assert digests(bot, CORA) == [] and len(digests(bot, other)) == 1
        assert [r[0] for r in digest_rows(bot)] == ["2025-03-14T08:00:00+00:00"]
        no_errors(bot)


# --- what is in it ---------------------------------------------------------------------------


async def test_every_section_with_nothing_says_so_in_one_line(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=COORDINATORS) as bot:
        await bot.agree(CORA)
        await bot.say(CORA, "/digest")
        text = plain(bot.last_text(CORA))
        assert text.splitlines()[2:] == [
            "Waiting for a volunteer: none.",
            "",
            "Held for a coordinator: none.",
            "",
            "Referred by the council: none.",
            "",
            "Accepted but overdue: none.",
            "",
            "Done since Tue 11 Mar, 09:30: none.",
            "",
            "Volunteers waiting for approval: none.",
            "",
            "Open concerns: none.",
            "",
            "Gaps: open requests with no eligible volunteer: none.",
        ]
        no_errors(bot)


async def test_the_digest_lists_what_needs_a_human_grouped_by_area(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=COORDINATORS, volunteer_approval=True) as bot:
        await bot.agree(CORA, RESIDENT, NEIGHBOUR)
        await bot.agree(ANNA, BEN)
        await bot.sign_up(ANNA, areas=("Trinity",))
        assert await bot.store.volunteers.set_approved(ANNA.id, True)
        await bot.sign_up(BEN, skills=("Dog walking & pets",), areas=("Keyford",))  # pending

        # Accepted today, never reported: overdue a day after the follow-up (midnight).
        late = await bot.post_need(RESIDENT, description="Milk")
        await run_due(bot)
        await bot.press(ANNA, "Accept")
        # Accepted and done, an hour's work.
        bot.clock.advance(timedelta(hours=1))
        done = await bot.post_need(NEIGHBOUR, description="Stamps")
        await run_due(bot)
        await bot.press(ANNA, "Accept")
        await bot.press(ANNA, "Done", bot.messages_containing(ANNA, f"#{done}")[-1])
        await bot.press(ANNA, "1 hour")
        # Waiting: nobody does prescriptions; the older one in Oakfield, a newer in Trinity.
        bot.clock.advance(timedelta(hours=1))
        oakfield = await bot.post_need(RESIDENT, "Prescriptions", "Oakfield", "Pills", "This week")
        bot.clock.advance(timedelta(hours=2))
        trinity = await bot.post_need(NEIGHBOUR, "Prescriptions", "Trinity", "Cream", "This week")
        await bot.store.needs.add_concern(
            done, NEIGHBOUR.id, "Left at <the> wrong door", bot.clock.now()
        )
        # A coordinator's note on a waiting need comes with its line.
        await bot.say(CORA, f"#{oakfield}")
        await bot.press(CORA, "Add note")
        await bot.say(CORA, "Rang the surgery: ready on Friday")

        # Thursday's digest: what was done on Wednesday, with its hours; nothing overdue yet.
        await at(bot, THURSDAY_8)
        thursday = digests(bot, CORA)
        assert len(thursday) == 1
        assert f"#{done} Shopping & essentials, Trinity, 21 h; 1 hour" in thursday[0]
        assert "1 volunteer hour in all." in thursday[0]
        assert "Accepted but overdue: none." in thursday[0]

        await at(bot, THURSDAY_8 + timedelta(days=1))  # Friday 08:00
        messages = digests(bot, CORA)
        assert len(messages) == 2
        lines = messages[-1].splitlines()
        assert lines[0] == "Digest for Frome Mutual Aid · Fri 14 Mar, 08:00"

        def section(title: str) -> list[str]:
            start = next(i for i, line in enumerate(lines) if line.startswith(title))
            end = lines.index("", start) if "" in lines[start:] else len(lines)
            return lines[start:end]

        # Oldest first within each area; areas in the community file's order.
        assert section("Waiting for a volunteer") == [
            "Waiting for a volunteer: 2 (oldest first) – /open",
            "Trinity",
            f"#{trinity} Prescriptions, Trinity, 42 h; wanted: any day up to Tue 18 Mar",
            "Oakfield",
            f"#{oakfield} Prescriptions, Oakfield, 44 h; wanted: any day up to Tue 18 Mar",
            "   📝 Rang the surgery: ready on Friday",
        ]
        assert section("Accepted but overdue") == [
            "Accepted but overdue: 1",
            "Trinity",
            f"#{late} Shopping & essentials, Trinity, 46 h; with Anna (id {ANNA.id}), overdue 8 h",
        ]
        assert section("Done since") == [
            "Done since Thu 13 Mar, 08:00: none.",
        ]
        assert section("Volunteers waiting for approval") == [
            "Volunteers waiting for approval: 1 – /approve",
            f"Ben (id {BEN.id}): Dog walking & pets; Keyford; waiting 46 h",
        ]
        assert section("Open concerns") == [
            "Open concerns: 1 – /concerns",
            "Trinity",
            f"#{done}, from Harold @harold_k, 42 h ago: Left at <the> wrong door",
        ]
        assert section("Gaps") == [
            "Gaps: open requests with no eligible volunteer: 2",
            "Trinity",
            "Prescriptions in Trinity: 1 waiting",
            "Oakfield",
            "Prescriptions in Oakfield: 1 waiting",
        ]
        assert refused_messages(bot.request.calls) == []
        no_errors(bot)


async def test_digest_is_for_coordinators_only_checked_at_the_time(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=COORDINATORS) as bot:
        await bot.agree(RESIDENT, LIA)
        await bot.store.people.grant(LIA.id, Role.LIAISON, bot.clock.now())
        for who in (RESIDENT, LIA):
            mark = bot.mark()
            await bot.say(who, "/digest")
            sent = bot.sent_since(mark, who.id)
            assert len(sent) == 1 and "Digest" not in sent[0]
            assert "only for" in sent[0]
        # Made a coordinator by invite (here: granted): the very next /digest works.
        await bot.store.people.grant(RESIDENT.id, Role.COORDINATOR, bot.clock.now())
        await bot.say(RESIDENT, "/digest")
        assert bot.last_text(RESIDENT).startswith("<b>Digest for")
        no_errors(bot)


async def test_a_long_digest_is_split_between_items(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=COORDINATORS) as bot:
        await bot.agree(CORA, RESIDENT)
        now = bot.clock.now()
        areas = ["Trinity", "Badcox", "Keyford"]
        categories = ["Transport to appointments", "Phone befriending"]  # vetted only
        ids = []
        for i in range(MAX_ITEMS + 20):
            bot.clock.advance(timedelta(minutes=1))
            need = await bot.store.needs.create(
                RESIDENT.id,
                categories[i % 2],
                areas[i % 3],
                "Lift to the surgery",
                When.THIS_WEEK,
                window_for(When.THIS_WEEK, bot.clock.now(), bot.services.tz),
                bot.clock.now(),
            )
            ids.append(need.id)
        assert bot.clock.now() > now
        mark = bot.mark()
        await bot.say(CORA, "/digest")
        sent = bot.sent_since(mark, CORA.id)
        assert len(sent) >= 2
        for text in sent:
            assert html_problems(text) == []
            assert len(text) <= 4096
        read = [plain(t) for t in sent]
        # Split between whole lines: every waiting item is whole, in order within its area.
        item = re.compile(
            r"^#(\d+) (Transport to appointments|Phone befriending), (\w+), \d+ \w+; wanted: .+$"
        )
        shown = [int(m[1]) for t in read for line in t.splitlines() if (m := item.match(line))]
        assert len(shown) == MAX_ITEMS and len(set(shown)) == MAX_ITEMS
        assert "…and 20 more." in read[-1] or any("…and 20 more." in t for t in read)
        # A message that goes on with a section says so.
        assert any(t.startswith("Waiting for a volunteer (continued)") for t in read[1:])
        no_errors(bot)


def test_split_message_keeps_sections_whole_when_they_fit() -> None:
    blocks = [["<b>Title</b>"], ["<b>A: 2</b>", "a1", "a2"], ["<b>B: 1</b>", "b" * 30]]
    assert split_message(blocks, limit=4096) == [
        "<b>Title</b>\n\n<b>A: 2</b>\na1\na2\n\n<b>B: 1</b>\n" + "b" * 30
    ]
    # With room for about two sections a message, sections move whole to the next one.
    assert split_message(blocks, limit=50) == [
        "<b>Title</b>\n\n<b>A: 2</b>\na1\na2",
        "<b>B: 1</b>\n" + "b" * 30,
    ]
    # A section longer than a message is split between its items, its title repeated.
    long = [["<b>Waiting: 5</b>", *(f"item {i}" for i in range(5))]]
    parts = split_message(long, limit=40)
    assert parts[0].startswith("<b>Waiting: 5</b>\nitem 0")
    assert all(p.startswith("<b>Waiting</b> (continued)") for p in parts[1:])
    assert [line for p in parts for line in p.splitlines() if line.startswith("item")] == [
        f"item {i}" for i in range(5)
    ]
    assert all(len(p) <= 40 for p in parts)
    assert texts.DIGEST_CONTINUED.startswith("<b>{title}</b>")
