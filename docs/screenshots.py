"""Screenshots of every dashboard page, over the demo's month, into docs/.

    python docs/screenshots.py            # needs the `chromium` package (apt install chromium)

It lives the same month as `mutualaid demo --dashboard`, serves the dashboard on a free
port in this process, signs in with the links /dashboard gives (a coordinator and a
council liaison), and has Chromium (driven by Playwright) photograph each page, on a
laptop's screen and one on a phone's, and the overview once more in Ukrainian (the liaison
having chosen it with /language, in a Ukrainian browser). Any console error fails the run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from playwright.async_api import ConsoleMessage, Page, ViewportSize, async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_dashboard  # noqa: E402
from bot.config import BUNDLED_COMMUNITY, Settings  # noqa: E402
from bot.dashboard_demo import COORDINATOR, LIAISON, sign_in_link, staged  # noqa: E402
from domain.community import load_community  # noqa: E402
from domain.dashboard import period_key  # noqa: E402
from domain.periods import month  # noqa: E402
from web.server import Server, listen  # noqa: E402

OUT = ROOT / "docs"

# The report pages show last month, which the demo lived through whole.
LAST = "?period=last"
COORDINATOR_PAGES = [
    ("overview", "/" + LAST),
    ("areas", "/areas" + LAST),
    ("categories", "/categories" + LAST),
    ("matching", "/matching" + LAST),
    ("print", "/print" + LAST),
    ("needs", "/needs?status=open"),
    ("need", None),  # the first open request's page
    ("volunteers", "/volunteers"),
    ("concerns", "/concerns"),
    ("audit", "/audit"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def sign_in(page: Page, link: str) -> None:
    await page.goto(link)
    await page.locator("main form button[type=submit]").click()  # in any language
    await page.wait_for_load_state()
    if not await page.locator("form.signout").count():
        raise RuntimeError(f"not signed in: {page.url}\n{await page.inner_text('main')}")


async def shoot(out: Path, chromium: str) -> list[Path]:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database=Path(folder) / "screens.db",
            volunteer_approval=True,
            web_port=port,
            web_url=f"http://127.0.0.1:{port}",
        )
        app, sandbox = await staged(settings, load_community(BUNDLED_COMMUNITY))
        server = Server(build_dashboard(app), listen("127.0.0.1", port))
        serving = asyncio.create_task(server.serve())
        today = datetime.now(settings.tz).date()
        last_month = period_key(month(today.replace(day=1) - timedelta(days=1)))
        errors: list[str] = []
        written: list[Path] = []
        try:
            while not server.started:  # noqa: ASYNC110 (uvicorn offers no event for it)
                await asyncio.sleep(0.05)
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                for who, pages, viewport, suffix, language in (
                    (COORDINATOR, COORDINATOR_PAGES, {"width": 1280, "height": 900}, "", "en"),
                    (
                        LIAISON,
                        [("overview", "/" + LAST), ("areas", "/areas" + LAST)],
                        None,
                        "-liaison",
                        "en",
                    ),
                    (
                        LIAISON,
                        [("overview", "/" + LAST)],
                        {"width": 390, "height": 844},
                        "-phone",
                        "en",
                    ),
                    (LIAISON, [("overview", "/" + LAST)], None, "-uk", "uk"),
                ):
                    await app.bot_data["services"].store.people.set_language(who.id, language)
                    context = await browser.new_context(
                        viewport=cast(ViewportSize, viewport or {"width": 1280, "height": 900}),
                        device_scale_factor=1,
                        locale={"en": "en-GB", "uk": "uk-UA"}[language],  # Accept-Language
                    )
                    page = await context.new_page()

                    def noted(message: ConsoleMessage, page: Page = page) -> None:
                        if message.type == "error":
                            errors.append(f"{page.url}: {message.text}")

                    page.on("console", noted)
                    await sign_in(page, await sign_in_link(app, sandbox, who))
                    for name, path in pages:
                        if path is None:
                            await page.goto(f"http://127.0.0.1:{port}/needs?status=open")
                            await page.locator("table.list a").first.click()
                        else:
                            path = path.replace(LAST, f"?period={last_month}")
                            await page.goto(f"http://127.0.0.1:{port}{path}")
                        await page.wait_for_load_state("networkidle")
                        target = out / f"dashboard-{name}{suffix}.png"
                        await page.screenshot(path=str(target), full_page=True)
                        written.append(target)
                    await context.close()
                await browser.close()
        finally:
            server.stop()
            await serving
            await app.shutdown()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
    if errors:
        raise SystemExit("Console errors:\n" + "\n".join(errors))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Chromium is needed: apt-get install chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(args.out, chromium)):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
