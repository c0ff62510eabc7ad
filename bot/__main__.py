"""The `mutualaid` command: run, demo, check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from telegram.error import InvalidToken

from bot import reach
from bot.config import Settings
from domain.community import Community, CommunityError, load_community
from storage import DatabaseTooNew

SENDING_GRACE = 5.0  # seconds to finish sending when stopping

NO_TOKEN = """\
Mutual Aid Bot needs a Telegram bot token to run.

Open Telegram, talk to @BotFather, send /newbot and follow its questions; it answers with
a token like 123456789:AAE... Put it in the environment or in a file named .env here:

    TELEGRAM_BOT_TOKEN=123456789:AAE...

then run `mutualaid run` again. To see the bot work first without a token, run
`mutualaid demo`.
"""


NO_COORDINATOR = """\
Warning: volunteer approval is on (MUTUALAID_VOLUNTEER_APPROVAL) but no coordinator is
configured (MUTUALAID_COORDINATOR_IDS), so nobody could ever approve a volunteer, or invite
a coordinator who could. Add your own Telegram id there (or turn approval off)."""


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=logging.DEBUG if verbose else logging.INFO,
    )
    # httpx logs every request URL at INFO, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise SystemExit("The configuration has problems:\n" + "\n".join(lines)) from None


def _community(settings: Settings) -> Community:
    try:
        return load_community(settings.community_path)
    except CommunityError as exc:
        raise SystemExit(str(exc)) from None


def run(_: argparse.Namespace) -> int:
    """The bot, and the dashboard beside it, with the configuration from the environment
    or .env: updates by polling, or by webhook on the dashboard's server."""
    settings = _settings()
    if settings.token is None or not settings.token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    community = _community(settings)
    _logging()
    from handlers.errors import redact_token

    redact_token(settings.token.get_secret_value())
    try:
        return asyncio.run(_serve(settings, community))
    except DatabaseTooNew as exc:
        print(exc, file=sys.stderr)
        return 3
    except InvalidToken:
        print("Telegram did not accept the token. " + NO_TOKEN, file=sys.stderr)
        return 2


UPDATES = ["message", "callback_query"]


async def _serve(settings: Settings, community: Community) -> int:
    """One process, one event loop: the Application (as `run_polling` would start it) and
    the dashboard's server beside it (PTB's customwebhookbot/starlettebot.py)."""
    from bot.app import build_application, build_dashboard
    from handlers.dashboard import URL_KEY
    from web.server import SWITCH_INTERVAL, Server, listen

    logger = logging.getLogger("bot")
    app = build_application(settings, community)
    webhook = settings.webhook_address
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server: Server | None = None
    if settings.web_host:
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            server = Server(
                build_dashboard(app, webhook=webhook is not None),
                listen(settings.web_host, settings.web_port),
            )
        except OSError as exc:
            where = f"{settings.web_host}:{settings.web_port}"
            if webhook is not None:
                print(f"The web server can't listen on {where}: {exc.strerror}", file=sys.stderr)
                return 4
            # Residents come first: the bot runs on without its dashboard.
            logger.error(
                "The dashboard can't listen on %s (%s); the bot runs without it. Set "
                "MUTUALAID_WEB_PORT (or MUTUALAID_WEB_HOST=off).",
                where,
                exc.strerror,
            )
            app.bot_data[URL_KEY] = None
    # Telegram unreachable: one line each attempt, and again, until it answers or we stop.
    if not await reach.initialize(app, stop, settings.api_base_url or "api.telegram.org"):
        if server is not None:
            server.sock.close()
        return 0
    serving: asyncio.Task[None] | None = None
    try:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        if webhook is not None:
            assert settings.webhook_secret is not None
            await app.bot.set_webhook(
                webhook,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=UPDATES,
            )
            logger.info("Receiving updates by webhook at %s", webhook)
        else:
            await app.updater.start_polling(allowed_updates=UPDATES)
        await app.start()
        if server is not None:
            serving = asyncio.create_task(server.serve())
            logger.info("Dashboard at %s", settings.dashboard_url)
            serving.add_done_callback(lambda _: stop.set())
        await stop.wait()
        logger.info("Stopping")
    finally:
        if server is not None and serving is not None:
            server.stop()
            await asyncio.gather(serving, return_exceptions=True)
        elif server is not None:
            server.sock.close()  # it never served (the start failed)
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await _finish_sending(app)
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
    return 0


