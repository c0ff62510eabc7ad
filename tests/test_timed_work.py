"""Timed work: wave timeouts, reminders, follow-ups, expiry, escalation, restarts.

Every timed thing is a `scheduled_work` row with a due time. Nothing runs by itself here:
the tests move the bot's clock and then run due work the way the `tick` job does, and read
what people see in the sandbox and what is in the database file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.bot import RESIDENT, BotUnderTest, FakeClock, labels, plain, running_bot

from bot.sandbox import Person, Sent
from domain.models import When
from handlers import jobs, texts
from handlers.context import Ctx
from storage.db import ts

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

LONDON = ZoneInfo("Europe/London")
SECOND = timedelta(seconds=1)
SHOPPING = "Shopping & essentials"
TASK_BUTTONS = ["Done", "Couldn't do it", "Raise a concern"]

# Volunteers. Trinity's neighbours are Town Centre, Badcox and Oakfield; Keyford is not one.
ANNA = Person(6700011, "Anna")  # Trinity
BEN = Person(6700012, "Ben")  # Trinity
CARA = Person(6700013, "Cara")  # Trinity
OLU = Person(6700004, "Olu")  # Oakfield: a neighbour, ranked after Trinity despite a lower id
KIT = Person(6700001, "Kit")  # Keyford: never eligible for Trinity

COORDINATORS = (Person(9100001, "Coordinator"), Person(9100002, "Coordinator"))
COORDINATOR_IDS = [c.id for c in COORDINATORS]


# --- helpers ---------------------------------------------------------------------------------


async def run_due(bot: BotUnderTest) -> int:
    """One tick: every row whose time has come."""
    return await jobs.run_due_work(Ctx(application=bot.app))


async def at(bot: BotUnderTest, moment: datetime) -> int:
    """Move the clock to `moment` (never back) and run the due work."""
    assert moment >= bot.clock.now(), "the clock only moves forward"
    bot.clock.advance(moment - bot.clock.now())
    return await run_due(bot)


async def later(bot: BotUnderTest, delta: timedelta) -> int:
    return await at(bot, bot.clock.now() + delta)


def no_errors(bot: BotUnderTest) -> None:
    assert not bot.errors.records, bot.errors.describe()


async def volunteers(bot: BotUnderTest, *signups: tuple[Person, str]) -> None:
    for who, area in signups:
        await bot.agree(who)
        await bot.sign_up(who, areas=(area,))


def asked(bot: BotUnderTest, need_id: int) -> list[int]:
    """Who has been asked about this need, in the order they were asked."""
    rows = bot.rows("SELECT volunteer_id FROM proposals WHERE need_id=? ORDER BY id", (need_id,))
    return [r[0] for r in rows]


def proposal_statuses(bot: BotUnderTest, need_id: int) -> dict[int, str]:
    return dict(bot.rows("SELECT volunteer_id, status FROM proposals WHERE need_id=?", (need_id,)))


def proposal_on_screen(bot: BotUnderTest, need_id: int, who: Person) -> Sent:
    """The proposal message for this need as it stands now on the volunteer's screen."""
    rows = bot.rows(
        "SELECT chat_id, message_id FROM proposals WHERE need_id=? AND volunteer_id=?",
        (need_id, who.id),
    )
    assert rows and rows[0][1] is not None, f"{who.first_name} was never sent #{need_id}"
    return bot.request.messages[(rows[0][0], rows[0][1])]


def proposals_sent(bot: BotUnderTest, who: Person, need_id: int, mark: int = 0) -> int:
    """How many times Telegram was asked to send this proposal to this volunteer."""
    head = plain(texts.PROPOSAL.format(id=need_id, category="", area="", when="", description=""))
    head = head.split("\n")[0] + "\n"
    return sum(1 for t in bot.sent_since(mark, who.id) if plain(t).startswith(head))


def calls_to(bot: BotUnderTest, who: Person | int, method: str, mark: int = 0) -> int:
    chat_id = who if isinstance(who, int) else who.id
    return sum(
        1 for c in bot.calls_since(mark, method) if int(str(c.params.get("chat_id", 0))) == chat_id
    )


def need_row(bot: BotUnderTest, need_id: int, *columns: str) -> tuple[object, ...]:
    return bot.rows(f"SELECT {', '.join(columns)} FROM needs WHERE id=?", (need_id,))[0]


def window_end(bot: BotUnderTest, need_id: int) -> datetime:
    return datetime.fromisoformat(str(need_row(bot, need_id, "window_end")[0]))


PEOPLE = (RESIDENT, ANNA, BEN, CARA, OLU, KIT)  # everyone but coordinators, who get digests


def heard(bot: BotUnderTest, mark: int) -> list[str]:
    """What the resident and the volunteers were sent after the bookmark."""
    ids = {p.id for p in PEOPLE}
    return [
        str(c.params.get("text", ""))
        for c in bot.calls_since(mark, "sendMessage")
        if int(c.params["chat_id"]) in ids
    ]


