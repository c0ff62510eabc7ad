"""The dashboard in a real browser: Chromium from the operating system's packages, driven by
Playwright, against the real `mutualaid run` (bot and dashboard in one process) and the fake
Bot API of the end-to-end test.

People use the bot through the fake Bot API; the coordinator and the liaison sign in with
the links their /dashboard messages carry; every page renders with no console error and
nothing fetched from another site; a chart shows the figures just made; a coordinator asks
a volunteer from a request's page and the proposal reaches the fake Bot API; an expired
link, a used link and a form without its token are refused.

`.ci/run` installs the `chromium` package where it is missing; nothing here is skipped.
"""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    async_playwright,
)
from support.fake_bot_api import FakeBotAPI, User
from test_end_to_end import BotProcess, Walk, launched

COORDINATOR = User(42_999, "Cora", "cora_coord")
LIAISON = User(42_998, "Lena", "lena_council")
VOLUNTEER = User(42_001, "Priya", "priya_helps")
RESIDENTS = (User(42_002, "Margaret"), User(42_003, "Harold", "harold_k"))
FAR = User(42_004, "Doris")
CATEGORY, AREA, FAR_AREA = "Shopping & essentials", "Town Centre", "Berkley Down"
DONE = 6  # requests posted and done in the Town Centre this morning

PAGES = ("/", "/areas", "/categories", "/matching", "/print")
WORK_PAGES = ("/needs", "/volunteers", "/concerns", "/audit")
_LINK = re.compile(r'href="([^"]+/signin/[^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is needed: .ci/run installs the chromium package"
    return found


@pytest.fixture
def fake_api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


@pytest.fixture
def running(fake_api: FakeBotAPI, tmp_path: Path) -> Iterator[tuple[BotProcess, str]]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with launched(
        fake_api,
        "123456789:AAEbrowser_test_token_abcdefghijklmn",
        tmp_path,
        MUTUALAID_WEB_HOST="127.0.0.1",
        MUTUALAID_WEB_PORT=str(port),
        MUTUALAID_WEB_URL=base,
        MUTUALAID_COORDINATOR_IDS=str(COORDINATOR.id),
    ) as bot:
        yield bot, base


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


class Watched:
    """A browser tab whose console errors and requests elsewhere are kept."""

    def __init__(self, context: BrowserContext, page: Page, base: str) -> None:
        self.context, self.page, self.base = context, page, base
        self.errors: list[str] = []
        self.elsewhere: list[str] = []

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"{page.url}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        page.on(
            "request",
            lambda r: None if r.url.startswith((base, "data:")) else self.elsewhere.append(r.url),
        )

    @classmethod
    async def open(cls, browser: Browser, base: str, **kw: object) -> Watched:
        context = await browser.new_context(**kw)  # type: ignore[arg-type]
        return cls(context, await context.new_page(), base)

    def refusals_seen(self, status: int) -> None:
        """Pages refused on purpose: the browser logs each as a failed load; only those."""
        expected = f"status of {status}"
        assert all(expected in e for e in self.errors), self.errors
        self.errors.clear()

    async def go(self, path: str) -> int:
        response = await self.page.goto(self.base + path)
        assert response is not None
        await self.page.wait_for_load_state("networkidle")
        return response.status


def _post_and_finish(walk: Walk, resident: User, area: str, finish: bool) -> None:
    walk.says(resident, "/need")
    walk.presses(resident, walk.expect_buttons(resident, CATEGORY), CATEGORY)
    walk.presses(resident, walk.expect_buttons(resident, area), area)
    walk.says(resident, "Bread and milk from the Co-op, please")
    walk.presses(resident, walk.expect_buttons(resident, "Today"), "Today")
    walk.presses(resident, walk.expect_buttons(resident, "Post"), "Post")
    posted = walk.expect(resident, "the request's number", lambda m: "Posted as #" in m.plain)
    number = re.search(r"#(\d+)", posted.plain)
    assert number
    if finish:
        asked = walk.expect(
            VOLUNTEER, "the proposal", lambda m: f"#{number[1]}" in m.plain and "Accept" in m.labels
        )
        walk.presses(VOLUNTEER, asked, "Accept")
        task = walk.expect(
            VOLUNTEER, "the task", lambda m: "Done" in m.labels and f"#{number[1]}" in m.plain
        )
        walk.presses(VOLUNTEER, task, "Done")
        walk.presses(VOLUNTEER, walk.expect_buttons(VOLUNTEER, "1 hour"), "1 hour")
        walk.expect(
            resident,
            "the request done",
            lambda m: "done" in m.plain.lower() and f"#{number[1]}" in m.plain,
        )


