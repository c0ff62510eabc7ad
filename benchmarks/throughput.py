"""How many updates a second the real bot handles in-process, and what it costs in memory.

The real Application (`build_application`, as `mutualaid run` builds it) runs on a
temporary database with a `SandboxRequest` standing in for Telegram and no rate limiter.
Volunteers sign up first (not timed); then every resident does /start, I agree, /need, a
category, an area, a description, Today and Post (proposals go out to volunteers inside
Post), and volunteers accept proposals. Updates go in with `await app.process_update(...)`
one after another, as fast as they are handled.

The same updates are then replayed to a bare PTB Application on the same kind of request
whose single handler does one aiosqlite INSERT + commit and replies: the floor that PTB,
aiosqlite and the stand-in Telegram set, to compare the bot against.

    python benchmarks/throughput.py            # 2,000 residents, 500 accepts
    python benchmarks/throughput.py --small    # a few seconds, for the smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.app import build_application
from bot.config import Settings
from bot.sandbox import SandboxRequest, Sent
from domain.community import Community

NOW = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)  # a Wednesday morning: "Today" has a window
RESIDENT_BASE = 1_000_000
VOLUNTEER_BASE = 2_000_000
DESCRIPTION = "A loaf of bread, some milk and a few tins from the corner shop"


class FixedClock:
    def now(self) -> datetime:
        return NOW


class BenchRequest(SandboxRequest):
    """A SandboxRequest that remembers each chat's newest message and every proposal
    message, so people can press buttons without searching their whole screen, and that
    keeps no call log (it would grow with the run and count against memory)."""

    def __init__(self) -> None:
        super().__init__()
        self.newest: dict[int, Sent] = {}
        self.proposals: list[tuple[int, Sent]] = []  # (proposal id, the message asking)
        self.sent = 0

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        status, result = super().answer(method, params)
        self.calls.clear()
        if status == 200 and isinstance(result, dict) and "message_id" in result:
            key = (int(result["chat"]["id"]), int(result["message_id"]))
            sent = self.messages[key]
            if method == "sendMessage":
                self.sent += 1
                self.newest[key[0]] = sent
                for row in sent.buttons:
                    for b in row:
                        data = str(b.get("callback_data", ""))
                        if data.startswith("v1:acc:"):
                            self.proposals.append((int(data.rsplit(":", 1)[1]), sent))
            elif self.newest.get(key[0]) is not None and self.newest[key[0]].message_id == key[1]:
                self.newest[key[0]] = sent
        return status, result


@dataclass
class Feeder:
    """Builds updates as Telegram would deliver them and hands them to an Application."""

    app: Application[Any, Any, Any, Any, Any, Any]
    request: BenchRequest
    record: list[dict[str, Any]] | None = None
    update_id: int = 0
    message_id: int = 10**6
    count: int = 0

    async def feed(self, body: dict[str, Any]) -> None:
        self.update_id += 1
        data = {"update_id": self.update_id, **body}
        if self.record is not None:
            self.record.append(data)
        update = Update.de_json(data, self.app.bot)
        await self.app.process_update(update)
        self.count += 1

    async def say(self, user_id: int, text: str) -> None:
        self.message_id += 1
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": 0,
            "chat": {"id": user_id, "type": "private"},
            "from": _user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        await self.feed({"message": message})

    async def press(self, user_id: int, data: str, message: Sent | None = None) -> None:
        message = message or self.request.newest[user_id]
        await self.feed(
            {
                "callback_query": {
                    "id": f"q{self.update_id + 1}",
                    "from": _user(user_id),
                    "chat_instance": f"ci{user_id}",
                    "data": data,
                    "message": SandboxRequest._message(message),
                }
            }
        )


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id % 10_000}"}


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"


def _maxrss_mb() -> float:
    # Linux reports kilobytes, macOS bytes.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _open_categories(community: Community) -> list[int]:
    """Indexes of categories any volunteer may take (not vetted-only)."""
    return [i for i, c in enumerate(community.categories) if not c.vetted_only]


async def sign_up_volunteers(
    feeder: Feeder, community: Community, n: int, rng: random.Random
) -> None:
    open_cats = _open_categories(community)
    n_areas = len(community.areas)
    for k in range(n):
        v = VOLUNTEER_BASE + k
        await feeder.say(v, "/start")
        await feeder.press(v, "v1:ok:y")
        await feeder.say(v, "/volunteer")
        for i in rng.sample(open_cats, min(len(open_cats), rng.randint(2, 4))):
            await feeder.press(v, f"v1:skill:{i}")
        await feeder.press(v, "v1:skd:")
        # Areas spread evenly, so every area has someone.
        for j in {k % n_areas, rng.randrange(n_areas)}:
            await feeder.press(v, f"v1:varea:{j}")
        await feeder.press(v, "v1:vad:")
        await feeder.press(v, "v1:avail:any")
        await feeder.press(v, "v1:save:")


async def post_needs(feeder: Feeder, community: Community, n: int, rng: random.Random) -> None:
    open_cats = _open_categories(community)
    for k in range(n):
        r = RESIDENT_BASE + k
        await feeder.say(r, "/start")
        await feeder.press(r, "v1:ok:y")
        await feeder.say(r, "/need")
        await feeder.press(r, f"v1:cat:{rng.choice(open_cats)}")
        await feeder.press(r, f"v1:area:{rng.randrange(len(community.areas))}")
        await feeder.say(r, DESCRIPTION)
        await feeder.press(r, "v1:when:today")
        await feeder.press(r, "v1:post:")


async def accept_proposals(feeder: Feeder, n: int) -> int:
    """One Accept for each of the first `n` needs that were proposed (the first asked)."""
    seen_needs: set[str] = set()
    pressed = 0
    for proposal_id, message in list(feeder.request.proposals):
        if pressed >= n:
            break
        # The proposal text names the need ("#123"); one accept per need.
        need_key = (
            message.text.split("#", 1)[1].split()[0] if "#" in message.text else str(proposal_id)
        )
        if need_key in seen_needs:
            continue
        seen_needs.add(need_key)
        current = feeder.request.messages.get((message.chat_id, message.message_id), message)
        await feeder.press(message.chat_id, f"v1:acc:{proposal_id}", current)
        pressed += 1
    return pressed


async def real_app(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database=tmp / "bot.db", volunteer_approval=False
    )
    request = BenchRequest()
    app = build_application(settings, request=request, rate_limit=False, clock=FixedClock())
    community: Community = app.bot_data["services"].community
    errors = ErrorCounter()
    for name in ("handlers", "telegram.ext"):
        logging.getLogger(name).addHandler(errors)
    rng = random.Random(args.seed)
    record: list[dict[str, Any]] = []
    await app.initialize()
    await app.post_init(app)  # type: ignore[misc]
    try:
        feeder = Feeder(app, request)
        t0 = time.perf_counter()
        await sign_up_volunteers(feeder, community, args.volunteers, rng)
        signup_s, signup_n = time.perf_counter() - t0, feeder.count

        feeder.record, feeder.count = record, 0
        t0 = time.perf_counter()
        await post_needs(feeder, community, args.residents, rng)
        t1 = time.perf_counter()
        posted_n = feeder.count
        accepts = await accept_proposals(feeder, args.accepts)
        t2 = time.perf_counter()
        total_n = feeder.count
        rss = _maxrss_mb()
        db = app.bot_data["services"].store.db
        needs = (await db.fetchone("SELECT count(*) FROM needs"))[0]
        proposals = (await db.fetchone("SELECT count(*) FROM proposals"))[0]
        accepted = (await db.fetchone("SELECT count(*) FROM needs WHERE status='accepted'"))[0]
    finally:
        try:
            await app.shutdown()
        finally:
            await app.post_shutdown(app)  # type: ignore[misc]
            for name in ("handlers", "telegram.ext"):
                logging.getLogger(name).removeHandler(errors)
    return {
        "signup_rate": signup_n / signup_s,
        "signup_n": signup_n,
        "post_rate": posted_n / (t1 - t0),
        "post_n": posted_n,
        "accept_rate": (total_n - posted_n) / (t2 - t1) if t2 > t1 else 0.0,
        "accept_n": total_n - posted_n,
        "rate": total_n / (t2 - t0),
        "n": total_n,
        "seconds": t2 - t0,
        "rss": rss,
        "needs": needs,
        "proposals": proposals,
        "accepted": accepted,
        "accepts": accepts,
        "messages_sent": request.sent,
        "errors": errors.count,
        "first_error": errors.first,
        "record": record,
    }


async def bare_app(record: list[dict[str, Any]], tmp: Path) -> dict[str, Any]:
    """The same updates through PTB with one handler: INSERT + commit, then a reply."""
    conn = await aiosqlite.connect(tmp / "bare.db")
    await conn.execute("PRAGMA journal_mode=WAL")  # as storage.db configures the bot's file
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, update_id INTEGER, chat_id INTEGER, "
        "body TEXT)"
    )
    await conn.commit()

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        message = update.effective_message
        body = update.callback_query.data if update.callback_query else message and message.text
        await conn.execute(
            "INSERT INTO events (update_id, chat_id, body) VALUES (?,?,?)",
            (update.update_id, chat.id, body),
        )
        await conn.commit()
        await context.bot.send_message(chat.id, "Noted")

    request = BenchRequest()
    app = (
        ApplicationBuilder()
        .token("0:offline")
        .request(request)
        .get_updates_request(request)
        .build()
    )
    app.add_handler(TypeHandler(Update, handle))
    await app.initialize()
    try:
        t0 = time.perf_counter()
        for data in record:
            await app.process_update(Update.de_json(data, app.bot))
        seconds = time.perf_counter() - t0
        rows = (await (await conn.execute("SELECT count(*) FROM events")).fetchone())[0]  # type: ignore[index]
    finally:
        await app.shutdown()
        await conn.close()
    return {"rate": len(record) / seconds, "n": len(record), "seconds": seconds, "rows": rows}


async def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="mutualaid-bench-") as tmp_name:
        tmp = Path(tmp_name)
        real = await real_app(args, tmp)
        rss_after_real = real["rss"]
        bare = await bare_app(real.pop("record"), tmp)
    ratio = bare["rate"] / real["rate"]

    print("Throughput benchmark: the real Application in-process on a SandboxRequest")
    print(
        f"  {args.volunteers:,} volunteers signed up first ({real['signup_n']:,} updates, "
        f"{real['signup_rate']:.0f} updates/s, not in the headline)"
    )
    print(f"  {args.residents:,} residents x 8 updates, then {real['accepts']:,} accepts")
    print()
    print(f"{'phase':<34}{'updates':>9}{'updates/s':>11}")
    print(f"{'residents: /start .. Post':<34}{real['post_n']:>9,}{real['post_rate']:>11.0f}")
    print(f"{'volunteers: Accept':<34}{real['accept_n']:>9,}{real['accept_rate']:>11.0f}")
    print(f"{'real bot, all timed updates':<34}{real['n']:>9,}{real['rate']:>11.0f}")
    print(f"{'bare PTB (INSERT+commit+reply)':<34}{bare['n']:>9,}{bare['rate']:>11.0f}")
    print()
    print(f"real bot:     {real['rate']:.0f} updates/s ({real['seconds']:.1f} s)")
    print(f"bare PTB:     {bare['rate']:.0f} updates/s ({bare['seconds']:.1f} s)")
    print(f"ratio:        {ratio:.2f}x (bare / real)")
    print(f"peak RSS:     {rss_after_real:.0f} MB (maxrss after the real bot's run)")
    print(
        f"outcome:      {real['needs']:,} needs, {real['proposals']:,} proposals, "
        f"{real['accepted']:,} accepted, {real['messages_sent']:,} messages sent, "
        f"{real['errors']} errors logged"
    )
    if real["first_error"]:
        print(f"first error:  {real['first_error']}")
    print(
        f"targets: >= 400 updates/s: {'met' if real['rate'] >= 400 else 'MISSED'}; "
        f"RSS < 150 MB: {'met' if rss_after_real < 150 else 'MISSED'}; "
        f"ratio < 2x: {'met' if ratio < 2 else 'MISSED'}"
    )
    ok = real["needs"] == args.residents and real["errors"] == 0 and bare["rows"] == bare["n"]
    if not ok:
        print("the run did not go as scripted (see the outcome line)")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--residents", type=int, default=2_000)
    parser.add_argument("--volunteers", type=int, default=300)
    parser.add_argument("--accepts", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.small:
        args.residents, args.volunteers, args.accepts = 40, 20, 10
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
