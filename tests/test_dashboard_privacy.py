"""Privacy, proved over the web (the method of the liaison's chat report, issue 4): people with
distinctive names post distinctive requests through the bot; a council liaison signs in and
follows every link from the start page, with every period on offer; no name, username, id,
description, location or request number appears anywhere she can reach. And every
coordinator's page and action refuses her."""

from __future__ import annotations

import html
import re
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from starlette.routing import Route
from support.bot import BotUnderTest, FakeClock, labels, running_bot
from support.web import BASE, WebUnderTest, attrs, dashboard, form

from bot.sandbox import Person
from domain.models import Role
from web import work

CORA = Person(9_200_001, "Cora", "cora_coord")
LIZ = Person(9_200_002, "Liz", "liz_council")
RESIDENTS = (
    Person(7_731_941, "Zebulon", "zeb_quartermain"),
    Person(7_731_942, "Philippa", "pip_vandersloot"),
    Person(7_731_943, "Ignatius"),
    Person(7_731_944, "Wilhelmina", "mina_fairweather"),
)
VOLUNTEERS = (Person(7_731_951, "Quentavious", "quent_helps"), Person(7_731_952, "Marisol"))
WORDS = (
    "Wexcombe Terrace parcel",
    "Fennimore's library books",
    "Ottoline the tabby needs feeding",
    "Grisewood pharmacy order",
)
PLACE = (51.2318123, -2.3275456)  # shared instead of naming an area
CONCERN = "Ladder by the Wexcombe gate looked unsafe"
CALLER = ("Bartholomew", "07700 900123")

# A page's links: anchors, stylesheets, images.
_LINKS = re.compile(r"""<(?:a|link|img)\b[^>]*?(?:href|src)="([^"]+)\"""")
_SELECT = re.compile(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option\b[^>]*value="([^"]*)"')
_GET_FORM = re.compile(r'<form\b[^>]*method="get"[^>]*>(.*?)</form>', re.S)


@pytest.fixture
async def bot(db_path: Path, clock: FakeClock):
    async with running_bot(db_path, clock=clock, coordinator_ids=[CORA.id]) as running:
        await running.agree(CORA, LIZ, *RESIDENTS, *VOLUNTEERS)
        await running.store.people.grant(LIZ.id, Role.LIAISON, clock.now(), CORA.id)
        yield running
        assert not running.errors.records, running.errors.describe()


async def _a_busy_morning(bot: BotUnderTest) -> list[int]:
    """Requests from everyone (one by a shared location, one phoned in), most taken and
    done, one concern."""
    for volunteer in VOLUNTEERS:
        await bot.sign_up(
            volunteer,
            skills=("Shopping & essentials", "Prescriptions", "Post & errands"),
            areas=("Trinity", "Town Centre", "Badcox"),
        )
    for i in range(16):
        who = RESIDENTS[i % len(RESIDENTS)]
        category = ("Shopping & essentials", "Prescriptions", "Post & errands")[i % 3]
        area = ("Trinity", "Town Centre", "Badcox")[i % 3]
        await bot.post_need(who, category=category, area=area, description=WORDS[i % 4])
        # Most are taken at once and done; a few wait.
        if i % 5 != 4:
            volunteer = VOLUNTEERS[i % 2]
            offered = [m for m in bot.screen(volunteer) if "Accept" in labels(m)]
            if offered:
                await bot.press(volunteer, "Accept", offered[-1])
                await bot.press(volunteer, "Done")
                await bot.press(volunteer, "1 hour")
    # One whose area is a shared location.
    await bot.start_need(RESIDENTS[0], "Shopping & essentials")
    await bot.share_location(RESIDENTS[0], *PLACE)
    await bot.say(RESIDENTS[0], "Milk for Zebulon at number 14")
    await bot.press(RESIDENTS[0], "Today")
    await bot.press(RESIDENTS[0], "Post")
    await bot.its_new_if_asked(RESIDENTS[0])
    # One phoned in, entered by a coordinator.
    await bot.say(CORA, f"/newneed {CALLER[0]}, {CALLER[1]}")
    await bot.press(CORA, "Prescriptions")
    await bot.press(CORA, "Trinity")
    await bot.say(CORA, "Repeat prescription for the caller")
    await bot.press(CORA, "Tomorrow")
    await bot.press(CORA, "Post")
    await bot.its_new_if_asked(CORA)
    # One more is taken and not yet done: its volunteer raises a concern.
    offered = [m for m in bot.screen(VOLUNTEERS[0]) if "Accept" in labels(m)]
    await bot.press(VOLUNTEERS[0], "Accept", offered[0])
    await bot.press(
        VOLUNTEERS[0], "Raise a concern", bot.message_with_button(VOLUNTEERS[0], "Raise a concern")
    )
    await bot.say(VOLUNTEERS[0], CONCERN)
    if "Send" in labels(bot.last(VOLUNTEERS[0])):
        await bot.press(VOLUNTEERS[0], "Send")
    ids = [r[0] for r in bot.rows("SELECT id FROM needs ORDER BY id")]
    assert len(ids) == 18 and bot.count("needs", "status='done'") >= 10
    assert bot.count("concerns") == 1
    return ids