def _agree(walk: Walk, user: User) -> None:
    walk.says(user, "/start")
    walk.presses(user, walk.expect_buttons(user, "I agree"), "I agree")
    walk.expect_buttons(user, "I need help")


def _link(walk: Walk, user: User) -> str:
    walk.says(user, "/dashboard")
    message = walk.expect(user, "a sign-in link", lambda m: "/signin/" in m.text)
    found = _LINK.search(message.text)
    assert found, message.text
    return found.group(1)


async def _sign_in(tab: Watched, link: str) -> None:
    await tab.page.goto(link)
    await tab.page.get_by_role("button", name="Sign in").click()
    await tab.page.wait_for_load_state("networkidle")
    assert await tab.page.locator("form.signout").count() == 1, await tab.page.inner_text("main")


async def test_the_dashboard_in_chromium(
    fake_api: FakeBotAPI, running: tuple[BotProcess, str], browser: Browser, tmp_path: Path
) -> None:
    process, base = running
    walk = Walk(fake_api, process)

    # The morning through the bot: a volunteer, requests posted and done, one far away.
    _agree(walk, VOLUNTEER)
    walk.presses(VOLUNTEER, walk.expect_buttons(VOLUNTEER, "I can help"), "I can help")
    skills = walk.toggles(VOLUNTEER, walk.expect_buttons(VOLUNTEER, CATEGORY, "Done"), CATEGORY)
    walk.presses(VOLUNTEER, skills, "Done")
    areas = walk.toggles(VOLUNTEER, walk.expect_buttons(VOLUNTEER, AREA, "Done"), AREA)
    walk.presses(VOLUNTEER, areas, "Done")
    walk.presses(VOLUNTEER, walk.expect_buttons(VOLUNTEER, "Any time"), "Any time")
    walk.presses(VOLUNTEER, walk.expect_buttons(VOLUNTEER, "Polski", "Done"), "Done")
    walk.presses(VOLUNTEER, walk.expect_buttons(VOLUNTEER, "Save"), "Save")
    walk.expect(VOLUNTEER, "the saved profile", lambda m: "Saved" in m.plain)
    for user in (*RESIDENTS, FAR, COORDINATOR, LIAISON):
        _agree(walk, user)
    for i in range(DONE):
        _post_and_finish(walk, RESIDENTS[i % 2], AREA, finish=True)
    _post_and_finish(walk, FAR, FAR_AREA, finish=False)  # nobody near Berkley Down
    # The coordinator makes Lena the council's liaison, through the bot.
    walk.says(COORDINATOR, "/invite liaison")
    invite = walk.expect(COORDINATOR, "an invite link", lambda m: "?start=" in m.plain)
    code = re.search(r"\?start=([\w-]+)", invite.plain)
    assert code
    walk.says(LIAISON, f"/start {code[1]}")
    walk.expect(LIAISON, "the role", lambda m: "liaison" in m.plain.lower())

    # The coordinator signs in with the link from the bot's /dashboard message.
    cora = await Watched.open(browser, base)
    link = _link(walk, COORDINATOR)
    assert link.startswith(base + "/signin/")
    await _sign_in(cora, link)
    for path in (*PAGES, *WORK_PAGES):
        assert await cora.go(path) == 200, path
        assert await cora.page.locator("h1").count() >= 1, path
        for img in await cora.page.locator("img").all():
            assert await img.evaluate("i => i.complete && i.naturalWidth > 0"), path

    # A chart shows the morning's figures, and its table says the same.
    await cora.go("/")
    src = await cora.page.locator("figure.chart img").first.get_attribute("src")
    assert src and src.startswith("/charts/trend.svg")
    svg = await (await cora.context.request.get(base + src)).text()
    posted = DONE + 1
    assert re.search(rf">{posted}</text>", svg) and re.search(rf">{DONE}</text>", svg), svg[:500]
    row = await cora.page.locator("table").first.locator("tbody tr").first.inner_text()
    assert str(posted) in row and str(DONE) in row
    tiles = await cora.page.locator(".tiles").inner_text()
    assert f"Requests posted\n{posted}" in tiles and f"Done\n{DONE}" in tiles

    # The coordinator asks the volunteer about the far request from its page.
    await cora.go("/needs?status=open")
    await cora.page.locator("table.list a").first.click()
    await cora.page.wait_for_load_state("networkidle")
    heading = await cora.page.locator("h1").inner_text()
    far_id = re.search(r"#(\d+)", heading)
    assert far_id and FAR_AREA in heading
    since = fake_api.version
    await cora.page.get_by_label("or a volunteer's id").fill(str(VOLUNTEER.id))
    await cora.page.get_by_role("button", name="Ask").click()
    await cora.page.wait_for_load_state("networkidle")
    assert "Asked." in await cora.page.inner_text("main")
    proposal = walk.expect(
        VOLUNTEER,
        "the coordinator's proposal",
        lambda m: f"#{far_id[1]}" in m.plain and "Accept" in m.labels,
        since=since,
    )
    assert FAR_AREA in proposal.plain and "Doris" not in proposal.plain

    # A form without its token is refused, and changes nothing.
    assert cora.errors == [], cora.errors
    await cora.go(f"/needs/{far_id[1]}")
    await cora.page.locator("form.close input[name=csrf]").evaluate("e => e.remove()")
    async with cora.page.expect_response(lambda r: r.request.method == "POST") as answer:
        await cora.page.get_by_role("button", name=f"Close #{far_id[1]}").click()
    assert (await answer.value).status == 403
    assert "nothing was done" in await cora.page.inner_text("main")
    with closing(sqlite3.connect(tmp_path / "e2e.db")) as db:
        assert db.execute("SELECT status FROM needs WHERE id=?", (far_id[1],)).fetchone() == (
            "open",
        )
    cora.refusals_seen(403)

    # The link, used once, can't be used again.
    again = await Watched.open(browser, base)
    await again.page.goto(link)
    assert "can't be used" in await again.page.inner_text("main")
    assert await again.page.get_by_role("button", name="Sign in").count() == 0
    again.refusals_seen(410)

    # An expired link: its ten minutes are over (the row is aged, as time would).
    lena = await Watched.open(browser, base, viewport={"width": 390, "height": 844})
    stale = _link(walk, LIAISON)
    with closing(sqlite3.connect(tmp_path / "e2e.db")) as db:
        db.execute(
            "UPDATE web_links SET expires_at='2000-01-01T00:00:00+00:00' WHERE used_at IS NULL"
        )
        db.commit()
    await lena.page.goto(stale)
    assert "only good for 10 minutes" in await lena.page.inner_text("main")
    lena.refusals_seen(410)

    # The liaison signs in (on a phone's screen): her pages work, the coordinators' don't.
    await _sign_in(lena, _link(walk, LIAISON))
    for path in PAGES:
        assert await lena.go(path) == 200, path
        assert "Margaret" not in await lena.page.content()
    assert lena.errors == [], lena.errors
    for path in WORK_PAGES:
        assert await lena.go(path) == 403, path
    lena.refusals_seen(403)
    width = await lena.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page fits a phone's width"

    for tab in (cora, again, lena):
        assert tab.errors == [], tab.errors
        assert tab.elsewhere == [], tab.elsewhere
        await tab.context.close()
