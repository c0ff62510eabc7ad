"""Waves widen the circle (product.md, "Matching"; "Time as people read it").

A need is proposed to the best MUTUALAID_WAVE_SIZE candidates; a silent wave or one that
has all declined adds the next candidates, and everyone asked before keeps a live Accept
until the need is taken or closes, so a late yes still wins. Nobody left for a need
wanted today: the coordinators are alerted and the resident told, once. Proposals are not
sent in quiet hours (21:00-08:00 London by default); a need posted then is proposed when
they end, and its resident is told so.

The real Application with a clock the test moves; timed work runs the way the `tick` job
runs it. The test starts on Wednesday 2025-03-12 at 09:30 (London is on GMT).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from support.bot import RESIDENT, BotUnderTest, labels, plain

from bot.sandbox import Person, Sent
from handlers import jobs, texts
from handlers.context import Ctx

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

LONDON = ZoneInfo("Europe/London")
SECOND = timedelta(seconds=1)
SHOPPING = "Shopping & essentials"
ASK = ["Accept", "Decline"]

# Trinity's neighbours are Town Centre, Badcox and Oakfield.
ANNA = Person(6700011, "Anna")  # Trinity
BEN = Person(6700012, "Ben")  # Trinity
CARA = Person(6700013, "Cara")  # Trinity
OLU = Person(6700004, "Olu")  # Oakfield: a neighbour, asked after Trinity
DAN = Person(6700005, "Dan")  # Keyford: not Trinity or a neighbour
ALICE = Person(9100001, "Alice")  # a coordinator
BOB = Person(9100002, "Bob")  # a coordinator
COORDINATORS = (ALICE, BOB)


async def tick(bot: BotUnderTest) -> None:
    await jobs.tick(Ctx(application=bot.app))


async def later(bot: BotUnderTest, delta: timedelta) -> None:
    bot.clock.advance(delta)
    await tick(bot)


async def until(bot: BotUnderTest, moment: datetime) -> None:
    assert moment >= bot.clock.now(), "the clock only moves forward"
    await later(bot, moment - bot.clock.now())


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A London wall-clock time, `day_offset` days after the test's first day, as UTC."""
    day = datetime(2025, 3, 12).date() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


async def volunteers(bot: BotUnderTest, *signups: tuple[Person, str]) -> None:
    for who, area in signups:
        await bot.agree(who)
        await bot.sign_up(who, areas=(area,))


def asked(bot: BotUnderTest, need_id: int) -> list[int]:
    rows = bot.rows("SELECT volunteer_id FROM proposals WHERE need_id=? ORDER BY id", (need_id,))
    return [r[0] for r in rows]


def on_screen(bot: BotUnderTest, need_id: int, who: Person) -> Sent:
    """The proposal for this need as it stands now on the volunteer's screen."""
    rows = bot.rows(
        "SELECT chat_id, message_id FROM proposals WHERE need_id=? AND volunteer_id=?",
        (need_id, who.id),
    )
    assert rows and rows[0][1] is not None, f"{who.first_name} was never sent #{need_id}"
    return bot.request.messages[(rows[0][0], rows[0][1])]


def proposals_sent(bot: BotUnderTest, who: Person, need_id: int, mark: int = 0) -> int:
    head = f"Can you help? #{need_id}\n"
    return sum(1 for t in bot.sent_since(mark, who.id) if plain(t).startswith(head))


def status(bot: BotUnderTest, need_id: int) -> tuple[object, ...]:
    return bot.rows("SELECT status, volunteer_id FROM needs WHERE id=?", (need_id,))[0]


def ended(need_id: int, template: str) -> str:
    return plain(template.format(id=need_id, category=SHOPPING, area="Trinity"))


def alerts(bot: BotUnderTest, need_id: int, coordinator: Person) -> list[str]:
    return [
        t
        for t in bot.sent_since(0, coordinator.id)
        if f"#{need_id}" in plain(t) and "no volunteer left" in t
    ]