def touched(bot: BotUnderTest, mark: int) -> list[str]:
    """Every message sent or edited on the screen of the resident or a volunteer."""
    ids = {p.id for p in PEOPLE}
    return [
        f"{c.method} {c.params.get('chat_id')}: {c.params.get('text', '')}"
        for c in bot.calls_since(mark)
        if c.method != "answerCallbackQuery" and int(str(c.params.get("chat_id", 0))) in ids
    ]


def warnings(bot: BotUnderTest, coordinator: Person, mark: int = 0) -> list[str]:
    """The ⚠️ alerts (not the daily digest) a coordinator was sent after the bookmark."""
    return [t for t in bot.sent_since(mark, coordinator.id) if t.startswith("⚠️")]


def alerts(bot: BotUnderTest, need_id: int, coordinator: Person) -> list[str]:
    """The `no volunteer left` alerts a coordinator has had about this need."""
    return [
        t
        for t in bot.sent_since(0, coordinator.id)
        if f"#{need_id}" in plain(t) and "no volunteer left" in t
    ]


def local(day: date, hour: int = 0) -> datetime:
    """A London wall-clock time on `day`, as UTC."""
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)


async def accept(bot: BotUnderTest, who: Person, need_id: int) -> None:
    await bot.press(who, "Accept", proposal_on_screen(bot, need_id, who))
    assert need_row(bot, need_id, "status", "volunteer_id") == ("accepted", who.id)


# --- waves that nobody answers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "deadline"),
    [("Tomorrow", timedelta(hours=2)), ("Today", timedelta(minutes=20))],
)
async def test_a_silent_wave_widens_at_its_deadline_and_not_before(
    bot: BotUnderTest, when: str, deadline: timedelta
) -> None:
    await bot.agree(RESIDENT)
    await volunteers(bot, (ANNA, "Trinity"), (BEN, "Trinity"), (CARA, "Trinity"), (OLU, "Oakfield"))
    need_id = await bot.post_need(RESIDENT, when=when)
    first_wave = (ANNA, BEN, CARA)
    assert asked(bot, need_id) == [ANNA.id, BEN.id, CARA.id]
    for who in first_wave:
        assert labels(proposal_on_screen(bot, need_id, who)) == ["Accept", "Decline"]

    mark = bot.mark()
    await later(bot, deadline - SECOND)

    assert bot.calls_since(mark, "sendMessage") == []
    assert bot.calls_since(mark, "editMessageText") == []
    assert set(proposal_statuses(bot, need_id).values()) == {"open"}
    assert need_row(bot, need_id, "wave") == (1,)

    await later(bot, SECOND)

    # Olu is asked as well; the first wave keeps its Accept (waves widen the circle).
    assert labels(proposal_on_screen(bot, need_id, OLU)) == ["Accept", "Decline"]
    assert proposals_sent(bot, OLU, need_id, mark) == 1
    for who in first_wave:
        assert labels(proposal_on_screen(bot, need_id, who)) == ["Accept", "Decline"]
        assert bot.sent_since(mark, who.id) == [], "nothing new for the first wave"
    assert calls_to(bot, ANNA, "editMessageText", mark) == 0
    assert set(proposal_statuses(bot, need_id).values()) == {"open"}
    assert need_row(bot, need_id, "status", "wave") == ("open", 2)


async def test_three_waves_of_one_follow_the_ranking(start_bot: StartBot) -> None:
    async with start_bot(wave_size=1, coordinator_ids=COORDINATOR_IDS) as bot:
        await bot.agree(RESIDENT)
        # Olu is a neighbour (lowest id), Anna and Ben are in Trinity, Kit is too far.
        await volunteers(
            bot, (OLU, "Oakfield"), (BEN, "Trinity"), (ANNA, "Trinity"), (KIT, "Keyford")
        )
        # Anna (the lower id of the two in Trinity) helped with something this morning.
        warmup = await bot.post_need(RESIDENT, when="Today")
        assert asked(bot, warmup) == [ANNA.id]
        await accept(bot, ANNA, warmup)
        await bot.say(ANNA, "/tasks")
        await bot.press(ANNA, "Done")
        await bot.press(ANNA, "1 hour")
        assert need_row(bot, warmup, "status") == ("done",)

        need_id = await bot.post_need(RESIDENT, when="Tomorrow", description="Some stamps")
        # Same area first; of those, fewer tasks in the last 30 days; then neighbours.
        expected = [BEN, ANNA, OLU]
        for wave, who in enumerate(expected, start=1):
            assert asked(bot, need_id) == [p.id for p in expected[:wave]]
            assert labels(proposal_on_screen(bot, need_id, who)) == ["Accept", "Decline"]
            assert need_row(bot, need_id, "wave") == (wave,)
            mark = bot.mark()
            await later(bot, timedelta(hours=2) - SECOND)
            assert touched(bot, mark) == [], "nothing moves before the deadline"
            await later(bot, SECOND)
            # Waves widen: everyone asked so far keeps a live Accept, and is not edited.
            for earlier in expected[:wave]:
                assert labels(proposal_on_screen(bot, need_id, earlier)) == ["Accept", "Decline"]
            assert bot.calls_since(mark, "editMessageText") == []

        # Everyone has been asked, once; nobody is asked again and every Accept stays live.
        assert proposal_statuses(bot, need_id) == {p.id: "open" for p in expected}
        assert KIT.id not in asked(bot, need_id)
        assert proposals_sent(bot, KIT, need_id) == 0
        mark = bot.mark()
        await later(bot, timedelta(hours=4))
        assert touched(bot, mark) == []
        assert all(proposals_sent(bot, p, need_id) == 1 for p in expected)
        assert need_row(bot, need_id, "status") == ("open",)
        # Not wanted today: it waits for the digest, no coordinator is alerted.
        for coordinator in COORDINATORS:
            assert warnings(bot, coordinator) == []
        no_errors(bot)


