"""The coordinators' dashboard: each action is the chat's own operation (the people it
concerns are told in Telegram, the audit log records it); the lists filter; the liaison's
CSV keeps numbers in number columns; and in webhook mode Telegram's updates arrive here."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from support.bot import RESIDENT, VOLUNTEER, BotUnderTest, FakeClock, labels, plain, running_bot
from support.web import dashboard, form

from bot.sandbox import Person
from domain.models import Role
from handlers import texts

CORA = Person(9_300_001, "Cora", "cora_coord")
LIZ = Person(9_300_002, "Liz", "liz_council")
ANNA = Person(9_300_011, "Anna", "anna_helps")


@pytest.fixture
async def bot(db_path: Path, clock: FakeClock):
    async with running_bot(
        db_path, clock=clock, coordinator_ids=[CORA.id], volunteer_approval=True
    ) as running:
        await running.agree(CORA, LIZ, RESIDENT, VOLUNTEER, ANNA)
        await running.store.people.grant(LIZ.id, Role.LIAISON, clock.now(), CORA.id)
        yield running
        assert not running.errors.records, running.errors.describe()


def audit(bot: BotUnderTest) -> list[tuple[int, str, str | None]]:
    return [
        (r[0], r[1], r[2])
        for r in bot.rows("SELECT actor_id, action, target FROM audit_log ORDER BY id")
        if r[1] not in ("see_need", "web_signin")
    ]


async def test_assign_from_a_needs_page_asks_the_volunteer_in_telegram(bot: BotUnderTest) -> None:
    await bot.sign_up(VOLUNTEER, areas=("Fromefield",))  # not near Trinity: not asked by the bot
    await bot.store.coordination.approve(VOLUNTEER.id, CORA.id, bot.clock.now())
    need_id = await bot.post_need(RESIDENT, area="Trinity", description="Bread and eggs please")
    assert not [m for m in bot.screen(VOLUNTEER) if "Accept" in labels(m)]
    async with dashboard(bot) as web:
        await web.sign_in(CORA)
        page = await web.get(f"/needs/{need_id}")
        assert "Bread and eggs please" in page.text and "Margaret" in page.text
        assert "Posted" in page.text  # its history
        mark = bot.mark()
        done = await web.submit(page, f"/needs/{need_id}/assign", volunteer_typed=str(VOLUNTEER.id))
        assert done.status_code == 303
        after = await web.get(done.headers["location"])
        assert "Asked." in after.text and "Priya" in after.text

    # The proposal reached the volunteer in Telegram, with Accept and Decline.
    sent = bot.sent_since(mark, VOLUNTEER.id)
    assert any(f"#{need_id}" in text and "Bread and eggs please" in text for text in sent), sent
    proposal = bot.message_with_button(VOLUNTEER, "Accept")
    assert labels(proposal) == ["Accept", "Decline"]
    assert (CORA.id, "assign", f"need:{need_id}") in audit(bot)
    # And it works like any proposal.
    await bot.press(VOLUNTEER, "Accept", proposal)
    assert bot.rows("SELECT status, volunteer_id FROM needs WHERE id=?", (need_id,)) == [
        ("accepted", VOLUNTEER.id)
    ]


async def test_assign_refuses_what_the_chat_refuses(bot: BotUnderTest) -> None:
    await bot.sign_up(VOLUNTEER)  # waiting for approval
    need_id = await bot.post_need(RESIDENT)
    async with dashboard(bot) as web:
        await web.sign_in(CORA)
        page = await web.get(f"/needs/{need_id}")
        for typed, says in (
            (str(VOLUNTEER.id), "waiting for approval"),
            (str(RESIDENT.id), "signed up as a volunteer"),
            ("", "Choose a volunteer"),
        ):
            done = await web.submit(page, f"/needs/{need_id}/assign", volunteer_typed=typed)
            assert says in (await web.get(done.headers["location"])).text
    assert bot.count("proposals", "volunteer_id=?", (VOLUNTEER.id,)) == 0
    assert not [a for a in audit(bot) if a[1] == "assign"]


async def test_close_from_the_page_tells_the_resident(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT)
    async with dashboard(bot) as web:
        await web.sign_in(CORA)
        page = await web.get(f"/needs/{need_id}")
        mark = bot.mark()
        done = await web.submit(page, f"/needs/{need_id}/close")
        shown = await web.get(done.headers["location"])
        assert "Closed." in shown.text and "closed without help" in shown.text
        assert f"/needs/{need_id}/close" not in shown.text  # no Close on a closed need
        # Pressed again (an old tab): nothing more happens.
        again = await web.submit(page, f"/needs/{need_id}/close")
        assert "already" in (await web.get(again.headers["location"])).text
    told = bot.sent_since(mark, RESIDENT.id)
    assert told == [
        texts.RESIDENT_NEED_CLOSED.format(id=need_id, category="Shopping &amp; essentials")
    ]
    assert [a for a in audit(bot) if a[1] == "close_need"] == [
        (CORA.id, "close_need", f"need:{need_id}")
    ]


async def test_volunteers_are_approved_vetted_and_blocked_as_in_the_chat(bot: BotUnderTest) -> None:
    await bot.sign_up(VOLUNTEER)
    await bot.sign_up(ANNA, skills=("Prescriptions",))
    async with dashboard(bot) as web:
        await web.sign_in(CORA)
        page = await web.get("/volunteers?pending=1")
        assert "Priya" in page.text and "Anna" in page.text and "waiting for approval" in page.text

        done = await web.submit(page, f"/volunteers/{VOLUNTEER.id}/approve")
        assert "Approved." in (await web.get(done.headers["location"])).text
        assert bot.last_text(VOLUNTEER) == texts.VOLUNTEER_APPROVED
        done = await web.submit(page, f"/volunteers/{ANNA.id}/reject")
        assert bot.last_text(ANNA) == texts.VOLUNTEER_NOT_APPROVED
        assert bot.count("volunteers", "user_id=?", (ANNA.id,)) == 0

        page = await web.get("/volunteers?q=priya")
        assert "Priya" in page.text and "Anna" not in page.text
        done = await web.submit(page, f"/volunteers/{VOLUNTEER.id}/vet")
        assert bot.rows("SELECT vetted FROM volunteers WHERE user_id=?", (VOLUNTEER.id,)) == [(1,)]
        page = await web.get("/volunteers?q=Shopping")
        assert "Priya" in page.text
        done = await web.submit(page, f"/volunteers/{VOLUNTEER.id}/block", reason="no-show twice")
        assert "Blocked." in (await web.get(done.headers["location"])).text
        assert bot.last_text(VOLUNTEER) == texts.BLOCKED_NOTICE
        page = await web.get("/volunteers")
        done = await web.submit(page, f"/volunteers/{VOLUNTEER.id}/unblock")
        assert bot.last_text(VOLUNTEER) == texts.UNBLOCKED_NOTICE

        # The audit log shows each, by whom.
        log = await web.get("/audit")
        for words in ("approved a volunteer", "marked a volunteer vetted", "blocked someone"):
            assert words in log.text
        assert "no-show twice" in log.text
    assert [a[1] for a in audit(bot)] == ["approve", "reject", "vetted", "block", "unblock"]
    assert all(actor == CORA.id for actor, _, _ in audit(bot))


async def test_concerns_are_listed_and_resolved(bot: BotUnderTest) -> None:
    await bot.sign_up(VOLUNTEER)
    await bot.store.coordination.approve(VOLUNTEER.id, CORA.id, bot.clock.now())
    need_id = await bot.post_need(RESIDENT)
    await bot.press(VOLUNTEER, "Accept")
    await bot.press(VOLUNTEER, "Raise a concern")
    await bot.say(VOLUNTEER, "The gate was locked and nobody answered")
    if "Send" in labels(bot.last(VOLUNTEER)):
        await bot.press(VOLUNTEER, "Send")
    async with dashboard(bot) as web:
        await web.sign_in(CORA)
        page = await web.get("/concerns")
        assert "The gate was locked" in page.text and f"#{need_id}" in page.text
        concern = bot.rows("SELECT id FROM concerns")[0][0]
        done = await web.submit(page, f"/concerns/{concern}/resolve")
        shown = await web.get(done.headers["location"])
        assert "Marked resolved." in shown.text
        assert f"/concerns/{concern}/resolve" not in shown.text
    assert bot.rows("SELECT status, resolved_by FROM concerns") == [("resolved", CORA.id)]


async def test_needs_filter_by_area_category_status_and_age(bot: BotUnderTest) -> None:
    first = await bot.post_need(RESIDENT, area="Trinity", description="Old shopping")
    bot.clock.advance(__import__("datetime").timedelta(days=2))
    second = await bot.post_need(
        RESIDENT, category="Prescriptions", area="Badcox", description="New pills"
    )
    async with dashboard(bot) as web:
        await web.sign_in(CORA)

        async def ids(query: str) -> set[int]:
            page = await web.get("/needs" + query)
            assert page.status_code == 200
            return {int(n) for n in re.findall(r'href="/needs/(\d+)"', page.text)}

        assert await ids("") == {first, second}
        assert await ids("?area=Badcox") == {second}
        assert await ids("?category=Shopping+%26+essentials") == {first}
        assert await ids("?status=open&age=1d") == {first}
        assert await ids("?status=done") == set()
        assert await ids("?area=Nowhere&status=bogus&age=99&page=x") == {first, second}
        jump = await web.get("/needs/go?id=%23" + str(second))
        assert jump.status_code == 303 and jump.headers["location"] == f"/needs/{second}"
        missing = await web.get("/needs/9999")
        assert missing.status_code == 404 and "no request #9999" in missing.text


async def test_the_csv_keeps_numbers_in_number_columns(bot: BotUnderTest) -> None:
    await bot.sign_up(VOLUNTEER)
    await bot.store.coordination.approve(VOLUNTEER.id, CORA.id, bot.clock.now())
    for _ in range(3):
        await bot.post_need(RESIDENT)
        await bot.press(VOLUNTEER, "Accept")
        await bot.press(VOLUNTEER, "Done")
        await bot.press(VOLUNTEER, "2 hours")
    async with dashboard(bot) as web:
        await web.sign_in(LIZ)
        response = await web.get("/report.csv?period=2025-03")
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    numeric = ("posted", "matched", "done", "still_open", "unmet", "volunteer_hours")
    for row in rows:
        for column in numeric:
            value = row[column]
            assert value == "" or re.fullmatch(r"\d+(\.\d+)?", value), (column, value)
            if value == "":
                assert column in row["withheld"], row
    trinity = [
        r for r in rows if r["area"] == "Trinity" and r["category"] == "Shopping & essentials"
    ]
    week = next(r for r in trinity if r["week"] == "2025-W11")
    # Three done: fewer than five, so the cell is empty and says why; the hours go with it.
    assert week["done"] == "" and "done: 1 to 4" in week["withheld"]
    assert (
        week["volunteer_hours"] == "" and "volunteer_hours: withheld with done" in week["withheld"]
    )
    assert sum(int(r["posted"]) for r in rows if r["posted"]) == 0
    assert set(rows[0]) >= {"week", "ward", "area", "category", "withheld"}


async def test_webhook_updates_arrive_on_the_dashboards_server(
    db_path: Path, clock: FakeClock
) -> None:
    async with running_bot(
        db_path,
        clock=clock,
        webhook_url="https://aid.example.org/tg/hook",
        webhook_secret="s3cret-Token_1",
    ) as bot:
        update = bot.sandbox.message_update(RESIDENT, "/start")
        body = update.to_json()
        async with dashboard(bot, webhook=True) as web:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                refused = await web.client.post(
                    "/tg/hook",
                    content=body,
                    headers={"Content-Type": "application/json", **headers},
                )
                assert refused.status_code == 403
            assert bot.app.update_queue.empty()
            bad = await web.client.post(
                "/tg/hook",
                content=b"not json",
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"},
            )
            assert bad.status_code == 400
            taken = await web.client.post(
                "/tg/hook",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1",
                },
            )
            assert taken.status_code == 200
            queued = bot.app.update_queue.get_nowait()
            assert queued.effective_message.text == "/start"
            # Handled like any update: the privacy notice comes back.
            await bot.app.process_update(queued)
            assert "I agree" in labels(bot.last(RESIDENT))
            assert "what we keep" in plain(bot.last_text(RESIDENT))
        async with dashboard(bot) as web:  # without webhook mode there is no such address
            assert (await web.client.post("/tg/hook", content=body)).status_code in (404, 405)


def test_form_helper_reads_hidden_fields() -> None:
    page = (
        '<form method="post" action="/x"><input type="hidden" name="csrf" value="a&amp;b"></form>'
    )
    assert form(page, "/x") == {"csrf": "a&b"}


async def test_an_action_that_fails_changes_nothing_and_says_so(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT)
    async with dashboard(bot, raise_errors=False) as web:
        await web.sign_in(CORA)
        page = await web.get(f"/needs/{need_id}")
        dash = web.app.state.dashboard

        async def broken(actor: int, need: int) -> bool:
            async with bot.store.db.unit():
                await bot.store.coordination.close_need(need, actor, bot.clock.now())
                raise RuntimeError("the disk is full")

        dash.actions.close = broken
        failed = await web.submit(page, f"/needs/{need_id}/close")
        assert failed.status_code == 500 and "nothing was changed" in failed.text
        assert "RuntimeError" not in failed.text and "Traceback" not in failed.text
    assert bot.rows("SELECT status FROM needs WHERE id=?", (need_id,)) == [("open",)]