def told_coordinator_asked(bot: BotUnderTest, need_id: int, mark: int = 0) -> list[str]:
    """What the resident was told about a coordinator being asked to help with this need."""
    head = plain(texts.UNMATCHED_RESIDENT.format(id=need_id, category=SHOPPING))
    return [t for t in bot.sent_since(mark, RESIDENT.id) if plain(t) == head]


# --- a late yes -------------------------------------------------------------------------------


async def test_a_late_yes_from_the_first_wave_wins_after_the_second_was_asked(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=2) as bot:
        await bot.agree(RESIDENT)
        await volunteers(
            bot, (ANNA, "Trinity"), (BEN, "Trinity"), (CARA, "Trinity"), (OLU, "Oakfield")
        )
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        assert asked(bot, need_id) == [ANNA.id, BEN.id]
        bens_screen = on_screen(bot, need_id, BEN)  # the message Ben will answer, late
        annas_screen = on_screen(bot, need_id, ANNA)  # what Anna's phone may still show

        await later(bot, timedelta(hours=2))  # the first wave is silent: the next is asked
        assert asked(bot, need_id) == [ANNA.id, BEN.id, CARA.id, OLU.id]
        for who in (ANNA, BEN, CARA, OLU):
            assert labels(on_screen(bot, need_id, who)) == ASK

        mark = bot.mark()
        await bot.press(BEN, "Accept", bens_screen)

        assert status(bot, need_id) == ("accepted", BEN.id)
        assert f"You've got #{need_id}" in plain(on_screen(bot, need_id, BEN).text)
        for who in (ANNA, CARA, OLU):  # both waves: taken, and no Accept left
            now = on_screen(bot, need_id, who)
            assert plain(now.text) == ended(need_id, texts.PROPOSAL_TAKEN)
            assert labels(now) == []
            assert bot.sent_since(mark, who.id) == [], "edited, not sent anything new"
        told = bot.sent_since(mark, RESIDENT.id)
        assert len(told) == 1 and "Good news" in told[0] and BEN.first_name in told[0]

        # Anna presses Accept on her old screen: a polite "already taken", nothing changes.
        mark = bot.mark()
        await bot.press(ANNA, "Accept", annas_screen)
        assert bot.answers_since(mark) == [texts.ALREADY_TAKEN]
        assert status(bot, need_id) == ("accepted", BEN.id)
        assert not bot.errors.records, bot.errors.describe()