# --- declines, and nobody left -----------------------------------------------------------------


@pytest.mark.parametrize("when", ["Today", "Tomorrow"])
async def test_a_wave_that_all_declines_moves_on_at_once_and_the_end_is_escalated_if_today(
    start_bot: StartBot, when: str
) -> None:
    async with start_bot(wave_size=2, coordinator_ids=COORDINATOR_IDS) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"), (BEN, "Trinity"), (OLU, "Oakfield"))
        need_id = await bot.post_need(RESIDENT, when=when)
        assert asked(bot, need_id) == [ANNA.id, BEN.id]

        await bot.press(ANNA, "Decline", proposal_on_screen(bot, need_id, ANNA))
        assert asked(bot, need_id) == [ANNA.id, BEN.id], "Ben hasn't answered yet"
        await bot.press(BEN, "Decline", proposal_on_screen(bot, need_id, BEN))

        # The clock has not moved: the whole wave said no, so Olu is asked now.
        assert asked(bot, need_id) == [ANNA.id, BEN.id, OLU.id]
        assert labels(proposal_on_screen(bot, need_id, OLU)) == ["Accept", "Decline"]
        for who in (ANNA, BEN):
            assert labels(proposal_on_screen(bot, need_id, who)) == []
            assert "declined" in plain(proposal_on_screen(bot, need_id, who).text)
        for coordinator in COORDINATORS:
            assert warnings(bot, coordinator) == []

        await bot.press(OLU, "Decline", proposal_on_screen(bot, need_id, OLU))

        expected = 1 if when == "Today" else 0
        for coordinator in COORDINATORS:
            assert len(alerts(bot, need_id, coordinator)) == expected
        # Every deadline those waves had passes; the need is still open and unmatched.
        await later(bot, timedelta(hours=3))
        await run_due(bot)
        for coordinator in COORDINATORS:
            assert len(alerts(bot, need_id, coordinator)) == expected, "alerted once, not again"
            assert len(warnings(bot, coordinator)) == expected
        assert need_row(bot, need_id, "status") == ("open",)
        no_errors(bot)


async def test_a_today_need_with_nobody_is_escalated_once_however_often_matching_runs(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=COORDINATOR_IDS) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (KIT, "Keyford"))
        need_id = await bot.post_need(RESIDENT, when="Today")
        assert asked(bot, need_id) == []
        for coordinator in COORDINATORS:
            assert len(alerts(bot, need_id, coordinator)) == 1

        # Matching looks at open needs again: a volunteer who can't help signs up, one
        # pauses and resumes. Nothing about this need has changed.
        await volunteers(bot, (OLU, "Keyford"))
        await bot.say(KIT, "/pause")
        await bot.say(KIT, "/resume")
        await later(bot, timedelta(minutes=30))

        assert asked(bot, need_id) == []
        for coordinator in COORDINATORS:
            assert len(alerts(bot, need_id, coordinator)) == 1
        no_errors(bot)


@pytest.mark.parametrize("how", ["signs up", "resumes"])
async def test_a_volunteer_who_becomes_eligible_later_is_asked(bot: BotUnderTest, how: str) -> None:
    await bot.agree(RESIDENT, ANNA)
    if how == "resumes":
        await bot.sign_up(ANNA, areas=("Trinity",))
        await bot.say(ANNA, "/pause")
        assert texts.PAUSED in bot.texts(ANNA)
    need_id = await bot.post_need(RESIDENT, when="Tomorrow")
    await later(bot, timedelta(hours=5))
    assert asked(bot, need_id) == []
    assert proposals_sent(bot, ANNA, need_id) == 0

    mark = bot.mark()
    if how == "signs up":
        await bot.sign_up(ANNA, areas=("Trinity",))
    else:
        await bot.say(ANNA, "/resume")

    assert asked(bot, need_id) == [ANNA.id]
    assert proposals_sent(bot, ANNA, need_id, mark) == 1
    assert labels(proposal_on_screen(bot, need_id, ANNA)) == ["Accept", "Decline"]
    await run_due(bot)
    assert proposals_sent(bot, ANNA, need_id) == 1


