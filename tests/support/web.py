"""The dashboard under test: the real Starlette app over a running bot (tests/support/bot.py),
driven in the test's own event loop through httpx's ASGI transport, as a browser would:
cookies kept, forms posted with their hidden fields.

    async with dashboard(bot) as web:
        page = await web.sign_in(coordinator)       # /dashboard in the chat, then the link
        page = await web.get("/needs")
        await web.submit(page, "/needs/12/close")   # the form with that action, as shown
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.app import build_dashboard
from bot.sandbox import Person
from support.bot import BotUnderTest

BASE = "http://127.0.0.1:8080"  # the default MUTUALAID_WEB_URL: links point here
_LINK = re.compile(r'href="(http[^"]+/signin/[^"]+)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_INPUT = re.compile(r"<input\b([^>]*)>", re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def attrs(tag: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR.findall(tag)}


def forms(page: str) -> list[tuple[str, dict[str, str]]]:
    """Each form on a page: its action and its hidden fields' values."""
    found = []
    for head, body in _FORM.findall(page):
        action = attrs(head).get("action", "")
        fields = {}
        for tag in _INPUT.findall(body):
            a = attrs(tag)
            if a.get("type") == "hidden" and "name" in a:
                fields[a["name"]] = a.get("value", "")
        found.append((action, fields))
    return found


def form(page: str, action: str) -> dict[str, str]:
    for found, fields in forms(page):
        if found == action:
            return fields
    raise AssertionError(f"no form posting to {action} on the page: {[a for a, _ in forms(page)]}")


@dataclass
class WebUnderTest:
    bot: BotUnderTest
    client: httpx.AsyncClient
    app: Any

    async def link_for(self, who: Person) -> str:
        """What /dashboard in the chat gives this person: the link's path."""
        await self.bot.say(who, "/dashboard")
        found = _LINK.search(self.bot.last_text(who))
        assert found, f"no sign-in link in {self.bot.last_text(who)!r}"
        return urlsplit(html.unescape(found.group(1))).path

    async def open_link(self, path: str) -> httpx.Response:
        """Open a sign-in link and press its button."""
        page = await self.client.get(path)
        if page.status_code != 200:
            return page
        return await self.client.post(path, data=form(page.text, path))

    async def sign_in(self, who: Person) -> httpx.Response:
        response = await self.open_link(await self.link_for(who))
        assert response.status_code == 303, response.text
        return response

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, **kw)

    async def submit(
        self, page: httpx.Response | str, action: str, **fields: str
    ) -> httpx.Response:
        """Post the form with this action from a page, with its hidden fields (the token)."""
        text = page if isinstance(page, str) else page.text
        return await self.client.post(action, data={**form(text, action), **fields})

    def forget_cookies(self) -> None:
        self.client.cookies.clear()


@asynccontextmanager
async def dashboard(bot: BotUnderTest, base: str = BASE, **kw: Any) -> AsyncIterator[WebUnderTest]:
    raise_errors = kw.pop("raise_errors", True)
    app = build_dashboard(bot.app, **kw)
    transport = httpx.ASGITransport(
        app=app, client=("203.0.113.7", 50000), raise_app_exceptions=raise_errors
    )
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        yield WebUnderTest(bot, client, app)
