"""Council referrals on the dashboard: a liaison's "Refer a resident" form (the chat's /refer:
the resident's agreement required), their own referrals by the council's reference with the
status and the time to each step, and the report's "referred by the council" figures; never
anyone's name, number, words or request number."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from support.bot import BotUnderTest, plain
from support.web import dashboard

from bot.sandbox import Person
from domain.models import Role
from handlers import jobs
from handlers.context import Ctx

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

CORA = Person(9_300_001, "Cora", "cora_coord")
LIZ = Person(9_300_002, "Liz", "liz_council")
LEN = Person(9_300_003, "Lennox", "len_council")
PRIYA = Person(5_530_011, "Priya", "priya_vol")
FORM = {
    "category": "Shopping & essentials",
    "area": "Trinity",
    "description": "Wexcombe parcel and some teabags 5521",
    "when": "today",
    "name": "Hermione",
    "contact": "07700 900321",
    "ref": "WEB-0042",
    "agreed": "yes",
}


async def run_due(bot: BotUnderTest) -> int:
    return await jobs.run_due_work(Ctx(application=bot.app))


async def people(bot: BotUnderTest) -> None:
    await bot.agree(CORA, LIZ, LEN, PRIYA)
    for who in (LIZ, LEN):
        await bot.store.people.grant(who.id, Role.LIAISON, bot.clock.now(), CORA.id)
    await bot.sign_up(PRIYA)


def read(page: str) -> str:
    return plain(re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S))


async def test_a_liaison_refers_on_the_dashboard_and_follows_it_to_done(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await people(bot)
        async with dashboard(bot) as web:
            await web.sign_in(LIZ)
            page = await web.get("/referrals")
            assert page.status_code == 200 and "Refer a resident" in page.text
            done = await web.submit(page, "/referrals/new", **FORM)
            assert done.status_code == 303
            page = await web.get(done.headers["location"])
            assert "is with the group's coordinators" in read(page.text)
            assert "WEB-0042" in page.text and "waiting for the group" in page.text
            assert bot.rows("SELECT council_ref, liaison_id FROM referrals") == [
                ("WEB-0042", LIZ.id)
            ]
            # The coordinators hear at the bot's next tick, with no name or number.
            await run_due(bot)
            alert = bot.messages_containing(CORA, "referred a request")
            assert alert and "WEB-0042" in alert[-1].text and "Hermione" not in alert[-1].text

            await bot.say(CORA, "/open")
            await bot.press(CORA, "Take")
            await run_due(bot)
            bot.clock.advance(timedelta(minutes=45))
            await bot.press(PRIYA, "Accept")
            assert "Hermione" in bot.last_text(PRIYA) and "900321" in bot.last_text(PRIYA)
            await bot.press(PRIYA, "Done")
            await bot.press(PRIYA, "2 hours")
            await run_due(bot)

            page = await web.get("/referrals")
            shown = read(page.text)
            assert "WEB-0042" in shown and "volunteer found after 45 min" in shown
            assert re.search(r"WEB-0042\s*done", shown), shown
            for secret in ("Priya", "priya_vol", "Cora", "Hermione", "900321", "Wexcombe"):
                assert secret not in page.text, secret
            for who in (PRIYA, CORA):
                assert str(who.id) not in page.text
            assert not re.search(r"#\s*\d", shown)
        assert not bot.errors.records, bot.errors.describe()


async def test_without_agreement_or_with_bad_fields_nothing_is_kept(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await people(bot)
        async with dashboard(bot) as web:
            await web.sign_in(LIZ)
            page = await web.get("/referrals")
            refused = await web.submit(page, "/referrals/new", **{**FORM, "agreed": ""})
            assert refused.status_code == 400
            assert "needs the resident's agreement: nothing was kept" in read(refused.text)
            assert "Hermione" not in refused.text and "900321" not in refused.text
            bad = await web.submit(page, "/referrals/new", **{**FORM, "contact": "ring her"})
            assert bad.status_code == 400 and "Please give a phone number" in bad.text
            assert bot.count("referrals") == bot.count("needs") == 0
        assert not bot.errors.records, bot.errors.describe()


async def test_each_liaison_sees_their_own_and_a_coordinator_cannot_refer(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await people(bot)
        async with dashboard(bot) as web:
            await web.sign_in(LIZ)
            await web.submit(await web.get("/referrals"), "/referrals/new", **FORM)
            web.forget_cookies()
            await web.sign_in(LEN)
            page = await web.get("/referrals")
            assert "WEB-0042" not in page.text and "haven't referred anyone" in read(page.text)
            assert 'Referrals</th><td class="num">&lt;5' in page.text  # the figures are all
            web.forget_cookies()
            await web.sign_in(CORA)
            page = await web.get("/referrals")
            assert "Refer a resident" not in page.text and "waiting for a coordinator now: 1" in (
                page.text
            )
            tried = await web.client.post(
                "/referrals/new", data={**FORM, "csrf": _csrf(page.text), "ref": "CORA-1"}
            )
            assert tried.status_code == 403
            assert bot.count("referrals") == 1
        assert not bot.errors.records, bot.errors.describe()


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)
