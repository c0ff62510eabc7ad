"""The council liaison: /report, /export, the weekly report, and what they never contain.

The privacy test's method: people with distinctive names, usernames and ids post needs with
distinctive descriptions (one placed by a shared location), volunteers take and finish
them, a concern is raised; then the liaison asks for every report there is and gets the
weekly one. Every text Telegram was asked to show the liaison (messages, edits, captions,
button answers) and the bytes of every document sent to them (read from the multipart
upload at the transport seam) are searched for each of those strings, ids, usernames,
coordinates and any `#<number>`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from support.bot import BotUnderTest, FakeClock, plain, refused_messages

from bot.sandbox import Person, SandboxRequest
from domain.models import Role
from domain.periods import Period
from handlers import jobs
from handlers.context import Ctx
from storage import Store

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

LIA = Person(8800001, "Lia", "lia_council")
CORA = Person(9100001, "Cora")
SHOPPING = "Shopping & essentials"
LONDON = ZoneInfo("Europe/London")
LONDON_OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER_10 = datetime(2026, 11, 10, 12, tzinfo=UTC)  # "now" for reports about October


async def run_due(bot: BotUnderTest) -> int:
    return await jobs.run_due_work(Ctx(application=bot.app))


async def at(bot: BotUnderTest, moment: datetime) -> int:
    assert moment >= bot.clock.now()
    bot.clock.advance(moment - bot.clock.now())
    return await run_due(bot)


async def make_liaison(bot: BotUnderTest, who: Person = LIA) -> None:
    await bot.agree(who)
    await bot.store.people.grant(who.id, Role.LIAISON, bot.clock.now())


def no_errors(bot: BotUnderTest) -> None:
    assert not bot.errors.records, bot.errors.describe()


# --- the figures from the database -------------------------------------------------------------


def _t(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat(timespec="seconds")


async def seeded_store(path: Path) -> Store:
    """Needs around October 2026 (British Summer Time until the 25th), with answers below."""
    store = await Store.open(path)
    await store.db.execute(
        "INSERT INTO people (id, first_name, created_at) VALUES "
        "(1, 'R', '2026-01-01T00:00:00+00:00'), (501, 'V1', '2026-01-01T00:00:00+00:00'), "
        "(502, 'V2', '2026-01-01T00:00:00+00:00')"
    )
    needs = [
        # a: 00:30 on 1 October local (23:30 UTC on the 30th): posted in October; matched
        # two hours later and done the next day in an hour.
        (
            "a",
            "Trinity",
            "2026-09-30T23:30:00+00:00",
            "done",
            501,
            "2026-10-01T01:30:00+00:00",
            "2026-10-02T10:00:00+00:00",
            None,
            1.0,
        ),
        # b: 23:30 on 30 September local: September's, though matched in October (after 3 h).
        (
            "b",
            "Trinity",
            "2026-09-30T22:30:00+00:00",
            "accepted",
            502,
            "2026-10-01T01:30:00+00:00",
            None,
            None,
            None,
        ),
        # c: still open.
        ("c", "Oakfield", "2026-10-10T12:00:00+00:00", "open", None, None, None, None, None),
        # d: closed without help on the 12th.
        (
            "d",
            "Oakfield",
            "2026-10-05T12:00:00+00:00",
            "closed",
            None,
            None,
            None,
            "2026-10-12T12:00:00+00:00",
            None,
        ),
        # e: cancelled by the resident: posted, but neither unmet nor open at the end.
        (
            "e",
            "Trinity",
            "2026-10-06T12:00:00+00:00",
            "cancelled",
            None,
            None,
            None,
            "2026-10-07T12:00:00+00:00",
            None,
        ),
        # f: posted on the 20th, accepted in November: open at the end of October.
        (
            "f",
            "Trinity",
            "2026-10-20T12:00:00+00:00",
            "accepted",
            501,
            "2026-11-02T12:00:00+00:00",
            None,
            None,
            None,
        ),
        # g: midnight starting 1 November (GMT): November's.
        ("g", "Trinity", "2026-11-01T00:00:00+00:00", "open", None, None, None, None, None),
    ]
    await store.db.executemany(
        "INSERT INTO needs (resident_id, category, area, description, wanted, window_start, "
        "window_end, status, volunteer_id, accepted_at, done_at, closed_at, hours, created_at, "
        "updated_at) VALUES (1, ?, ?, ?, 'week', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (SHOPPING, area, label, c, c, status, vol, acc, done, closed, hours, c, c)
            for label, area, c, status, vol, acc, done, closed, hours in needs
        ],
    )
    return store


async def test_the_store_counts_events_in_the_groups_month(tmp_path: Path) -> None:
    store = await seeded_store(tmp_path / "r.db")
    try:
        now = datetime(2026, 11, 10, tzinfo=UTC)
        start, stop = LONDON_OCTOBER.bounds(LONDON)
        assert (start.isoformat(), stop.isoformat()) == (
            "2026-09-30T23:00:00+00:00",
            "2026-11-01T00:00:00+00:00",
        )
        tallies = await store.reports.tallies([(start, stop)], now)
        cells = {(t.area, t.category): t for t in tallies}
        trinity, oakfield = cells[("Trinity", SHOPPING)], cells[("Oakfield", SHOPPING)]
        # Trinity: posted a, e, f; matched a (2 h) and b (3 h); done a (1 h); open f.
        assert (trinity.posted, trinity.matched, trinity.done) == (3, 2, 1)
        assert (trinity.still_open, trinity.unmet, trinity.hours) == (1, 0, 1.0)
        assert sorted(trinity.match_hours) == [2.0, 3.0]
        assert trinity.volunteers == {501, 502}
        # Oakfield: posted c, d; d closed unmet; c still open.
        assert (oakfield.posted, oakfield.matched, oakfield.still_open, oakfield.unmet) == (
            2,
            0,
            1,
            1,
        )
        # "Still open" is judged at now when the period has not ended: on 15 October only c
        # is (a and b were accepted on the 1st, d closed on the 12th, e cancelled on the 7th,
        # f not posted yet).
        mid = await store.reports.tallies([(start, stop)], datetime(2026, 10, 15, tzinfo=UTC))
        assert {(t.area, t.still_open) for t in mid if t.still_open} == {("Oakfield", 1)}
        # By week: a (1 Oct, week 40) and e (6 Oct, week 41).
        weeks = LONDON_OCTOBER.weeks()
        tz = LONDON
        by_week = await store.reports.tallies(
            [Period(w.start, w.end).bounds(tz) for w in weeks], now
        )
        posted = {(t.bucket, t.area): t.posted for t in by_week if t.posted}
        assert posted == {
            (0, "Trinity"): 1,
            (1, "Trinity"): 1,
            (1, "Oakfield"): 2,
            (3, "Trinity"): 1,
        }
    finally:
        await store.close()


async def seed_october(bot: BotUnderTest) -> None:
    """The needs a to g of `seeded_store`, and ten more in Trinity: posted at 10:00 UTC on
    15 October, matched an hour later, done the next day in half an hour each."""
    await bot.store.db.execute(
        "INSERT OR IGNORE INTO people (id, first_name, created_at) VALUES "
        "(1, 'R', '2026-01-01T00:00:00+00:00'), (501, 'V1', '2026-01-01T00:00:00+00:00'), "
        "(502, 'V2', '2026-01-01T00:00:00+00:00')"
    )
    rows = [
        (
            "Trinity",
            "2026-09-30T23:30:00+00:00",
            "done",
            501,
            "2026-10-01T01:30:00+00:00",
            "2026-10-02T10:00:00+00:00",
            None,
            1.0,
        ),
        (
            "Trinity",
            "2026-09-30T22:30:00+00:00",
            "accepted",
            502,
            "2026-10-01T01:30:00+00:00",
            None,
            None,
            None,
        ),
        ("Oakfield", "2026-10-10T12:00:00+00:00", "open", None, None, None, None, None),
        (
            "Oakfield",
            "2026-10-05T12:00:00+00:00",
            "closed",
            None,
            None,
            None,
            "2026-10-12T12:00:00+00:00",
            None,
        ),
        (
            "Trinity",
            "2026-10-06T12:00:00+00:00",
            "cancelled",
            None,
            None,
            None,
            "2026-10-07T12:00:00+00:00",
            None,
        ),
        (
            "Trinity",
            "2026-10-20T12:00:00+00:00",
            "accepted",
            501,
            "2026-11-02T12:00:00+00:00",
            None,
            None,
            None,
        ),
        ("Trinity", "2026-11-01T00:00:00+00:00", "open", None, None, None, None, None),
    ]
    rows += [
        (
            "Trinity",
            "2026-10-15T10:00:00+00:00",
            "done",
            501 + i % 2,
            "2026-10-15T11:00:00+00:00",
            "2026-10-16T10:00:00+00:00",
            None,
            0.5,
        )
        for i in range(10)
    ]
    await bot.store.db.executemany(
        "INSERT INTO needs (resident_id, category, area, description, wanted, window_start, "
        "window_end, status, volunteer_id, accepted_at, done_at, closed_at, hours, created_at, "
        "updated_at) VALUES (1, ?, ?, 'Secret words', 'week', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (SHOPPING, area, c, c, status, vol, acc, done, closed, hours, c, c)
            for area, c, status, vol, acc, done, closed, hours in rows
        ],
    )


async def test_report_for_a_month_by_area_and_category(
    start_bot: StartBot, clock: FakeClock
) -> None:
    clock.advance(NOVEMBER_10 - clock.now())
    async with start_bot() as bot:
        await make_liaison(bot)
        await seed_october(bot)
        mark = bot.mark()
        await bot.say(LIA, "/report 2026-10")
        sent = bot.sent_since(mark, LIA.id)
        assert len(sent) == 1
        lines = plain(sent[0]).splitlines()
        assert lines[:12] == [
            "Frome Mutual Aid: how the community is doing",
            "October 2026",
            "",
            "Whole group",
            # a, c, d, e, f and the ten: 15. Trinity's 13 goes with Oakfield's 2.
            "Requests posted: 15",
            "Matched with a volunteer: 12",  # a, b and the ten
            "Done: 11",
            "Still open at the end: <5",  # c and f
            "Closed without help: <5",  # d
            "Median time to a match: 1.0 h",  # ten of 1 h, then 2 h and 3 h
            "Volunteer hours: 6, worth £75.00 at £12.50 an hour (the council's own figure)",
            "Active volunteers: <5",
        ]
        assert (
            "Trinity: *, 12, 11, <5, 0; median 1.0 h to a match; 6 volunteer hours; "
            "<5 active volunteers" in lines
        )
        assert (
            "Oakfield: <5, 0, 0, <5, <5; median – to a match; 0 volunteer hours; "
            "0 active volunteers" in lines
        )
        assert (
            "Shopping & essentials: 15, 12, 11, <5, <5; median 1.0 h to a match; "
            "6 volunteer hours; <5 active volunteers" in lines
        )
        assert "Volunteers who could be asked now: 0" in lines
        assert lines[lines.index("Requests with no volunteer to ask (category in area)") + 1 :][
            :2
        ] == ["Shopping & essentials in Trinity", "Shopping & essentials in Oakfield"]
        assert refused_messages(bot.request.calls) == []
        # The same month by dates.
        await bot.say(LIA, "/report 2026-10-01 2026-10-31")
        assert plain(bot.last_text(LIA)).splitlines()[4] == "Requests posted: 15"
        no_errors(bot)


async def test_report_for_a_quarter_or_a_month_by_name_with_the_new_figures(
    start_bot: StartBot, clock: FakeClock
) -> None:
    clock.advance(NOVEMBER_10 - clock.now())
    async with start_bot() as bot:
        await make_liaison(bot)
        await seed_october(bot)
        for command in ("/report 2026-Q4", "/report Q4"):
            mark = bot.mark()
            await bot.say(LIA, command)
            lines = "\n".join(plain(t) for t in bot.sent_since(mark, LIA.id)).splitlines()
            assert lines[1] == "October to December 2026 (so far)", command
            assert "Requests posted: 16" in lines
            # People helped and how many came back, suppressed like the rest.
            assert (
                "People helped: <5 (a request of theirs done in the period), of whom <5 came "
                "back and 0 were helped for the first time"
            ) in lines
            # The weekly trend, a short table whose weeks can't give a small figure away.
            trend = lines[lines.index("Week by week (week starting: posted, matched, done)") :]
            assert trend[1:4] == ["1 Oct: <5, <5, <5", "5 Oct: <5, 0, 0", "12 Oct: 10, *, *"]
            assert "9 Nov: 0, 0, 0" in trend
        # A month by name: the latest October.
        mark = bot.mark()
        await bot.say(LIA, "/report october")
        lines = "\n".join(plain(t) for t in bot.sent_since(mark, LIA.id)).splitlines()
        assert lines[1] == "October 2026" and "Requests posted: 15" in lines
        assert "26 Oct: 0, 0, 0" in lines and "2 Nov: 0, <5, 0" not in lines
        # A year.
        mark = bot.mark()
        await bot.say(LIA, "/report 2026")
        assert plain(bot.sent_since(mark, LIA.id)[0]).splitlines()[1] == "2026 (so far)"
        no_errors(bot)


async def test_report_with_no_period_is_this_month_so_far(start_bot: StartBot) -> None:
    async with start_bot() as bot:
        await make_liaison(bot)
        await bot.say(LIA, "/report")
        lines = plain(bot.last_text(LIA)).splitlines()
        assert lines[1] == "March 2025 (so far)"
        assert "Requests posted: 0" in lines
        no_errors(bot)


async def test_bad_periods_get_a_kind_answer_and_change_nothing(start_bot: StartBot) -> None:
    async with start_bot() as bot:
        await make_liaison(bot)
        before = bot.snapshot()
        answers = {
            "/report banana": "didn't understand",
            "/report 2025-13": "didn't understand",
            "/report 2025-03-01": "didn't understand",
            "/report 2025-03-31 2025-03-01": "before the first",
            "/report 2023-01-01 2025-03-01": "more than a year",
            "/report 2025-04": "hasn't started yet",
            "/report 2025-Q2": "hasn't started yet",
            "/report Q5": "/report 2026-Q1",  # the usage, with quarters and months by name
            "/report Marchember": "/report March",
            "/report 2025-03-01..2025-03-05": "didn't understand",
            "/report Q1 2025": "didn't understand",
            "/export 2025-04-31 2025-05-01": "didn't understand",
        }
        for command, expected in answers.items():
            mark = bot.mark()
            await bot.say(LIA, command)
            sent = bot.sent_since(mark, LIA.id)
            assert len(sent) == 1 and expected in plain(sent[0]), (command, sent)
            assert bot.calls_since(mark, "sendDocument") == []
        after = bot.snapshot()
        for table in ("needs", "scheduled_work", "people", "roles"):
            assert after[table] == before[table]
        no_errors(bot)


async def test_report_and_export_are_for_the_liaison_and_coordinators(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        resident = Person(7301942, "Margaret")
        await bot.agree(resident, CORA)
        for command in ("/report", "/export"):
            mark = bot.mark()
            await bot.say(resident, command)
            sent = bot.sent_since(mark, resident.id)
            assert len(sent) == 1 and "only for" in sent[0]
            assert bot.calls_since(mark, "sendDocument") == []
        await bot.say(CORA, "/report")
        assert "how the community is doing" in bot.last_text(CORA)
        # A role granted now works at once.
        await bot.store.people.grant(resident.id, Role.LIAISON, bot.clock.now())
        await bot.say(resident, "/report")
        assert "how the community is doing" in bot.last_text(resident)
        no_errors(bot)


async def test_export_is_a_spreadsheet_of_weeks_areas_and_categories(
    start_bot: StartBot, clock: FakeClock
) -> None:
    clock.advance(NOVEMBER_10 - clock.now())
    telegram = SandboxRequest()
    async with start_bot(request=telegram) as bot:
        await make_liaison(bot)
        await seed_october(bot)
        mark = bot.mark()
        await bot.say(LIA, "/export 2026-10")
        documents = bot.calls_since(mark, "sendDocument")
        assert len(documents) == 1 and int(documents[0].params["chat_id"]) == LIA.id
        assert "October 2026" in documents[0].params["caption"]
        [(chat_id, name, data)] = telegram.files
        assert (chat_id, name) == (LIA.id, "mutualaid-2026-10-01-to-2026-10-31.csv")
        assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0][:6] == ["week", "week_start", "week_end", "ward", "area", "category"]
        assert rows[0][-2:] == ["value_gbp", "withheld"]
        assert len(rows) == 1 + 5 * 8 * 8  # weeks 40 to 44, 8 areas, 8 categories
        assert all(len(r) == len(rows[0]) for r in rows)
        by_key = {(r[0], r[4], r[5]): r for r in rows[1:]}
        # Week 42 (12 to 18 Oct), Trinity, shopping: the ten, posted, matched and done in it.
        assert by_key[("2026-W42", "Trinity", SHOPPING)] == [
            "2026-W42",
            "2026-10-12",
            "2026-10-18",
            "",  # no wards in this community
            "Trinity",
            SHOPPING,
            "10",
            "10",
            "10",
            "0",
            "0",
            "1",
            "5",
            "",  # active volunteers: 1 to 4
            "0",
            "0",  # referred by the council, met, median hours and hours for referrals
            "0",
            "",
            "0",
            "62.5",
            "active_volunteers: 1 to 4",
        ]
        # Every figure is a plain number or empty: a spreadsheet's SUM works on each column.
        header = rows[0]
        for column in ("posted", "matched", "done", "volunteer_hours", "value_gbp"):
            at = header.index(column)
            assert all(r[at] == "" or float(r[at]) >= 0 for r in rows[1:])
        # Week 40 starts on Thursday 1 October; a's one request there is 1 to 4: empty.
        first = by_key[("2026-W40", "Trinity", SHOPPING)]
        assert first[1:3] == ["2026-10-01", "2026-10-04"] and first[6] == ""
        # a and b matched in it, a done (1 to 4 each): their median, hours and value go too.
        assert (first[7], first[8], first[11], first[12], first[19]) == ("", "", "", "", "")
        assert first[20].split("; ")[:3] == ["posted: 1 to 4", "matched: 1 to 4", "done: 1 to 4"]
        assert "volunteer_hours: withheld with done" in first[20]
        assert first[14] == "0"  # nobody to ask now
        # A quarter, as /report takes it.
        await bot.say(LIA, "/export Q4")
        assert telegram.files[-1][1] == "mutualaid-2026-10-01-to-2026-12-31.csv"
        no_errors(bot)


# --- the weekly report ---------------------------------------------------------------------------


def weekly(bot: BotUnderTest, who: Person) -> list[str]:
    return [plain(t) for t in bot.texts(who) if "last week" in plain(t).splitlines()[0]]


async def test_weekly_report_on_monday_at_the_digest_time_once_after_downtime(
    start_bot: StartBot, clock: FakeClock
) -> None:
    async with start_bot() as bot:
        await make_liaison(bot)
        await at(bot, datetime(2025, 3, 17, 7, 59, 59, tzinfo=UTC))
        assert weekly(bot, LIA) == []
        await at(bot, datetime(2025, 3, 17, 8, 0, tzinfo=UTC))
        [report] = weekly(bot, LIA)
        assert report.splitlines()[1] == "10 Mar 2025 to 16 Mar 2025"
        telegram = bot.request
        no_errors(bot)
    # Down for a fortnight: Mondays the 24th and 31st missed; back at 10:00 on the 31st.
    clock.advance(datetime(2025, 3, 31, 10, 0, tzinfo=UTC) - clock.now())
    async with start_bot(request=telegram) as bot:
        await run_due(bot)
        await run_due(bot)
        reports = weekly(bot, LIA)
        assert len(reports) == 2
        assert reports[-1].splitlines()[1] == "24 Mar 2025 to 30 Mar 2025"
        pending = bot.rows(
            "SELECT due_at FROM scheduled_work WHERE kind='weekly_report' AND done_at IS NULL"
        )
        assert pending == [("2025-04-07T07:00:00+00:00",)]  # 08:00 BST
        no_errors(bot)


# --- privacy --------------------------------------------------------------------------------------

ZEB = Person(7401111, "Zebedee", "zeb_unique_handle")
PHIL = Person(7402222, "Philomena", "philo_qz_handle")
BART = Person(6601111, "Bartholomew", "bart_vol_handle")
ERMA = Person(6602222, "Ermintrude")
SECRETS = (
    "Zebedee",
    "zeb_unique_handle",
    "Philomena",
    "philo_qz_handle",
    "Bartholomew",
    "bart_vol_handle",
    "Ermintrude",
    "Quixotic marmalade errand 7731",
    "marmalade",
    "Biscuit the spaniel 4412",
    "spaniel",
    "Zanzibar ointment 9981",
    "Zanzibar",
    "Xylophone concern 5150",
    "Xylophone",
    "51.22123",
    "-2.31801",
    "lia_council",
)


async def test_nothing_a_liaison_receives_names_or_places_anyone(
    start_bot: StartBot, clock: FakeClock
) -> None:
    telegram = SandboxRequest()
    async with start_bot(request=telegram, coordinator_ids=[CORA.id]) as bot:
        await bot.agree(ZEB, PHIL, BART, ERMA, CORA)
        await bot.sign_up(BART, areas=("Trinity",))
        await bot.sign_up(ERMA, skills=("Dog walking & pets",), areas=("Keyford",))
        ids = []
        ids.append(await bot.post_need(ZEB, description="Quixotic marmalade errand 7731"))
        await run_due(bot)
        await bot.press(BART, "Accept")
        await bot.press(BART, "Done", bot.messages_containing(BART, f"#{ids[0]}")[-1])
        await bot.press(BART, "2 hours")
        # Placed by a shared location, next to Keyford's centre.
        await bot.start_need(PHIL, "Dog walking & pets")
        await bot.share_location(PHIL, 51.22123, -2.31801)
        await bot.say(PHIL, "Biscuit the spaniel 4412")
        await bot.press(PHIL, "Today")
        await bot.press(PHIL, "Post")
        ids.append(int(bot.rows("SELECT max(id) FROM needs")[0][0]))
        assert bot.rows("SELECT area FROM needs WHERE id=?", (ids[1],)) == [("Keyford",)]
        await run_due(bot)
        await bot.press(ERMA, "Accept")
        ids.append(await bot.post_need(PHIL, "Prescriptions", "Oakfield", "Zanzibar ointment 9981"))
        await bot.store.needs.add_concern(ids[0], ZEB.id, "Xylophone concern 5150", clock.now())
        await run_due(bot)

        await make_liaison(bot)
        start = bot.mark()
        for command in (
            "/report",
            "/report 2025-03",
            "/report 2025-03-01 2025-03-31",
            "/export",
            "/export 2025-03-10 2025-03-16",
            "/help",
            "/digest",
        ):
            await bot.say(LIA, command)
        await at(bot, datetime(2025, 3, 17, 8, 0, tzinfo=UTC))  # Monday's report

        to_liaison = [
            c
            for c in bot.calls_since(start)
            if str(c.params.get("chat_id", "")) == str(LIA.id) or c.method == "answerCallbackQuery"
        ]
        shown = [str(c.params.get(key, "")) for c in to_liaison for key in ("text", "caption")]
        documents = [data.decode("utf-8-sig") for chat, _, data in telegram.files if chat == LIA.id]
        # The test can't pass by the liaison getting nothing.
        assert len(documents) == 2
        assert sum("how the community is doing" in t for t in shown) >= 3
        assert any("last week" in t for t in shown)
        assert any("Requests posted: <5" in plain(t) for t in shown)

        everything = shown + documents
        people = (ZEB, PHIL, BART, ERMA, CORA, LIA)
        for text in everything:
            read = plain(text)
            for secret in SECRETS:
                assert secret.lower() not in read.lower(), (secret, read[:200])
            for who in people:
                assert str(who.id) not in read, (who, read[:200])
            assert not re.search(r"#\s*\d", read), read[:200]
            assert "tg://" not in text and "@" not in read
        no_errors(bot)