@pytest.mark.parametrize("how", ["the resident cancels", "a coordinator closes it"])
async def test_a_need_that_closes_edits_every_open_proposal_of_every_wave(
    start_bot: StartBot, how: str
) -> None:
    async with start_bot(wave_size=2, coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(RESIDENT, ALICE)
        await volunteers(
            bot, (ANNA, "Trinity"), (BEN, "Trinity"), (CARA, "Trinity"), (OLU, "Oakfield")
        )
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        await later(bot, timedelta(hours=2))
        everyone = (ANNA, BEN, CARA, OLU)
        assert all(labels(on_screen(bot, need_id, who)) == ASK for who in everyone)

        mark = bot.mark()
        if how == "the resident cancels":
            await bot.say(RESIDENT, "/mine")
            await bot.press(RESIDENT, f"Cancel #{need_id}")
            assert status(bot, need_id) == ("cancelled", None)
        else:
            await bot.say(ALICE, "/open")
            await bot.press(ALICE, "Close", bot.messages_containing(ALICE, f"#{need_id}")[-1])
            assert status(bot, need_id) == ("closed", None)

        for who in everyone:
            now = on_screen(bot, need_id, who)
            assert labels(now) == [] and "no longer open" in plain(now.text)
            assert bot.sent_since(mark, who.id) == []
        edited = {int(str(c.params["chat_id"])) for c in bot.calls_since(mark, "editMessageText")}
        assert {p.id for p in everyone} <= edited, "every wave's proposal edited when it closed"

        # Later deadlines change nothing, and nobody else is asked.
        mark = bot.mark()
        await later(bot, timedelta(hours=3))
        assert all(bot.sent_since(mark, who.id) == [] for who in everyone)
        assert len(asked(bot, need_id)) == 4
        assert not bot.errors.records, bot.errors.describe()


# --- declines ---------------------------------------------------------------------------------


async def test_when_everyone_in_the_current_wave_declines_the_next_is_asked_at_once(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=1) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"), (BEN, "Trinity"), (OLU, "Oakfield"))
        need_id = await bot.post_need(RESIDENT, when="Tomorrow")
        assert asked(bot, need_id) == [ANNA.id]
        await later(bot, timedelta(hours=2))  # Anna is silent: Ben is asked too
        assert asked(bot, need_id) == [ANNA.id, BEN.id]

        await bot.press(BEN, "Decline", on_screen(bot, need_id, BEN))

        # The clock has not moved: the wave that everyone in it declined moves on now,
        # and Anna, who never answered, still has her Accept.
        assert asked(bot, need_id) == [ANNA.id, BEN.id, OLU.id]
        assert labels(on_screen(bot, need_id, OLU)) == ASK
        assert labels(on_screen(bot, need_id, ANNA)) == ASK
        assert "declined" in plain(on_screen(bot, need_id, BEN).text)
        assert labels(on_screen(bot, need_id, BEN)) == []

        # A decline from an earlier wave, while the current one waits, asks nobody new.
        mark = bot.mark()
        await bot.press(ANNA, "Decline", on_screen(bot, need_id, ANNA))
        assert asked(bot, need_id) == [ANNA.id, BEN.id, OLU.id]
        assert labels(on_screen(bot, need_id, OLU)) == ASK
        assert bot.sent_since(mark, OLU.id) == []
        assert not bot.errors.records, bot.errors.describe()


# --- nobody left ------------------------------------------------------------------------------


async def test_nobody_left_for_a_today_need_alerts_coordinators_and_tells_the_resident_once(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=1, coordinator_ids=[c.id for c in COORDINATORS]) as bot:
        await bot.agree(RESIDENT, *COORDINATORS)
        await volunteers(bot, (ANNA, "Trinity"), (BEN, "Trinity"))
        need_id = await bot.post_need(RESIDENT, when="Today")
        await later(bot, timedelta(minutes=20))  # Anna is silent: Ben is asked too
        assert asked(bot, need_id) == [ANNA.id, BEN.id]
        assert told_coordinator_asked(bot, need_id) == []
        mark = bot.mark()

        await bot.press(BEN, "Decline", on_screen(bot, need_id, BEN))

        # Nobody left to ask: coordinators alerted and the resident told, at once.
        for coordinator in COORDINATORS:
            assert len(alerts(bot, need_id, coordinator)) == 1
        told = bot.sent_since(mark, RESIDENT.id)
        assert len(told) == 1 and told_coordinator_asked(bot, need_id) == told
        assert "asked a coordinator" in told[0]
        # Anna, silent, keeps her Accept: a late yes still wins.
        assert labels(on_screen(bot, need_id, ANNA)) == ASK

        # More matching, more answers, the deadlines passing: nobody hears it again.
        await bot.press(ANNA, "Decline", on_screen(bot, need_id, ANNA))
        await volunteers(bot, (DAN, "Keyford"))  # not eligible for Trinity
        await bot.say(DAN, "/pause")
        await bot.say(DAN, "/resume")
        await later(bot, timedelta(hours=3))
        for coordinator in COORDINATORS:
            assert len(alerts(bot, need_id, coordinator)) == 1
        assert len(told_coordinator_asked(bot, need_id)) == 1
        assert status(bot, need_id) == ("open", None)
        assert not bot.errors.records, bot.errors.describe()


async def test_a_today_need_that_runs_out_of_silent_waves_is_escalated_and_a_late_yes_wins(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=1, coordinator_ids=[ALICE.id]) as bot:
        await bot.agree(RESIDENT, ALICE)
        await volunteers(bot, (ANNA, "Trinity"))
        need_id = await bot.post_need(RESIDENT, when="Today")
        assert asked(bot, need_id) == [ANNA.id]

        await later(bot, timedelta(minutes=20))  # silent, and nobody else to ask

        assert len(alerts(bot, need_id, ALICE)) == 1
        assert len(told_coordinator_asked(bot, need_id)) == 1
        assert proposals_sent(bot, ANNA, need_id) == 1, "not asked a second time"
        assert labels(on_screen(bot, need_id, ANNA)) == ASK

        await bot.press(ANNA, "Accept", on_screen(bot, need_id, ANNA))
        assert status(bot, need_id) == ("accepted", ANNA.id)
        assert "Good news" in bot.last_text(RESIDENT)
        assert not bot.errors.records, bot.errors.describe()


# --- the open-task limit ------------------------------------------------------------------------


async def test_a_volunteer_asked_about_many_needs_cannot_accept_past_their_limit(
    start_bot: StartBot,
) -> None:
    async with start_bot(wave_size=1) as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"))
        needs = [
            await bot.post_need(RESIDENT, when="This week", description=f"Job number {n}")
            for n in range(4)
        ]
        assert all(asked(bot, n) == [ANNA.id] for n in needs)  # asked with no task yet
        for need_id in needs[:3]:
            await bot.press(ANNA, "Accept", on_screen(bot, need_id, ANNA))
            assert status(bot, need_id) == ("accepted", ANNA.id)
        fourth = needs[3]
        mark = bot.mark()

        await bot.press(ANNA, "Accept", on_screen(bot, fourth, ANNA))

        assert status(bot, fourth) == ("open", None)
        assert bot.sent_since(mark, ANNA.id) == [texts.ACCEPT_AT_LIMIT]
        assert labels(on_screen(bot, fourth, ANNA)) == ASK, "kept for when one is done"
        assert bot.sent_since(mark, RESIDENT.id) == []

        # One done: the same Accept now wins.
        await bot.say(ANNA, "/tasks")
        await bot.press(ANNA, "Done", bot.message_with_button(ANNA, "Done"))
        await bot.press(ANNA, "1 hour")
        await bot.press(ANNA, "Accept", on_screen(bot, fourth, ANNA))
        assert status(bot, fourth) == ("accepted", ANNA.id)
        assert not bot.errors.records, bot.errors.describe()


# --- quiet hours --------------------------------------------------------------------------------


async def test_a_need_posted_in_quiet_hours_is_proposed_once_when_they_end(
    start_bot: StartBot,
) -> None:
    async with start_bot() as bot:
        await bot.agree(RESIDENT)
        await volunteers(bot, (ANNA, "Trinity"), (BEN, "Trinity"))
        await until(bot, local(0, 22))

        need_id = await bot.post_need(RESIDENT, when="Tomorrow")

        # Under the summary it answered (Post became how it went, in place).
        assert bot.last_text(RESIDENT).endswith(
            "✓ " + texts.NEED_POSTED_QUIET.format(id=need_id, at="8:00 tomorrow")
        )
        assert asked(bot, need_id) == []
        # A volunteer who joins in the night is not asked in it either.
        await volunteers(bot, (CARA, "Trinity"))
        assert asked(bot, need_id) == []
        mark = bot.mark()
        await until(bot, local(1, 8) - SECOND)
        assert asked(bot, need_id) == []
        assert all(proposals_sent(bot, who, need_id) == 0 for who in (ANNA, BEN, CARA))

        await until(bot, local(1, 8))
        await tick(bot)

        assert sorted(asked(bot, need_id)) == [ANNA.id, BEN.id, CARA.id]
        for who in (ANNA, BEN, CARA):
            assert proposals_sent(bot, who, need_id, mark) == 1
            assert labels(on_screen(bot, need_id, who)) == ASK
        await later(bot, timedelta(minutes=30))
        assert all(proposals_sent(bot, who, need_id) == 1 for who in (ANNA, BEN, CARA))

        # By day a need is proposed at once, and the resident is told that.
        other = await bot.post_need(RESIDENT, when="Tomorrow", description="Stamps, please")
        assert bot.last_text(RESIDENT).endswith("✓ " + texts.NEED_POSTED.format(id=other))
        assert len(asked(bot, other)) == 3
        assert not bot.errors.records, bot.errors.describe()