# --- after an accept: reminder, follow-up, nudge ----------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        datetime(2025, 3, 12, 9, 30, tzinfo=UTC),  # GMT: London is UTC
        datetime(2025, 6, 11, 9, 30, tzinfo=UTC),  # BST: London is UTC+1
    ],
    ids=["winter", "summer"],
)
async def test_an_accepted_tomorrow_need_gets_a_reminder_a_followup_and_one_nudge(
    db_path: Path, start: datetime
) -> None:
    async with running_bot(db_path, clock=FakeClock(start)) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"))
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        await accept(bot, ANNA, need_id)
        today = start.astimezone(LONDON).date()
        reminder = local(today + timedelta(days=1), 8)
        end = local(today + timedelta(days=2))
        assert window_end(bot, need_id) == end
        # The window ends at midnight, in quiet hours: the follow-up and the nudge a day
        # later wait for 08:00 (quiet hours 21:00-08:00, the default).
        followup = local(today + timedelta(days=2), 8)
        mark = bot.mark()

        await at(bot, reminder - SECOND)
        assert heard(bot, mark) == []

        await at(bot, reminder)
        sent = bot.sent_since(mark, ANNA.id)
        assert len(sent) == 1
        assert plain(sent[0]).startswith("Reminder:")
        assert f"#{need_id}" in plain(sent[0])
        assert labels(bot.last(ANNA)) == TASK_BUTTONS

        mark = bot.mark()
        await at(bot, end)
        await at(bot, followup - SECOND)
        assert heard(bot, mark) == []
        await at(bot, followup)
        sent = bot.sent_since(mark, ANNA.id)
        assert [plain(t) for t in sent] == [
            plain(texts.FOLLOWUP.format(id=need_id, category=SHOPPING, area="Trinity"))
        ]
        assert labels(bot.last(ANNA))[:2] == ["Done", "Couldn't do it"]
        assert bot.sent_since(mark, RESIDENT.id) == [], "an accepted need is not `Still needed`"

        mark = bot.mark()
        await at(bot, followup + timedelta(days=1) - SECOND)
        assert heard(bot, mark) == []
        await at(bot, followup + timedelta(days=1))
        sent = bot.sent_since(mark, ANNA.id)
        assert len(sent) == 1 and "nudge" in plain(sent[0])
        assert labels(bot.last(ANNA))[:2] == ["Done", "Couldn't do it"]

        mark = bot.mark()
        for _ in range(5):
            await later(bot, timedelta(days=7))
        assert heard(bot, mark) == [], "one nudge, then coordinators see it as overdue"
        assert (
            bot.count(
                "scheduled_work",
                "done_at IS NULL AND json_extract(payload, '$.need_id') = ?",
                (need_id,),
            )
            == 0
        )
        assert need_row(bot, need_id, "status") == ("accepted",)
        no_errors(bot)