def check(_: argparse.Namespace) -> int:
    """Validate the configuration and the community file; print what was found."""
    settings = _settings()
    community = _community(settings)
    source = settings.community_file or "the bundled example"
    print(f"Community: {community.name} (from {source})")
    print(f"Areas ({len(community.areas)}):")
    for area in community.areas:
        extra = []
        if area.aliases:
            extra.append("also " + ", ".join(area.aliases))
        if area.neighbours:
            extra.append("next to " + ", ".join(area.neighbours))
        print(f"  - {area.name}" + (f" ({'; '.join(extra)})" if extra else ""))
    print(f"Categories ({len(community.categories)}):")
    for cat in community.categories:
        print(f"  - {cat.name}" + (" (vetted volunteers only)" if cat.vetted_only else ""))
    print(f"Signposts: {', '.join(s.topic for s in community.signposts)}")
    coordinators = ", ".join(str(i) for i in settings.coordinator_ids) or "none configured"
    print(f"Coordinators: {coordinators}")
    print(f"Database: {settings.database}")
    print(f"Time zone: {settings.timezone}; digest at {settings.digest_time:%H:%M}")
    print(
        f"Waves of {settings.wave_size}, moving on after {settings.wave_timeout} "
        f"({settings.urgent_wave_timeout} for today); volunteer approval "
        f"{'on' if settings.volunteer_approval else 'off'}"
    )
    if settings.web_host:
        print(
            f"Dashboard: {settings.dashboard_url} "
            f"(listening on {settings.web_host}:{settings.web_port})"
        )
    else:
        print("Dashboard: off")
    print(
        f"Updates: by webhook at {settings.webhook_address}"
        if settings.webhook_address
        else "Updates: by polling"
    )
    print(f"Token: {'set' if settings.token else 'not set (mutualaid run needs one)'}")
    if settings.volunteer_approval and not settings.coordinator_ids:
        print(NO_COORDINATOR, file=sys.stderr)
    return 0


def demo(args: argparse.Namespace) -> int:
    """Play a short story against the real application and an in-process Telegram; with
    --dashboard, a month of requests and the dashboard over it."""
    if getattr(args, "dashboard", False):
        from bot.dashboard_demo import show

        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", level=logging.WARNING)
        with tempfile.TemporaryDirectory() as folder:
            settings = _settings(database=Path(folder) / "demo.db", volunteer_approval=False)
            if settings.web_host is None:
                settings = settings.model_copy(update={"web_host": "127.0.0.1"})
            return asyncio.run(show(settings, _community(settings)))
    from bot.demo import play

    with tempfile.TemporaryDirectory() as folder:
        # Quiet hours off: the story is told whatever the hour (proposals would wait for 8:00).
        settings = _settings(
            database=Path(folder) / "demo.db", volunteer_approval=False, quiet_hours=None
        )
        community = _community(settings)
        for line in asyncio.run(play(settings, community)):
            print(line)
    return 0


def catalogues(args: argparse.Namespace) -> int:
    from bot import catalogues as tool

    found = tool.check() if args.check else tool.update()
    for line in tool.report(found):
        print(line)
    return 1 if args.check and any(found.values()) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mutualaid", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot against Telegram").set_defaults(func=run)
    demo_parser = sub.add_parser("demo", help="a scripted story, offline, no token")
    demo_parser.add_argument(
        "--dashboard",
        action="store_true",
        help="a month of made-up requests and the web dashboard over it, with sign-in links",
    )
    demo_parser.set_defaults(func=demo)
    sub.add_parser("check", help="validate configuration and community file").set_defaults(
        func=check
    )
    catalogues_parser = sub.add_parser(
        "catalogues", help="extract the texts to translate and update each language's catalogue"
    )
    catalogues_parser.add_argument(
        "--check", action="store_true", help="only say what is missing, change nothing"
    )
    catalogues_parser.set_defaults(func=catalogues)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())


async def _finish_sending(app: Any) -> None:
    """Messages on their way get a few seconds to go; anything left stays in the outbox and
    is sent at the next start."""
    sender = app.bot_data["services"].sender
    try:
        await asyncio.wait_for(sender.idle(), timeout=SENDING_GRACE)
    except TimeoutError:
        logging.getLogger("bot").info("Stopping with messages still owed; they go at next start")