def _secrets(bot: BotUnderTest, need_ids: list[int]) -> list[str]:
    people = [*RESIDENTS, *VOLUNTEERS]
    found = [p.first_name for p in people] + [p.username for p in people if p.username]
    found += [str(p.id) for p in people] + [str(CORA.id), str(LIZ.id)]
    found += [*WORDS, CONCERN, "Milk for Zebulon", "Repeat prescription", *CALLER]
    found += [f"{PLACE[0]}", f"{PLACE[1]}", f"{PLACE[0]:.4f}", f"{PLACE[1]:.4f}"]
    found += [f"/needs/{i}" for i in need_ids]
    return found


def _visible(page: str) -> str:
    """What a person reads of an HTML page (no tags, styles or attributes)."""
    page = re.sub(r"<style\b.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _same_site(base: str, link: str) -> str | None:
    url = urlsplit(urljoin(base, html.unescape(link)))
    if url.netloc and url.netloc != urlsplit(BASE).netloc:
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def _period_variants(path: str, page: str) -> list[str]:
    """Every period the page's GET forms offer: each option of each list, and the dates
    form as it comes and with a range of its own."""
    out = []
    for body in _GET_FORM.findall(page):
        fields = {
            a["name"]: a.get("value", "")
            for a in map(attrs, re.findall(r"<input\b[^>]*>", body))
            if "name" in a
        }
        for name, options in _SELECT.findall(body):
            for value in _OPTION.findall(options):
                out.append(f"{path}?{urlencode({**fields, name: html.unescape(value)})}")
        if "from" in fields and "to" in fields:
            out.append(f"{path}?{urlencode(fields)}")
            out.append(f"{path}?{urlencode({**fields, 'from': '2025-02-20', 'to': '2025-03-12'})}")
    return out


async def _crawl(web: WebUnderTest, start: str = "/") -> dict[str, tuple[int, str, bytes]]:
    seen: dict[str, tuple[int, str, bytes]] = {}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if path in seen or len(seen) > 2000:
            continue
        response = await web.get(path)
        kind = response.headers.get("content-type", "")
        seen[path] = (response.status_code, kind, response.content)
        if not kind.startswith("text/html"):
            continue
        page = response.text
        base_path = urlsplit(path).path
        for link in _LINKS.findall(page):
            found = _same_site(BASE + path, link)
            if found and found not in seen:
                queue.append(found)
        for variant in _period_variants(base_path, page):
            if variant not in seen:
                queue.append(variant)
    return seen


async def test_nothing_a_liaison_can_reach_names_or_points_to_anyone(bot: BotUnderTest) -> None:
    need_ids = await _a_busy_morning(bot)
    secrets = _secrets(bot, need_ids)
    async with dashboard(bot) as web:
        await web.sign_in(LIZ)
        pages = await _crawl(web)

    paths = set(pages)
    kinds = {kind.split(";")[0] for _, kind, _ in pages.values()}
    # The whole of it was reached: every page, the CSV, every chart, every period offered.
    for expected in (
        "/areas",
        "/categories",
        "/matching",
        "/print",
        "/referrals",
        "/report.csv",
        "/charts/",
    ):
        assert any(p.startswith(expected) for p in paths), (expected, sorted(paths)[:20])
    assert {"text/html", "text/csv", "image/svg+xml", "text/css"} <= kinds
    assert sum("period=2025-Q1" in p for p in paths) >= 5
    assert sum("from=2025-02-20" in p for p in paths) >= 5
    assert len(paths) > 100

    problems = []
    for path, (status, kind, body) in pages.items():
        if status != 200:
            problems.append(f"{path}: status {status}")
        text = body.decode("utf-8", "replace")
        low = text.lower()
        for secret in secrets:
            if secret.lower() in low:
                problems.append(f"{path}: {secret!r}")
        if kind.startswith(("text/html", "text/csv")):
            # Read and as written (comments and attributes too).
            for shown in (_visible(text), text):
                if hits := re.findall(r"(?<!&)#\s?\d+", shown):
                    problems.append(f"{path}: request numbers {hits[:3]}")
        if kind.startswith("image/svg"):
            drawn = re.sub(r"<style\b.*?</style>", "", text, flags=re.S)
            if hits := re.findall(r"#\d+\b", drawn):
                problems.append(f"{path}: request numbers {hits[:3]}")
        for coordinators in ("/needs", "/volunteers", "/concerns", "/audit"):
            if f'href="{coordinators}' in text:
                problems.append(f"{path}: links to {coordinators}")
    assert problems == []

    # The figures are really there (this is not a crawl of empty pages).
    overview = pages["/"][2].decode()
    assert "Requests posted" in overview and re.search(r"<dd>1[0-9]</dd>", overview)


async def test_a_liaison_is_refused_every_coordinators_page_and_action(bot: BotUnderTest) -> None:
    need_ids = await _a_busy_morning(bot)
    need_id = need_ids[0]
    volunteer = VOLUNTEERS[0].id
    concern = bot.rows("SELECT id FROM concerns")[0][0]
    values = {"need_id": str(need_id), "user_id": str(volunteer), "concern_id": str(concern)}
    async with dashboard(bot) as web:
        routes = [
            r
            for r in web.app.routes
            if isinstance(r, Route) and r.endpoint.__module__ == work.__name__
        ]
        assert len(routes) >= 9
        await web.sign_in(LIZ)
        token = form((await web.get("/")).text, "/signout")["csrf"]
        before = bot.snapshot()
        refused = []
        for route in routes:
            for method in sorted(route.methods or ()):
                if method == "HEAD":
                    continue
                actions = ["approve", "reject", "vet", "unvet", "block", "unblock"]
                for action in actions if "{action}" in route.path else [""]:
                    path = route.path.format(**values, action=action)
                    if method == "GET":
                        for query in ("", "?status=open&area=Trinity", f"?id={need_id}&q=Zebulon"):
                            response = await web.get(path + query)
                            refused.append((path + query, response.status_code))
                            assert (
                                "Zebulon" not in response.text
                                and "Quentavious" not in response.text
                            )
                    else:
                        response = await web.client.post(
                            path,
                            data={"csrf": token, "volunteer_id": str(volunteer), "reason": "x"},
                        )
                        refused.append((path, response.status_code))
        assert refused and all(status == 403 for _, status in refused), [
            r for r in refused if r[1] != 403
        ]
        assert bot.snapshot() == before
        # The coordinator, by contrast, gets each page.
        web.forget_cookies()
        await web.sign_in(CORA)
        for path in ("/needs", f"/needs/{need_id}", "/volunteers", "/concerns", "/audit"):
            assert (await web.get(path)).status_code == 200, path


def test_the_crawl_follows_period_forms() -> None:
    """The crawler itself: a page's period list and dates form become links to follow."""
    page = (
        '<form method="get" action="/areas"><select name="period">'
        '<option value="2025-03">x</option><option value="2025-Q1">y</option></select></form>'
        '<form method="get" action="/areas"><input type="date" name="from" value="2025-03-01">'
        '<input type="date" name="to" value="2025-03-31"></form>'
    )
    found = _period_variants("/areas", page)
    assert "/areas?period=2025-03" in found and "/areas?period=2025-Q1" in found
    assert "/areas?from=2025-03-01&to=2025-03-31" in found
    assert dict(parse_qsl(urlsplit(found[-1]).query)) == {"from": "2025-02-20", "to": "2025-03-12"}