async def test_an_accepted_today_need_gets_no_reminder_only_the_followup(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await volunteers(bot, (ANNA, "Trinity"))
    need_id = await bot.post_need(RESIDENT, when="Today")
    await accept(bot, ANNA, need_id)
    mark = bot.mark()
    end = window_end(bot, need_id)
    assert end == local(bot.clock.now().astimezone(LONDON).date() + timedelta(days=1))

    for hour in range(1, 15):
        await at(bot, min(end - SECOND, bot.clock.now() + timedelta(hours=1)))
        assert heard(bot, mark) == [], f"nothing before the window ends (+{hour}h)"
    await at(bot, end)
    assert heard(bot, mark) == [], "the window ends at midnight, in quiet hours"
    await at(bot, end + timedelta(hours=8))  # 08:00 GMT: quiet hours are over

    sent = bot.sent_since(mark, ANNA.id)
    assert len(sent) == 1 and plain(sent[0]).startswith("How did")
    assert not [t for t in bot.texts(ANNA) if "Reminder" in t]
    assert bot.count("scheduled_work", "kind='reminder'") == 0


# --- Done and the hours -------------------------------------------------------------------------


async def accepted_and_followed_up(bot: BotUnderTest) -> tuple[int, Sent]:
    """Anna has accepted a Tomorrow need and been asked how it went; (need id, that message)."""
    await bot.agree(RESIDENT)
    await volunteers(bot, (ANNA, "Trinity"))
    need_id = await bot.post_need(RESIDENT, when="Tomorrow")
    await accept(bot, ANNA, need_id)
    await at(bot, local(bot.clock.now().date() + timedelta(days=1), 8))  # the reminder
    await at(bot, window_end(bot, need_id) + timedelta(hours=8))  # 08:00, after quiet hours
    followup = bot.last(ANNA)
    assert plain(followup.text).startswith(f"How did #{need_id}")
    return need_id, followup


@pytest.mark.parametrize(
    ("label", "hours"), [("15 min", 0.25), ("2 hours", 2.0), ("3+ hours", 3.0)]
)
async def test_done_keeps_the_hours_and_the_resident_is_asked_all_good(
    start_bot: StartBot, label: str, hours: float
) -> None:
    async with start_bot(coordinator_ids=COORDINATOR_IDS) as bot:
        need_id, followup = await accepted_and_followed_up(bot)

        await bot.press(ANNA, "Done", followup)
        asking = bot.request.messages[(ANNA.id, followup.message_id)]
        assert labels(asking) == ["15 min", "30 min", "1 hour", "2 hours", "3+ hours"]
        assert need_row(bot, need_id, "status") == ("accepted",), "not done before the hours"
        mark = bot.mark()
        await bot.press(ANNA, label, asking)

        assert need_row(bot, need_id, "status", "hours") == ("done", hours)
        kept = bot.request.messages[(ANNA.id, followup.message_id)]
        assert labels(kept) == []
        assert label in plain(kept.text)
        told = bot.sent_since(mark, RESIDENT.id)
        assert len(told) == 1
        assert ANNA.first_name in told[0] and f"#{need_id}" in plain(told[0])
        assert "All good?" in told[0]
        assert labels(bot.last(RESIDENT)) == ["Yes", "There's a problem"]

        # The nudge that was due a day later finds the job done.
        mark = bot.mark()
        await later(bot, timedelta(days=2))
        assert heard(bot, mark) == []

        await bot.press(RESIDENT, "Yes")
        assert bot.last_text(RESIDENT) == texts.GLAD
        assert bot.count("concerns") == 0
        for coordinator in COORDINATORS:
            assert warnings(bot, coordinator) == []
        no_errors(bot)


async def test_theres_a_problem_after_done_is_a_concern_every_coordinator_hears_of(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=COORDINATOR_IDS) as bot:
        need_id, followup = await accepted_and_followed_up(bot)
        await bot.press(ANNA, "Done", followup)
        await bot.press(ANNA, "30 min")
        all_good = bot.message_with_button(RESIDENT, "There's a problem")
        mark = bot.mark()

        await bot.press(RESIDENT, "There's a problem", all_good)

        assert bot.rows("SELECT need_id, raised_by, status FROM concerns") == [
            (need_id, RESIDENT.id, "open")
        ]
        assert labels(bot.request.messages[(RESIDENT.id, all_good.message_id)]) == []
        assert bot.sent_since(mark, RESIDENT.id) == [texts.PROBLEM_NOTED]
        for coordinator in COORDINATORS:
            sent = warnings(bot, coordinator, mark)
            assert len(sent) == 1
            assert "Concern" in sent[0] and f"#{need_id}" in plain(sent[0])
        await later(bot, timedelta(minutes=1))
        for coordinator in COORDINATORS:
            assert len(warnings(bot, coordinator, mark)) == 1
        no_errors(bot)


async def test_raise_a_concern_on_the_reminder_reaches_every_coordinator(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=COORDINATOR_IDS) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"))
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        await accept(bot, ANNA, need_id)
        await at(bot, local(bot.clock.now().date() + timedelta(days=1), 8))
        reminder = bot.last(ANNA)
        assert labels(reminder) == TASK_BUTTONS

        await bot.press(ANNA, "Raise a concern", reminder)
        mark = bot.mark()
        await bot.say(ANNA, "Nobody answered the door and the curtains are shut")

        assert bot.rows("SELECT need_id, raised_by, text FROM concerns") == [
            (need_id, ANNA.id, "Nobody answered the door and the curtains are shut")
        ]
        for coordinator in COORDINATORS:
            sent = warnings(bot, coordinator, mark)
            assert len(sent) == 1 and "curtains are shut" in sent[0]
        no_errors(bot)


# --- Couldn't do it -----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["/tasks", "reminder"])
async def test_couldnt_do_it_puts_the_need_back_without_that_volunteer(
    start_bot: StartBot, where: str
) -> None:
    async with start_bot(wave_size=1) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"), (OLU, "Oakfield"))
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        assert asked(bot, need_id) == [ANNA.id]
        await accept(bot, ANNA, need_id)
        if where == "/tasks":
            await bot.say(ANNA, "/tasks")
            reach = [f"Message {RESIDENT.first_name}", "Share my phone number"]
            assert labels(bot.last(ANNA)) == [*reach, *TASK_BUTTONS]
        else:
            await at(bot, local(bot.clock.now().date() + timedelta(days=1), 8))
            assert plain(bot.last_text(ANNA)).startswith("Reminder:")
        task = bot.last(ANNA)
        mark = bot.mark()

        await bot.press(ANNA, "Couldn't do it", task)

        assert need_row(bot, need_id, "status", "volunteer_id", "doorstep_code") == (
            "open",
            None,
            None,
        )
        assert proposal_statuses(bot, need_id) == {ANNA.id: "dropped", OLU.id: "open"}
        now = bot.request.messages[(ANNA.id, task.message_id)]
        assert labels(now) == [] and "goes back to other volunteers" in now.text
        told = bot.sent_since(mark, RESIDENT.id)
        assert len(told) == 1
        assert ANNA.first_name in told[0] and f"#{need_id}" in plain(told[0])
        assert "can't do" in told[0] and "asking other volunteers now" in told[0]
        assert proposals_sent(bot, OLU, need_id, mark) == 1
        assert proposals_sent(bot, ANNA, need_id, mark) == 0

        # Olu says nothing; when his wave times out Anna is still not asked again, and
        # the reminder, follow-up and nudge she had scheduled find it isn't hers.
        mark = bot.mark()
        for _ in range(4):
            await later(bot, timedelta(days=1))
        assert bot.sent_since(mark, ANNA.id) == []
        assert asked(bot, need_id) == [ANNA.id, OLU.id]
        no_errors(bot)


async def test_couldnt_do_it_asks_again_those_who_were_only_beaten_to_it(
    start_bot: StartBot,
) -> None:
    """Hard rules exclude who declined or dropped this need: not who was beaten to it."""
    async with start_bot(wave_size=2) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"), (BEN, "Trinity"))
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        await accept(bot, ANNA, need_id)
        assert proposal_statuses(bot, need_id) == {ANNA.id: "accepted", BEN.id: "taken"}
        await bot.say(ANNA, "/tasks")
        mark = bot.mark()

        await bot.press(ANNA, "Couldn't do it")
        await run_due(bot)

        assert proposals_sent(bot, BEN, need_id, mark) == 1, "Ben neither declined nor dropped"
        assert "Accept" in labels(bot.last(BEN))
        assert proposals_sent(bot, ANNA, need_id, mark) == 0


async def test_couldnt_do_it_with_nobody_left_does_not_promise_other_volunteers(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=1) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"))
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        await accept(bot, ANNA, need_id)
        await bot.say(ANNA, "/tasks")
        mark = bot.mark()

        await bot.press(ANNA, "Couldn't do it")
        await run_due(bot)

        assert asked(bot, need_id) == [ANNA.id]  # nobody else can be asked
        told = bot.sent_since(mark, RESIDENT.id)
        assert len(told) == 1 and ANNA.first_name in told[0]
        assert "asking other volunteers now" not in told[0], "the resident is told honestly"


# --- the resident cancels -----------------------------------------------------------------------


async def test_cancel_while_open_withdraws_every_proposal_and_nobody_else_is_asked(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await volunteers(bot, (ANNA, "Trinity"), (BEN, "Trinity"), (CARA, "Trinity"), (OLU, "Oakfield"))
    need_id = await bot.post_need(RESIDENT, when="Tomorrow")
    wave = (ANNA, BEN, CARA)
    assert asked(bot, need_id) == [p.id for p in wave]

    await bot.say(RESIDENT, "/mine")
    mark = bot.mark()
    await bot.press(RESIDENT, f"Cancel #{need_id}")

    assert need_row(bot, need_id, "status") == ("cancelled",)
    assert bot.sent_since(mark, RESIDENT.id) == [texts.CANCELLED_NEED.format(id=need_id)]
    for who in wave:
        now = proposal_on_screen(bot, need_id, who)
        assert labels(now) == []
        assert "no longer open" in plain(now.text)
        assert bot.sent_since(mark, who.id) == []
    assert set(proposal_statuses(bot, need_id).values()) == {"withdrawn"}

    # The wave's deadline, the window's end and the day after: nobody hears anything.
    mark = bot.mark()
    for _ in range(4):
        await later(bot, timedelta(hours=12))
    assert touched(bot, mark) == []
    assert asked(bot, need_id) == [p.id for p in wave]
    assert proposals_sent(bot, OLU, need_id) == 0


async def test_cancel_after_accept_tells_the_volunteer_and_nothing_more_follows(
    bot: BotUnderTest,
) -> None:
    await bot.agree(RESIDENT)
    await volunteers(bot, (ANNA, "Trinity"), (OLU, "Oakfield"))
    need_id = await bot.post_need(RESIDENT, when="Tomorrow")
    await accept(bot, ANNA, need_id)
    await bot.say(RESIDENT, "/mine")
    mark = bot.mark()

    await bot.press(RESIDENT, f"Cancel #{need_id}")

    assert need_row(bot, need_id, "status") == ("cancelled",)
    told = bot.sent_since(mark, ANNA.id)
    assert len(told) == 1
    assert "cancelled by the resident" in told[0] and f"#{need_id}" in plain(told[0])
    mark = bot.mark()
    for _ in range(4):
        await later(bot, timedelta(days=1))
    assert touched(bot, mark) == [], "no reminder, follow-up or nudge for a cancelled need"
    assert proposals_sent(bot, OLU, need_id) == 1  # only the first wave's, long since taken


# --- Still need help? -------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["Yes, keep it open", "No, close it", "silence"])
async def test_still_need_help_at_the_end_of_an_unmatched_window(
    bot: BotUnderTest, answer: str
) -> None:
    await bot.agree(RESIDENT)
    need_id = await bot.post_need(RESIDENT, when="Tomorrow")
    end = window_end(bot, need_id)
    mark = bot.mark()

    # The window ends at midnight, in quiet hours: the question waits for 08:00.
    await at(bot, end)
    await at(bot, end + timedelta(hours=8) - SECOND)
    assert heard(bot, mark) == []
    await at(bot, end + timedelta(hours=8))
    asked_resident = bot.sent_since(mark, RESIDENT.id)
    assert len(asked_resident) == 1 and "Do you still need help?" in asked_resident[0]
    question = bot.last(RESIDENT)
    assert labels(question) == ["Yes, keep it open", "No, close it"]
    await later(bot, timedelta(hours=23))
    mark = bot.mark()

    if answer == "silence":
        await later(bot, timedelta(hours=1) - SECOND)
        assert need_row(bot, need_id, "status") == ("open",)
        assert heard(bot, mark) == []
        await later(bot, SECOND)
        assert need_row(bot, need_id, "status") == ("closed",)
        assert [plain(t) for t in bot.sent_since(mark, RESIDENT.id)] == [
            plain(texts.AUTO_CLOSED.format(id=need_id, category=SHOPPING))
        ]
        await later(bot, timedelta(days=10))
        assert len(heard(bot, mark)) == 1
        return

    await bot.press(RESIDENT, answer, question)
    assert labels(bot.request.messages[(RESIDENT.id, question.message_id)]) == []
    pressed_at = bot.clock.now()

    if answer == "No, close it":
        assert need_row(bot, need_id, "status") == ("closed",)
        assert bot.sent_since(mark, RESIDENT.id) == [texts.CLOSED_BY_RESIDENT.format(id=need_id)]
        mark = bot.mark()
        await later(bot, timedelta(days=10))
        assert heard(bot, mark) == [], "not closed a second time"
        return

    assert need_row(bot, need_id, "status", "extensions") == ("open", 1)
    assert window_end(bot, need_id) == pressed_at + timedelta(days=7)
    assert bot.sent_since(mark, RESIDENT.id) == [texts.KEPT_OPEN.format(id=need_id)]
    mark = bot.mark()
    await later(bot, timedelta(days=1))  # the silent-close time has passed
    assert need_row(bot, need_id, "status") == ("open",)
    assert heard(bot, mark) == []
    await at(bot, pressed_at + timedelta(days=7) - SECOND)
    assert heard(bot, mark) == []
    await at(bot, pressed_at + timedelta(days=7))  # 07:00, still quiet hours
    assert heard(bot, mark) == []
    await at(bot, pressed_at + timedelta(days=7, hours=1))
    again = bot.sent_since(mark, RESIDENT.id)
    assert len(again) == 1 and "Do you still need help?" in again[0]


# --- someone who blocked the bot ----------------------------------------------------------------


async def test_a_volunteer_who_blocked_the_bot_is_skipped_and_their_proposal_moves_on(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=1) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"), (OLU, "Oakfield"))
        first = await bot.post_need(RESIDENT, when="Tomorrow", description="Bread")
        assert asked(bot, first) == [ANNA.id]
        assert labels(proposal_on_screen(bot, first, ANNA)) == ["Accept", "Decline"]

        bot.request.blocked.add(ANNA.id)
        mark = bot.mark()
        second = await bot.post_need(RESIDENT, when="Tomorrow", description="Milk")
        assert calls_to(bot, ANNA, "sendMessage", mark) == 1  # the one that failed
        assert bot.rows("SELECT reachable FROM people WHERE id=?", (ANNA.id,)) == [(0,)]
        assert proposal_statuses(bot, first)[ANNA.id] == "moved_on"
        assert proposal_statuses(bot, second)[ANNA.id] == "moved_on"

        for need_id in (first, second):
            assert asked(bot, need_id) == [ANNA.id, OLU.id]
            assert proposals_sent(bot, OLU, need_id) == 1
            assert labels(proposal_on_screen(bot, need_id, OLU)) == ["Accept", "Decline"]

        third = await bot.post_need(RESIDENT, when="Tomorrow", description="Eggs")
        assert asked(bot, third) == [OLU.id]
        await later(bot, timedelta(hours=3))
        assert calls_to(bot, ANNA, "sendMessage", mark) == 1, "never tried again"
        no_errors(bot)


async def test_a_volunteer_who_unblocks_the_bot_and_comes_back_is_asked_again(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=1) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"))
        bot.request.blocked.add(ANNA.id)
        first = await bot.post_need(RESIDENT, when="Tomorrow")
        assert bot.rows("SELECT reachable FROM people WHERE id=?", (ANNA.id,)) == [(0,)]

        bot.request.blocked.discard(ANNA.id)
        await bot.say(ANNA, "/resume")

        assert bot.rows("SELECT reachable FROM people WHERE id=?", (ANNA.id,)) == [(1,)]
        second = await bot.post_need(RESIDENT, when="Tomorrow", description="Stamps")
        assert asked(bot, second) == [ANNA.id]
        assert proposals_sent(bot, ANNA, second) == 1
        assert first != second


# --- the open-task limit ------------------------------------------------------------------------


async def test_a_volunteer_with_three_accepted_tasks_is_not_asked(start_bot: StartBot) -> None:
    async with start_bot(wave_size=1) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"), (OLU, "Oakfield"))
        for n in range(3):
            need_id = await bot.post_need(RESIDENT, when="Tomorrow", description=f"Job {n}")
            assert asked(bot, need_id) == [ANNA.id], f"asked with {n} open tasks"
            await accept(bot, ANNA, need_id)
        assert bot.count("needs", "volunteer_id=? AND status='accepted'", (ANNA.id,)) == 3

        mark = bot.mark()
        fourth = await bot.post_need(RESIDENT, when="Tomorrow", description="Job 3")
        assert asked(bot, fourth) == [OLU.id]
        assert proposals_sent(bot, ANNA, fourth, mark) == 0
        await later(bot, timedelta(hours=2))  # Olu's wave times out: still not Anna
        assert asked(bot, fourth) == [OLU.id]

        # One done: she is below the limit again and is asked about the next one.
        await bot.say(ANNA, "/tasks")
        await bot.press(ANNA, "Done", bot.message_with_button(ANNA, "Done"))
        await bot.press(ANNA, "1 hour")
        fifth = await bot.post_need(RESIDENT, when="Tomorrow", description="Job 4")
        assert asked(bot, fifth) == [ANNA.id]
        no_errors(bot)


# --- restarts and doubled ticks -----------------------------------------------------------------


async def test_a_wave_due_while_the_bot_was_down_widens_once_after_the_restart(
    start_bot: StartBot, clock: FakeClock
) -> None:
    async with start_bot(wave_size=1) as first:
        await first.agree(RESIDENT)
        await volunteers(first, (ANNA, "Trinity"), (OLU, "Oakfield"))
        need_id = await first.post_need(RESIDENT, when="Tomorrow")
        assert asked(first, need_id) == [ANNA.id]
        telegram = first.request
        no_errors(first)

    clock.advance(timedelta(hours=3))  # past the wave's deadline, with the bot down
    mark = len(telegram.calls)

    async with start_bot(wave_size=1, request=telegram) as second:
        assert second.calls_since(mark, "sendMessage") == []
        await run_due(second)
        await run_due(second)

        assert asked(second, need_id) == [ANNA.id, OLU.id]
        assert proposals_sent(second, OLU, need_id, mark) == 1
        assert calls_to(second, ANNA, "editMessageText", mark) == 0
        assert calls_to(second, ANNA, "sendMessage", mark) == 0
        assert labels(proposal_on_screen(second, need_id, ANNA)) == ["Accept", "Decline"]
        assert labels(proposal_on_screen(second, need_id, OLU)) == ["Accept", "Decline"]
        assert (
            second.count("scheduled_work", "done_at IS NULL AND due_at <= ?", (ts(clock.now()),))
            == 0
        )
        no_errors(second)


async def test_proposals_scheduled_before_a_shutdown_are_sent_once_after_it(
    start_bot: StartBot, clock: FakeClock
) -> None:
    async with start_bot() as first:
        await first.agree(RESIDENT)
        await volunteers(first, (ANNA, "Trinity"), (BEN, "Trinity"), (OLU, "Oakfield"))
        # Posted and matched, but the bot stops before the tick that would send them.
        need = await first.services.aid.post_need(
            RESIDENT.id, SHOPPING, "Trinity", "Bread", When.TOMORROW, clock.now()
        )
        assert asked(first, need.id) == [ANNA.id, BEN.id, OLU.id]
        assert first.count("scheduled_work", "kind='send_proposal' AND done_at IS NULL") == 3
        telegram = first.request
        no_errors(first)

    clock.advance(timedelta(minutes=5))
    mark = len(telegram.calls)

    async with start_bot(request=telegram) as second:
        await run_due(second)
        await run_due(second)

        for who in (ANNA, BEN, OLU):
            assert proposals_sent(second, who, need.id, mark) == 1
            assert calls_to(second, who, "sendMessage", mark) == 1
            assert labels(proposal_on_screen(second, need.id, who)) == ["Accept", "Decline"]
        assert second.count("scheduled_work", "kind='send_proposal' AND done_at IS NULL") == 0
        no_errors(second)


@pytest.mark.parametrize("how", ["one after the other", "at the same time"])
async def test_a_doubled_tick_sends_nothing_twice(
    start_bot: StartBot, clock: FakeClock, how: str
) -> None:
    async with start_bot(wave_size=1, coordinator_ids=COORDINATOR_IDS) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"), (OLU, "Oakfield"))
        # One need with its wave about to time out, one with a proposal not yet sent.
        moving = await bot.post_need(RESIDENT, when="Today")
        assert asked(bot, moving) == [ANNA.id]
        waiting = await bot.services.aid.post_need(
            RESIDENT.id, SHOPPING, "Oakfield", "Stamps", When.TOMORROW, clock.now()
        )
        assert asked(bot, waiting.id) == [OLU.id]
        clock.advance(timedelta(minutes=20))
        mark = bot.mark()

        ctx = Ctx(application=bot.app)
        if how == "one after the other":
            await jobs.run_due_work(ctx)
            await jobs.tick(ctx)
            await jobs.run_due_work(ctx)
        else:
            await asyncio.gather(
                jobs.run_due_work(ctx), jobs.tick(Ctx(application=bot.app)), jobs.run_due_work(ctx)
            )
        await jobs.run_due_work(ctx)  # anything the first runs scheduled for now

        assert asked(bot, moving) == [ANNA.id, OLU.id]
        assert proposals_sent(bot, OLU, moving, mark) == 1
        assert proposals_sent(bot, OLU, waiting.id, mark) == 1
        assert calls_to(bot, ANNA, "editMessageText", mark) == 0  # her Accept stays live
        assert calls_to(bot, ANNA, "sendMessage", mark) == 0
        for coordinator in COORDINATORS:
            assert warnings(bot, coordinator, mark) == []
        assert (
            bot.count("scheduled_work", "done_at IS NULL AND due_at <= ?", (ts(clock.now()),)) == 0
        )
        no_errors(bot)
