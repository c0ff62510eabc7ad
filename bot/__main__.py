"""The `mutualaid` command: run, demo, check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

from pydantic import ValidationError
from telegram.error import InvalidToken

from bot.config import Settings
from domain.community import Community, CommunityError, load_community
from storage import DatabaseTooNew

NO_TOKEN = """\
Mutual Aid Bot needs a Telegram bot token to run.

Open Telegram, talk to @BotFather, send /newbot and follow its questions; it answers with
a token like 123456789:AAE... Put it in the environment or in a file named .env here:

    TELEGRAM_BOT_TOKEN=123456789:AAE...

then run `mutualaid run` again. To see the bot work first without a token, run
`mutualaid demo`.
"""


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
    """Poll Telegram with the configuration from the environment or .env."""
    settings = _settings()
    if settings.token is None or not settings.token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    community = _community(settings)
    _logging()
    from bot.app import build_application
    from handlers.errors import redact_token

    redact_token(settings.token.get_secret_value())

    app = build_application(settings, community)
    try:
        app.run_polling(allowed_updates=["message", "callback_query"], close_loop=False)
    except DatabaseTooNew as exc:
        print(exc, file=sys.stderr)
        return 3
    except InvalidToken:
        print("Telegram did not accept the token. " + NO_TOKEN, file=sys.stderr)
        return 2
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
    print(f"Token: {'set' if settings.token else 'not set (mutualaid run needs one)'}")
    return 0


def demo(args: argparse.Namespace) -> int:
    """Play a short story against the real application and an in-process Telegram."""
    from bot.demo import play

    with tempfile.TemporaryDirectory() as folder:
        settings = _settings(database=Path(folder) / "demo.db", volunteer_approval=False)
        community = _community(settings)
        for line in asyncio.run(play(settings, community)):
            print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mutualaid", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot against Telegram").set_defaults(func=run)
    sub.add_parser("demo", help="a scripted story, offline, no token").set_defaults(func=demo)
    sub.add_parser("check", help="validate configuration and community file").set_defaults(
        func=check
    )
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
