"""Signing in to the dashboard: /dashboard's one-time link, the session, and what ends it.

The real bot (tests/support/bot.py) and the real Starlette app over it (tests/support/web.py),
in one event loop, as `mutualaid run` serves them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from support.bot import RESIDENT, BotUnderTest, FakeClock, labels, running_bot
from support.web import dashboard, form

from bot.sandbox import Person
from domain.models import Role
from handlers import texts

CORA = Person(9_100_001, "Cora", "cora_coord")  # a configured coordinator
LIZ = Person(9_100_002, "Liz", "liz_council")  # the council liaison


@pytest.fixture
async def bot(db_path: Path, clock: FakeClock):
    async with running_bot(db_path, clock=clock, coordinator_ids=[CORA.id]) as running:
        await running.agree(CORA, LIZ, RESIDENT)
        await running.store.people.grant(LIZ.id, Role.LIAISON, clock.now(), CORA.id)
        yield running
        assert not running.errors.records, running.errors.describe()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def test_a_coordinator_signs_in_with_the_link_dashboard_gives(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        link = await web.link_for(CORA)
        message = bot.last_text(CORA)
        assert "works once" in message and "10 minutes" in message
        token = link.rsplit("/", 1)[1]

        # Opening the link (as a link preview would) uses nothing up: a button does.
        first = await web.get(link)
        assert first.status_code == 200 and "Sign in" in first.text
        again = await web.get(link)
        assert again.status_code == 200
        assert "mutualaid_session" not in web.client.cookies

        signed = await web.client.post(link, data=form(first.text, link))
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = next(
            v for k, v in signed.headers.multi_items() if k == "set-cookie" and "session" in v
        )
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Max-Age=43200" in cookie  # 12 hours
        assert "Secure" not in cookie  # plain http on this address

        home = await web.get("/")
        assert home.status_code == 200
        assert "Cora" in home.text and "Sign out" in home.text and "Requests posted" in home.text

    # Only hashes are kept: neither the link's token nor the session's cookie value.
    assert bot.rows("SELECT token_hash FROM web_links") == [(_sha(token),)]
    session = signed.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert bot.rows("SELECT session_hash, user_id FROM web_sessions") == [(_sha(session), CORA.id)]
    every_cell = repr(bot.snapshot()) + repr(bot.rows("SELECT * FROM outbox"))
    assert token not in every_cell and session not in every_cell


async def test_the_liaison_gets_a_link_and_others_are_told_who_it_is_for(
    bot: BotUnderTest,
) -> None:
    async with dashboard(bot) as web:
        await web.sign_in(LIZ)
        home = await web.get("/")
        assert "council liaison" in home.text and "Requests posted" in home.text
    await bot.say(RESIDENT, "/dashboard")
    assert bot.last_text(RESIDENT) == texts.DASHBOARD_NOT_ALLOWED
    assert "signin" not in bot.last_text(RESIDENT)
    assert bot.count("web_links", "user_id=?", (RESIDENT.id,)) == 0


async def test_an_expired_link_is_refused(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        link = await web.link_for(CORA)
        bot.clock.advance(timedelta(minutes=10, seconds=1))
        page = await web.get(link)
        assert page.status_code == 410 and "only good for 10 minutes" in page.text
        assert "Send <kbd>/dashboard</kbd>" in page.text
        # Pressed anyway (the button from a page opened in time): refused all the same.
        bot.clock.advance(timedelta(seconds=-2))
        opened = await web.get(link)
        bot.clock.advance(timedelta(seconds=2))
        late = await web.client.post(link, data=form(opened.text, link))
        assert late.status_code == 410
        assert (await web.get("/")).text.count("Sign in to the dashboard") == 1
    assert bot.count("web_sessions") == 0


async def test_a_used_link_is_refused(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        link = await web.link_for(CORA)
        opened = await web.get(link)
        await web.client.post(link, data=form(opened.text, link))
        web.forget_cookies()  # someone else, or the same person in another browser
        page = await web.get(link)
        assert page.status_code == 410 and "used already" in page.text
        # Replaying the first press is refused too.
        replay = await web.client.post(link, data=form(opened.text, link))
        assert replay.status_code in (403, 410)
        assert "Sign in to the dashboard" in (await web.get("/")).text
    assert bot.count("web_sessions") == 1


async def test_a_wrong_token_is_refused(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        real = await web.link_for(CORA)
        for path in (
            "/signin/" + "A" * 43,
            real[:-1] + ("A" if real[-1] != "A" else "B"),
            "/signin/short",
            "/signin/%3Cscript%3E",
        ):
            page = await web.get(path)
            assert page.status_code == 404, path
            assert "isn't a sign-in link we know" in page.text
            posted = await web.client.post(path, data={"nonce": "x"})
            assert posted.status_code in (403, 410), path
        assert bot.count("web_sessions") == 0
        # The real link still works after the wrong ones.
        assert (await web.open_link(real)).status_code == 303


async def test_sign_in_attempts_are_rate_limited(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        statuses = [(await web.get("/signin/" + "B" * 43)).status_code for _ in range(12)]
        assert statuses[:10] == [404] * 10
        assert statuses[10:] == [429, 429]
        # Even a good link waits its turn from this address.
        link = await web.link_for(CORA)
        slow = await web.get(link)
        assert slow.status_code == 429 and "Retry-After" in slow.headers


async def test_a_form_without_its_token_is_refused_and_changes_nothing(bot: BotUnderTest) -> None:
    need_id = await bot.post_need(RESIDENT)
    async with dashboard(bot) as web:
        await web.sign_in(CORA)
        page = await web.get(f"/needs/{need_id}")
        action = f"/needs/{need_id}/close"
        good = form(page.text, action)
        assert good["csrf"]
        before = bot.snapshot()
        for data in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": _altered(good["csrf"])}):
            refused = await web.client.post(action, data=data)
            assert refused.status_code == 403, data
            assert "nothing was done" in refused.text
        # A form posted from another site, even with a token, is refused too.
        forged = await web.client.post(
            action,
            data=good,
            headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        )
        assert forged.status_code == 403
        after = bot.snapshot()
        after.pop("audit_log"), before.pop("audit_log")  # page views are audited
        assert after == before
        assert bot.rows("SELECT status FROM needs WHERE id=?", (need_id,)) == [("open",)]
        # The sign-in button needs the page it came from too.
        link = await web.link_for(CORA)
        assert (await web.client.post(link, data={})).status_code == 403


async def test_losing_the_role_ends_the_session_at_the_next_request(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        await web.sign_in(LIZ)
        assert (await web.get("/areas")).status_code == 200
        # Cora takes the role away in the chat.
        await bot.say(CORA, "/roles")
        await bot.press(CORA, "Remove Liz (council liaison)")
        if "Yes, remove" in labels(bot.last(CORA)):
            await bot.press(CORA, "Yes, remove")
        assert bot.count("roles", "user_id=? AND role='liaison'", (LIZ.id,)) == 0

        page = await web.get("/areas")
        assert page.status_code == 403 and "no longer hold" in page.text
        assert "Requests posted" not in page.text
        assert 'mutualaid_session=""' in page.headers.get("set-cookie", "")
        assert bot.count("web_sessions", "user_id=?", (LIZ.id,)) == 0
        later = await web.get("/areas")
        assert later.status_code == 303 and later.headers["location"] == "/"
        # And no new link for her.
        await bot.say(LIZ, "/dashboard")
        assert bot.last_text(LIZ) == texts.DASHBOARD_NOT_ALLOWED


async def test_a_link_given_before_the_role_went_does_not_sign_in(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        link = await web.link_for(LIZ)
        opened = await web.get(link)
        await bot.store.roles.remove(LIZ.id, Role.LIAISON, CORA.id, [CORA.id], bot.clock.now())
        pressed = await web.client.post(link, data=form(opened.text, link))
        assert pressed.status_code == 403 and "no longer" in pressed.text
        assert bot.count("web_sessions") == 0
        assert "Sign in to the dashboard" in (await web.get("/")).text


async def test_forget_ends_the_session(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        await web.sign_in(LIZ)
        assert (await web.get("/categories")).status_code == 200
        await bot.say(LIZ, "/forget")
        await bot.press(LIZ, "Delete my data")
        assert bot.count("web_sessions") == 0
        page = await web.get("/categories")
        assert page.status_code == 303
        assert "Sign in to the dashboard" in (await web.get("/")).text


async def test_sessions_last_twelve_hours_and_sign_out_ends_one(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        await web.sign_in(CORA)
        bot.clock.advance(timedelta(hours=11, minutes=59))
        home = await web.get("/")
        assert "Sign out" in home.text
        bot.clock.advance(timedelta(minutes=2))
        assert "Sign in to the dashboard" in (await web.get("/")).text

        await web.sign_in(CORA)
        home = await web.get("/")
        out = await web.submit(home, "/signout")
        assert out.status_code == 303
        assert bot.count("web_sessions", "expires_at > ?", (bot.clock.now().isoformat(),)) == 0
        assert "Sign in to the dashboard" in (await web.get("/")).text


async def test_every_response_carries_the_security_headers(bot: BotUnderTest) -> None:
    async with dashboard(bot) as web:
        await web.sign_in(CORA)
        for path in ("/", "/signin/" + "C" * 43, "/needs", "/static/style.css", "/nowhere"):
            response = await web.get(path)
            headers = response.headers
            policy = headers["content-security-policy"]
            assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
            assert "unsafe-inline" not in policy and "http" not in policy
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"
        page = await web.get("/")
        assert "<script" not in page.text and " style=" not in page.text
        assert page.headers["cache-control"] == "no-store"
        chart = await web.get("/charts/trend.svg")
        assert chart.headers["content-type"].startswith("image/svg+xml")
        assert b"<script" not in chart.content
        assert "script-src" not in chart.headers["content-security-policy"]


async def test_on_https_the_cookie_is_secure(db_path: Path, clock: FakeClock) -> None:
    async with running_bot(
        db_path, clock=clock, coordinator_ids=[CORA.id], web_url="https://aid.example.org"
    ) as bot:
        await bot.agree(CORA)
        async with dashboard(bot, base="https://aid.example.org") as web:
            link = await web.link_for(CORA)
            assert re.search(r"https://aid\.example\.org/signin/", bot.last_text(CORA))
            signed = await web.open_link(link)
            cookie = next(
                v for k, v in signed.headers.multi_items() if k == "set-cookie" and "session" in v
            )
            assert cookie.startswith("__Host-mutualaid_session=")
            assert "Secure" in cookie and "HttpOnly" in cookie
            assert "Cora" in (await web.get("/")).text


async def test_with_the_dashboard_off_dashboard_says_so(db_path: Path, clock: FakeClock) -> None:
    async with running_bot(db_path, clock=clock, coordinator_ids=[CORA.id], web_host="off") as bot:
        await bot.agree(CORA)
        await bot.say(CORA, "/dashboard")
        assert bot.last_text(CORA) == texts.DASHBOARD_OFF
        assert bot.count("web_links") == 0


def _altered(token: str) -> str:
    """The token with its last character changed (always changed: a fixed replacement would
    leave the token as it was whenever it already ended in that character)."""
    return token[:-1] + ("1" if token[-1] == "0" else "0")
