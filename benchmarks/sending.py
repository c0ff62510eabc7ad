"""How fast a burst of owed messages leaves through the bot's own sending path.

A wave of proposals or a digest means hundreds of messages at once. The bot owes them in a
unit of work (`handlers.outbox.say` writes `outbox` rows that commit with the change) and
its `Sender` delivers them (handlers/outbox.py): per-chat queues in order, chats side by
side, each row settled only once Telegram accepted it, a 429 leaving the row queued with a
`not_before`, and Telegram's pace kept by its `Budget` (about 30 calls a second after a
burst of 10; people's own messages before bulk ones). It must keep that pace and never
lose or repeat a message.

Each run opens a `storage.Store` on a temporary SQLite file, owes one message to each of
that many private chats inside ONE `store.db.unit()` (alternately PERSONAL and BULK), and
delivers them with the real `Sender(store.outbox, clock, on_blocked, budget=Budget())`
through a real `ExtBot` with a real `HTTPXRequest`, to a small fake Bot API on 127.0.0.1
(stdlib `ThreadingHTTPServer`, in this file). It calls `sender.drain()` until nothing is
waiting, sleeping in between until the earliest `not_before` (as the bot's tick does), and
counts what the fake received per chat and which message ids came back. At the end every
outbox row must be settled as 'sent' with the message id the fake gave for that chat.

Runs (the third is left out with --small):

* clean: the fake accepts every request;
* 429s: the fake answers the first attempt for every twentieth chat with
  `429 Too Many Requests, retry_after=1`, as Telegram does when a bot goes too fast; the
  sender must wait and retry, and still deliver each message once;
* the same with a flood wall: after answering a 429 the fake refuses every message for
  the next second, as Telegram's bot-wide flood control does; what is sent in that second
  is refused too and must be retried;
* digest + answers (priority): a BULK digest to every chat is owed and being sent when,
  a second later, a few people are owed PERSONAL answers (other chats, drained as an update
  would be); reported is how long those answers waited, against the digest's own length.

Rates are taken from the times the fake received the messages: "sustained" leaves out the
first second (the budget lets a burst through at the start), "overall" is the whole burst
over the whole time.

    python benchmarks/sending.py            # 300 messages per run
    python benchmarks/sending.py --small    # 75 messages, fewer runs, a few seconds
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.clock import SystemClock
from handlers.outbox import BULK, PERSONAL, Budget, Sender, say
from storage import Store
from storage.db import parse_ts

TOKEN = "123456:bench-sending"
BOT_ID = 123456
CHAT_BASE = 5_000_000  # private chat ids are positive: no per-group limit applies
TARGET_RATE = 27.0
RETRY_AFTER = 1  # seconds, in the fake's 429 answers
ANSWERS = 5  # personal answers owed while the digest is going out
ANSWERS_AFTER = 1.0  # seconds into the digest
TIME_BOUND = 120.0  # seconds a run may take before it is given up
_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")


@dataclass
class Received:
    """What the fake Bot API saw: delivered messages by chat, with times, and refusals."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_chat: dict[int, list[int]] = field(default_factory=dict)  # chat -> message ids
    at: dict[int, float] = field(default_factory=dict)  # chat -> first delivery's time
    times: list[float] = field(default_factory=list)  # perf_counter of each delivery
    refused: Counter[int] = field(default_factory=Counter)  # chat -> 429s answered
    refuse_first: frozenset[int] = frozenset()  # chats whose first attempt gets a 429
    flood_wall: bool = False  # after a 429, refuse every message until retry_after is over
    wall_until: float = 0.0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The stdlib's listen backlog is 5: a burst of new connections beyond that overflows
    # the accept queue, and the kernel drops handshakes (or resets them). Telegram takes
    # them all.
    request_queue_size = 1024
    received: Received


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        match = _PATH.match(self.path.split("?")[0])
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if match is None or match["token"] != TOKEN:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        if self.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(body or b"{}")
        else:
            params = dict(parse_qsl(body.decode()))
        method = match["method"]
        if method == "getMe":
            me = {"id": BOT_ID, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
            self._reply(200, {"ok": True, "result": me})
        elif method == "sendMessage":
            self._send(params)
        else:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def _send(self, params: dict[str, Any]) -> None:
        got = self.server.received
        chat_id = int(params["chat_id"])
        now = time.perf_counter()
        with got.lock:
            first_try = chat_id in got.refuse_first and not got.refused[chat_id]
            if first_try or now < got.wall_until:
                if got.flood_wall and now >= got.wall_until:
                    got.wall_until = now + RETRY_AFTER
                got.refused[chat_id] += 1
                refusal = {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {RETRY_AFTER}",
                    "parameters": {"retry_after": RETRY_AFTER},
                }
                message_id = None
            else:
                message_id = next(got.ids)
                got.by_chat.setdefault(chat_id, []).append(message_id)
                got.at.setdefault(chat_id, now)
                got.times.append(now)
        if message_id is None:
            self._reply(429, refusal)
            return
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Neighbour"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bench"},
            "text": str(params.get("text", "")),
        }
        self._reply(200, {"ok": True, "result": message})

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Failures(logging.Handler):
    """Counts the sender's warnings and errors (a failed call it will retry, a refusal)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Settled:
    """An outbox row as the database has it at the end."""

    chat_id: int
    priority: int
    outcome: str | None
    message_id: int | None


@dataclass
class Outcome:
    name: str
    chats: list[int]
    received: Received
    rows: list[Settled]  # every outbox row at the end
    failures: list[logging.LogRecord]  # the sender's warnings and errors
    blocked: list[int]
    start: float  # perf_counter at the commit of the unit that owed the burst
    seconds: float  # from that commit until nothing was waiting
    timed_out: bool
    answers: dict[int, float] = field(default_factory=dict)  # chat -> perf_counter owed

    @property
    def sent(self) -> int:
        return len(self.chats)

    @property
    def delivered(self) -> int:
        return sum(len(ids) for ids in self.received.by_chat.values())

    @property
    def lost(self) -> int:
        """Chats that were owed a message but never got one."""
        return sum(1 for chat in self.chats if not self.received.by_chat.get(chat))

    @property
    def duplicated(self) -> int:
        """Extra copies: deliveries beyond the first in a chat."""
        return sum(max(0, len(ids) - 1) for ids in self.received.by_chat.values())

    @property
    def db_ok(self) -> bool:
        """Every row settled as sent, with a message id."""
        return len(self.rows) == self.sent and all(
            r.outcome == "sent" and r.message_id is not None for r in self.rows
        )

    @property
    def ids_ok(self) -> bool:
        """Each row's message id is its own, the one the fake gave for that very chat."""
        ids = [r.message_id for r in self.rows]
        return (
            len(set(ids)) == len(ids)
            and {r.chat_id for r in self.rows} == set(self.chats)
            and all(self.received.by_chat.get(r.chat_id) == [r.message_id] for r in self.rows)
        )

    @property
    def intact(self) -> bool:
        return (
            self.lost == 0
            and self.duplicated == 0
            and self.db_ok
            and self.ids_ok
            and not self.failures
            and not self.blocked
            and not self.timed_out
        )

    @property
    def overall_rate(self) -> float:
        times = sorted(self.received.times)
        if len(times) < 2:
            return float("nan")
        return (len(times) - 1) / (times[-1] - times[0])

    @property
    def sustained_rate(self) -> float:
        """Messages a second after the first second of the burst."""
        times = sorted(self.received.times)
        if not times:
            return float("nan")
        after = [t for t in times if t >= times[0] + 1.0]
        if len(after) < 2:
            return float("nan")
        return (len(after) - 1) / (after[-1] - after[0])

    @property
    def busiest_second(self) -> int:
        """The most deliveries in any one-second window (the budget's burst shows here)."""
        times = sorted(self.received.times)
        best, j = 0, 0
        for i, t in enumerate(times):
            while times[j] < t - 1.0:
                j += 1
            best = max(best, i - j + 1)
        return best

    @property
    def longest_pause(self) -> float:
        """The longest time between two deliveries (a RetryAfter pause shows here)."""
        times = sorted(self.received.times)
        return max((b - a for a, b in itertools.pairwise(times)), default=0.0)

    @property
    def retries(self) -> int:
        return sum(self.received.refused.values())

    def done_at(self, priority: int) -> float:
        """Seconds from the commit until the last message of this priority arrived."""
        times = [
            self.received.at[r.chat_id]
            for r in self.rows
            if r.priority == priority and r.chat_id in self.received.at
        ]
        return max(times) - self.start if times else float("nan")

    @property
    def answer_waits(self) -> list[float]:
        """Seconds each personal answer waited, from its commit to its delivery."""
        return [
            self.received.at[chat] - owed if chat in self.received.at else float("inf")
            for chat, owed in self.answers.items()
        ]


