"""Time as people read it: dates said relative to the moment a message is sent, and quiet
hours for everything nobody asked for just then (product.md, "Time as people read it").

The real Application with a clock the test moves; timed work runs the way the `tick` job
runs it. Local time is Europe/London; quiet hours are the default 21:00-08:00 unless a test
turns them off (`quiet_hours=None`, MUTUALAID_QUIET_HOURS=off).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.bot import RESIDENT, START, BotUnderTest, FakeClock, labels, plain, running_bot

from bot.sandbox import Person
from domain.models import Role
from handlers import jobs, texts
from handlers.context import Ctx
from storage.db import ts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

LONDON = ZoneInfo("Europe/London")
SECOND = timedelta(seconds=1)
SHOPPING = "Shopping & essentials"
ANNA = Person(6700011, "Anna")
BEN = Person(6700012, "Ben")
CORA = Person(9100001, "Cora")
LIA = Person(8800001, "Lia")
WED = date(2025, 3, 12)  # the day tests start (START, 09:30 GMT)
QUIET = {"on": {}, "off": {"quiet_hours": None}}


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A London wall-clock time on `day`, as UTC."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=LONDON).astimezone(UTC)


async def at(bot: BotUnderTest, moment: datetime) -> None:
    """Move the clock to `moment` and run what is due, as the tick would."""
    assert moment >= bot.clock.now(), "the clock only moves forward"
    bot.clock.advance(moment - bot.clock.now())
    await jobs.run_due_work(Ctx(application=bot.app))


def no_errors(bot: BotUnderTest) -> None:
    assert not bot.errors.records, bot.errors.describe()


def asked(bot: BotUnderTest, need_id: int) -> list[int]:
    rows = bot.rows("SELECT volunteer_id FROM proposals WHERE need_id=? ORDER BY id", (need_id,))
    return [r[0] for r in rows]


def status(bot: BotUnderTest, need_id: int) -> str:
    return str(bot.rows("SELECT status FROM needs WHERE id=?", (need_id,))[0][0])


def about(bot: BotUnderTest, who: Person, need_id: int, mark: int = 0) -> list[str]:
    """What `who` was sent about this need after the bookmark, as read."""
    return [plain(t) for t in bot.sent_since(mark, who.id) if f"#{need_id}" in plain(t)]


def time_said(text: str, need_id: int) -> str:
    """The words after `in Trinity, ` in a line about the need: when it is for."""
    line = next(line for line in plain(text).splitlines() if "in Trinity, " in line)
    return line.split("in Trinity, ", 1)[1].rstrip(".").split(":")[0]


async def volunteer(bot: BotUnderTest, *people: Person) -> None:
    for who in people:
        await bot.agree(who)
        await bot.sign_up(who)


# --- dates as the reader reads them --------------------------------------------------------------


async def test_a_tomorrow_need_is_said_to_be_today_in_the_next_mornings_reminder(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await volunteer(bot, ANNA)
    need_id = await bot.post_need(RESIDENT, when="Tomorrow")
    proposal = bot.message_with_button(ANNA, "Accept")
    assert time_said(proposal.text, need_id) == "tomorrow"
    await bot.press(ANNA, "Accept", proposal)
    assert time_said(bot.messages_containing(ANNA, "Doorstep code")[-1].text, need_id) == (
        "tomorrow"
    )

    mark = bot.mark()
    await at(bot, local(WED + timedelta(days=1), 8))
    assert about(bot, ANNA, need_id, mark) == [
        plain(texts.REMINDER.format(id=need_id, category=SHOPPING, area="Trinity", when="today"))
    ]
    mark = bot.mark()
    await bot.say(ANNA, "/tasks")
    (task,) = about(bot, ANNA, need_id, mark)
    assert time_said(task, need_id) == "today"
    no_errors(bot)


async def test_a_this_week_need_proposed_on_its_last_day_is_for_today(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    need_id = await bot.post_need(RESIDENT, when="This week")  # until the end of Tue 18 Mar
    mark = bot.mark()
    await bot.say(RESIDENT, "/mine")
    assert [time_said(t, need_id) for t in about(bot, RESIDENT, need_id, mark)] == [
        "any day up to Tue 18 Mar"
    ]

    await at(bot, local(date(2025, 3, 17), 10))  # Monday: Ben signs up and is asked
    await volunteer(bot, BEN)
    (proposal,) = about(bot, BEN, need_id)
    assert time_said(proposal, need_id) == "today or tomorrow"
    await bot.press(BEN, "Decline")

    await at(bot, local(date(2025, 3, 18), 10))  # Tuesday, the last day: Anna signs up
    await volunteer(bot, ANNA)
    (proposal,) = about(bot, ANNA, need_id)
    assert plain(proposal).startswith(f"Can you help? #{need_id}\n{SHOPPING} in Trinity, today.")
    no_errors(bot)


@pytest.mark.parametrize(
    "start",
    [
        START,  # Wednesday 12 March: GMT all through
        datetime(2025, 3, 29, 12, tzinfo=UTC),  # for Sunday 30 March: the clocks go forward
        datetime(2025, 10, 25, 12, tzinfo=UTC),  # for Sunday 26 October: the clocks go back
    ],
    ids=["winter", "clocks-forward", "clocks-back"],
)
async def test_mine_and_tasks_say_the_day_as_read_across_midnight(
    db_path: Path, start: datetime
) -> None:
    async with running_bot(db_path, clock=FakeClock(start)) as bot:
        await bot.agree(RESIDENT)
        await volunteer(bot, ANNA)
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        await bot.press(ANNA, "Accept")
        day = start.astimezone(LONDON).date() + timedelta(days=1)

        async def read_at(moment: datetime) -> tuple[str, str]:
            await at(bot, moment)
            mark = bot.mark()
            await bot.say(RESIDENT, "/mine")
            await bot.say(ANNA, "/tasks")
            (mine,) = about(bot, RESIDENT, need_id, mark)
            (task,) = about(bot, ANNA, need_id, mark)
            return time_said(mine, need_id), time_said(task, need_id)

        # Asked at night, /mine and /tasks are answers: they are never held.
        assert await read_at(local(day - timedelta(days=1), 23, 59, 59)) == ("tomorrow",) * 2
        assert await read_at(local(day)) == ("today",) * 2
        assert await read_at(local(day, 12)) == ("today",) * 2
        assert await read_at(local(day, 23, 59, 59)) == ("today",) * 2
        assert await read_at(local(day + timedelta(days=1))) == ("was due yesterday",) * 2
        # Two days on, the day is named: "was due on Sun 30 Mar".
        two_days_on = await read_at(local(day + timedelta(days=2), 9))
        assert two_days_on == (f"was due on {day:%a} {day.day} {day:%b}",) * 2
        no_errors(bot)


async def test_the_digest_says_when_each_waiting_need_is_wanted(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await bot.agree(CORA, RESIDENT)
        week = await bot.post_need(RESIDENT, when="This week")
        today = await bot.post_need(RESIDENT, when="Today", description="Bread")
        await at(bot, local(WED + timedelta(days=1), 8))
        (digest,) = [plain(t) for t in bot.sent_since(0, CORA.id) if "Digest for" in t]
        assert f"#{week} {SHOPPING}, Trinity, 22 h; wanted: any day up to Tue 18 Mar" in digest
        assert f"#{today} {SHOPPING}, Trinity, 22 h; wanted: was due yesterday" in digest
        no_errors(bot)


# --- quiet hours: what nobody asked for waits until the morning ----------------------------------


@pytest.mark.parametrize("quiet", ["on", "off"])
async def test_a_follow_up_due_at_midnight_comes_at_eight_once(
    start_bot: StartBot, quiet: str
) -> None:
    async with start_bot(**QUIET[quiet]) as bot:
        await bot.agree(RESIDENT)
        await volunteer(bot, ANNA)
        need_id = await bot.post_need(RESIDENT, when="Today")  # until Thursday 00:00
        await bot.press(ANNA, "Accept")
        thursday = WED + timedelta(days=1)
        followup = plain(texts.FOLLOWUP.format(id=need_id, category=SHOPPING, area="Trinity"))
        mark = bot.mark()

        await at(bot, local(thursday))
        if quiet == "off":
            assert about(bot, ANNA, need_id, mark) == [followup]  # as it always was
            return
        assert about(bot, ANNA, need_id, mark) == [], "nothing at midnight"
        await at(bot, local(thursday, 7, 59, 59))
        assert about(bot, ANNA, need_id, mark) == []
        await at(bot, local(thursday, 8))
        assert about(bot, ANNA, need_id, mark) == [followup]
        assert labels(bot.last(ANNA))[:2] == ["Done", "Couldn't do it"]
        await at(bot, local(thursday, 12))
        assert about(bot, ANNA, need_id, mark) == [followup], "once"

        # The nudge a day later falls at midnight too: it also waits for the morning.
        mark = bot.mark()
        await at(bot, local(thursday + timedelta(days=1), 7, 59, 59))
        assert about(bot, ANNA, need_id, mark) == []
        await at(bot, local(thursday + timedelta(days=1), 8))
        (nudge,) = about(bot, ANNA, need_id, mark)
        assert "nudge" in nudge
        no_errors(bot)


@pytest.mark.parametrize("quiet", ["on", "off"])
async def test_still_need_help_comes_at_eight_and_silence_closes_a_day_after_it_was_asked(
    start_bot: StartBot, quiet: str
) -> None:
    async with start_bot(**QUIET[quiet]) as bot:
        await bot.agree(RESIDENT)
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")  # nobody to ask; to Fri 00:00
        friday = WED + timedelta(days=2)
        mark = bot.mark()
        await at(bot, local(friday))
        asked_at = local(friday) if quiet == "off" else local(friday, 8)
        if quiet == "on":
            assert about(bot, RESIDENT, need_id, mark) == [], "no bad news at midnight"
            await at(bot, asked_at - SECOND)
            assert about(bot, RESIDENT, need_id, mark) == []
            await at(bot, asked_at)
        (question,) = about(bot, RESIDENT, need_id, mark)
        assert "Do you still need help?" in question
        assert labels(bot.last(RESIDENT)) == ["Yes, keep it open", "No, close it"]

        # A day to answer, counted from when it was asked.
        await at(bot, asked_at + timedelta(days=1) - SECOND)
        assert status(bot, need_id) == "open"
        assert len(about(bot, RESIDENT, need_id, mark)) == 1, "asked once"
        await at(bot, asked_at + timedelta(days=1))
        assert status(bot, need_id) == "closed"
        assert about(bot, RESIDENT, need_id, mark)[1:] == [
            plain(texts.AUTO_CLOSED.format(id=need_id, category=SHOPPING))
        ]
        no_errors(bot)


@pytest.mark.parametrize("quiet", ["on", "off"])
async def test_a_seven_oclock_digest_and_weekly_report_wait_for_eight(
    start_bot: StartBot, quiet: str
) -> None:
    async with start_bot(coordinator_ids=[CORA.id], digest_time=time(7), **QUIET[quiet]) as bot:
        await bot.agree(CORA, LIA)
        await bot.store.people.grant(LIA.id, Role.LIAISON, bot.clock.now())

        def digests() -> list[str]:
            return [plain(t) for t in bot.sent_since(0, CORA.id) if "Digest for" in t]

        def weekly() -> list[str]:
            return [plain(t) for t in bot.sent_since(0, LIA.id) if ": last week" in t]

        sent_at = time(8) if quiet == "on" else time(7)
        for day in (WED + timedelta(days=1), WED + timedelta(days=2)):
            count = len(digests())
            await at(bot, local(day, 6, 59, 59))
            await at(bot, local(day, 7))
            if quiet == "on":
                assert len(digests()) == count, "not in quiet hours"
                await at(bot, local(day, 7, 59, 59))
                assert len(digests()) == count
                await at(bot, local(day, 8))
            assert len(digests()) == count + 1
            assert (
                digests()[-1]
                .splitlines()[0]
                .endswith(f"{day:%a} {day.day} {day:%b}, {sent_at:%H:%M}")
            )

        monday = date(2025, 3, 17)
        await at(bot, local(monday, 7))
        assert len(weekly()) == (0 if quiet == "on" else 1)
        await at(bot, local(monday, 8))
        assert len(weekly()) == 1
        await at(bot, local(monday, 12))
        assert len(weekly()) == 1
        no_errors(bot)


@pytest.mark.parametrize("quiet", ["on", "off"])
async def test_a_wave_asked_at_ten_to_nine_moves_on_the_next_morning(
    start_bot: StartBot, quiet: str
) -> None:
    async with start_bot(wave_size=1, wave_timeout=timedelta(minutes=20), **QUIET[quiet]) as bot:
        await bot.agree(RESIDENT)
        await volunteer(bot, ANNA, BEN)
        await at(bot, local(WED, 20, 50))
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        assert len(asked(bot, need_id)) == 1

        await at(bot, local(WED, 21, 10))
        if quiet == "off":
            assert len(asked(bot, need_id)) == 2  # as it always was
            return
        assert len(asked(bot, need_id)) == 1, "a wave does not time out in quiet hours"
        thursday = WED + timedelta(days=1)
        await at(bot, local(thursday, 8, 9, 59))
        assert len(asked(bot, need_id)) == 1
        await at(bot, local(thursday, 8, 10))  # ten minutes were left at 21:00
        _, second = asked(bot, need_id)
        nextone = ANNA if second == ANNA.id else BEN
        (proposal,) = about(bot, nextone, need_id)
        assert time_said(proposal, need_id) == "today"  # a Tomorrow need, read the next day
        no_errors(bot)


async def test_a_wave_timeout_row_falling_due_in_quiet_hours_waits_for_the_morning(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=1) as bot:
        await bot.agree(RESIDENT)
        await volunteer(bot, ANNA, BEN)
        await at(bot, local(WED, 20, 50))
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        # A row booked before wave timeouts skipped quiet hours: due at 22:00.
        changed = await bot.store.db.execute(
            "UPDATE scheduled_work SET due_at=? WHERE kind='wave_timeout' AND done_at IS NULL",
            (ts(local(WED, 22)),),
        )
        assert changed == 1
        await at(bot, local(WED, 22))
        assert len(asked(bot, need_id)) == 1
        thursday = WED + timedelta(days=1)
        await at(bot, local(thursday, 7, 59, 59))
        assert len(asked(bot, need_id)) == 1
        await at(bot, local(thursday, 8))
        assert len(asked(bot, need_id)) == 2
        no_errors(bot)


async def test_an_answer_to_what_someone_just_did_at_eleven_at_night_is_sent_at_once(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await volunteer(bot, ANNA)
    await at(bot, local(WED, 20, 50))
    need_id = await bot.post_need(RESIDENT, when="Tomorrow")
    proposal = bot.message_with_button(ANNA, "Accept")

    await at(bot, local(WED, 23))
    await bot.press(ANNA, "Accept", proposal)
    assert status(bot, need_id) == "accepted"
    assert "Doorstep code" in plain(bot.request.messages[(ANNA.id, proposal.message_id)].text)
    mark = bot.mark()
    await bot.say(RESIDENT, "/mine")
    (line,) = about(bot, RESIDENT, need_id, mark)
    assert line.endswith(texts.STATUS_LABELS["accepted"])
    await bot.say(ANNA, "/tasks")
    await bot.press(ANNA, "Done")
    assert plain(bot.last_text(ANNA)) == plain(texts.ASK_HOURS.format(id=need_id))
    no_errors(bot)