class _Fake:
    """The fake Bot API on a thread of its own, for one run."""

    def __init__(self, received: Received) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.received = received
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def __enter__(self) -> _Fake:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


async def deliver(sender: Sender, store: Store, clock: SystemClock, deadline: float) -> bool:
    """Drain until nothing waits, sleeping until the earliest `not_before` in between (the
    bot's tick does this); False if the time bound ran out first."""
    while True:
        await sender.drain()
        if sender.waiting() == 0:
            return True
        row = await store.db.fetchone(
            "SELECT MIN(not_before) FROM outbox WHERE settled_at IS NULL AND not_before IS NOT NULL"
        )
        earliest = parse_ts(row[0]) if row is not None else None
        wait = (earliest - clock.now()).total_seconds() if earliest is not None else 0.0
        wait = max(wait, 0.01)
        if time.perf_counter() + wait > deadline:
            return False
        await asyncio.sleep(wait)


async def burst(
    name: str,
    n: int,
    refuse_every: int | None = None,
    flood_wall: bool = False,
    answers: int = 0,
) -> Outcome:
    """One run. Without answers: n messages, alternately PERSONAL and BULK, owed in one unit
    of work. With answers: n BULK messages (a digest), and `answers` PERSONAL ones to other
    chats owed ANSWERS_AFTER seconds into its sending."""
    received = Received(flood_wall=flood_wall)
    if refuse_every:
        received.refuse_first = frozenset(CHAT_BASE + i for i in range(0, n, refuse_every))
    clock = SystemClock()
    blocked: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    failures = _Failures()
    sender_log = logging.getLogger("handlers.outbox")
    sender_log.addHandler(failures)
    answered: dict[int, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, _Fake(received) as fake:
            store = Store.at(Path(tmp) / "bench.sqlite3")
            await store.db.connect()
            sender = Sender(store.outbox, clock.now, on_blocked, budget=Budget())
            bot: ExtBot[Any] = ExtBot(
                TOKEN,
                base_url=fake.base_url,
                # What ApplicationBuilder gives the bot's own request by default.
                request=HTTPXRequest(connection_pool_size=256),
            )
            try:
                async with bot:  # getMe, as the bot does at start
                    sender.bot = bot
                    now = clock.now()
                    async with store.db.unit():
                        for i in range(n):
                            say(
                                store.outbox,
                                now,
                                CHAT_BASE + i,
                                f"Can you help? Need #{i}: shopping in Trinity",
                                priority=BULK if answers or i % 2 else PERSONAL,
                            )
                    start = time.perf_counter()
                    deadline = start + TIME_BOUND
                    if answers:
                        digest = asyncio.create_task(sender.drain())
                        await asyncio.sleep(ANSWERS_AFTER)
                        chats = [CHAT_BASE + n + j for j in range(answers)]
                        async with store.db.unit():
                            for chat in chats:
                                say(store.outbox, clock.now(), chat, "Thank you, Sam is coming.")
                        owed = time.perf_counter()
                        answered = dict.fromkeys(chats, owed)
                        await sender.drain(chats)  # as an update's own messages are
                        await digest
                    finished = await deliver(sender, store, clock, deadline)
                    seconds = time.perf_counter() - start
                rows = await store.db.fetchall(
                    "SELECT chat_id, priority, outcome, message_id FROM outbox ORDER BY id"
                )
            finally:
                await store.close()
    finally:
        sender_log.removeHandler(failures)
    settled = [Settled(r[0], r[1], r[2], r[3]) for r in rows]
    chats = [CHAT_BASE + i for i in range(n)] + list(answered)
    return Outcome(
        name,
        chats,
        received,
        settled,
        failures.records,
        blocked,
        start,
        seconds,
        not finished,
        answered,
    )


def _s(seconds: float) -> str:
    return f"{seconds:.2f}s" if seconds == seconds else "-"  # NaN: nothing of that kind


def report(outcomes: list[Outcome]) -> bool:
    print(
        f"{'run':<24}{'sent':>6}{'delivered':>11}{'lost':>6}{'dup':>5}{'429s':>6}"
        f"{'errors':>8}{'seconds':>9}{'overall/s':>11}{'sustained/s':>13}{'busiest 1 s':>13}"
        f"{'longest gap':>13}{'personal by':>13}{'bulk by':>10}"
    )
    for o in outcomes:
        print(
            f"{o.name:<24}{o.sent:>6}{o.delivered:>11}{o.lost:>6}{o.duplicated:>5}"
            f"{o.retries:>6}{len(o.failures):>8}{o.seconds:>9.2f}{o.overall_rate:>11.1f}"
            f"{o.sustained_rate:>13.1f}{o.busiest_second:>13}{o.longest_pause:>12.2f}s"
            f"{_s(o.done_at(PERSONAL)):>13}{_s(o.done_at(BULK)):>10}"
        )
    print()
    ok = True
    for o in outcomes:
        ok &= o.intact
        sent = sum(1 for r in o.rows if r.outcome == "sent" and r.message_id is not None)
        print(
            f"{o.name}: {'every message delivered once' if o.intact else 'MESSAGES WRONG'}"
            f" ({sent} of {len(o.rows)} outbox rows settled 'sent' with a message id, "
            f"{'all distinct and matching' if o.ids_ok else 'NOT distinct or not matching'})"
        )
        if o.timed_out:
            print(f"  gave up after {TIME_BOUND:.0f} s with messages still waiting")
        if o.blocked:
            print(f"  {len(o.blocked)} chats reported as blocked")
        for record in o.failures[:3]:
            print(f"  sender: {record.getMessage()}")
    for o in outcomes:
        if o.answers:
            waits = o.answer_waits
            print(
                f"priority: {len(waits)} personal answers owed {ANSWERS_AFTER:.0f} s into a "
                f"{len(o.chats) - len(waits)}-message BULK digest waited median "
                f"{statistics.median(waits):.2f} s, max {max(waits):.2f} s "
                f"(the digest took {o.done_at(BULK):.2f} s)"
            )
    clean = outcomes[0]
    fast = clean.sustained_rate >= TARGET_RATE
    print(
        f"target: sustained >= {TARGET_RATE:.0f} msg/s on the clean run, 0 lost, 0 duplicated: "
        f"{'holds' if fast and ok else 'MISSED'} ({clean.sustained_rate:.1f} msg/s)"
    )
    return ok


async def run(args: argparse.Namespace) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its URLs carry the token
    print(
        "Sending benchmark: say() in one unit of work -> outbox (SQLite) -> "
        "Sender + Budget -> ExtBot + HTTPXRequest -> fake Bot API on 127.0.0.1"
    )
    print(
        f"  {args.messages} messages to {args.messages} private chats, owed at once, per run "
        "(alternately PERSONAL and BULK)"
    )
    print()
    outcomes = [await burst("clean", args.messages)]
    if args.refuse_every:
        name = f"429 every {args.refuse_every}th chat"
        outcomes.append(await burst(name, args.messages, args.refuse_every))
        if not args.small:
            outcomes.append(
                await burst("429s + 1 s flood wall", args.messages, args.refuse_every, True)
            )
    outcomes.append(await burst("digest + answers", args.messages, answers=ANSWERS))
    ok = report(outcomes)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument(
        "--refuse-every",
        type=int,
        default=20,
        help="in the second run, answer 429 to the first try of every Nth chat (0: no run)",
    )
    args = parser.parse_args(argv)
    if args.small:
        args.messages = 75
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
