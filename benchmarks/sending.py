"""How fast a burst of outgoing messages leaves through the bot's rate limiter.

A wave of proposals after a big digest means hundreds of messages at once. The bot sends
through PTB's `AIORateLimiter(max_retries=3)` (as `bot.app.build_application` sets it up),
which must keep us at Telegram's pace (about 30 messages a second) and never lose or
repeat a message. This sends a burst of messages, one to each of that many private chats,
all at once (`asyncio.gather`), from a real `ExtBot` with a real `HTTPXRequest` to a small
fake Bot API on 127.0.0.1 (stdlib `ThreadingHTTPServer`, in this file), and counts what
the fake received per chat and which message ids came back.

Three runs (the last is left out with --small):

* clean: the fake accepts every request;
* 429s: the fake answers the first attempt for every twentieth chat with
  `429 Too Many Requests, retry_after=1`, as Telegram does when a bot goes too fast; the
  limiter must wait and retry (max_retries=3), and still deliver each message once;
* the same with a flood wall: after answering a 429 the fake refuses every message for
  the next second, as Telegram's bot-wide flood control does; what the limiter sends in
  that second is refused too and must be retried.

Rates are taken from the times the fake received the messages: "sustained" leaves out the
first second (the limiter's bucket lets a burst through at the start), "overall" is the
whole burst over the whole time.

    python benchmarks/sending.py            # 300 messages per run
    python benchmarks/sending.py --small    # 75 messages, two runs, a few seconds
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from telegram import Message
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

TOKEN = "123456:bench-sending"
BOT_ID = 123456
CHAT_BASE = 5_000_000  # private chat ids are positive: no per-group limit applies
MAX_RETRIES = 3  # as in bot.app.build_application
TARGET_RATE = 27.0
RETRY_AFTER = 1  # seconds, in the fake's 429 answers
_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")


@dataclass
class Received:
    """What the fake Bot API saw: delivered messages by chat, with times, and refusals."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_chat: dict[int, list[int]] = field(default_factory=dict)  # chat -> message ids
    times: list[float] = field(default_factory=list)  # perf_counter of each delivery
    refused: Counter[int] = field(default_factory=Counter)  # chat -> 429s answered
    refuse_first: frozenset[int] = frozenset()  # chats whose first attempt gets a 429
    flood_wall: bool = False  # after a 429, refuse every message until retry_after is over
    wall_until: float = 0.0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
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


@dataclass
class Outcome:
    name: str
    sent: int
    received: Received
    returned: list[Message]
    errors: list[BaseException]
    seconds: float  # from the gather's start to its end, on the sending side

    @property
    def delivered(self) -> int:
        return sum(len(ids) for ids in self.received.by_chat.values())

    @property
    def lost(self) -> int:
        """Chats that were sent a message but never got one."""
        return sum(1 for chat in self.chats if not self.received.by_chat.get(chat))

    @property
    def duplicated(self) -> int:
        """Extra copies: deliveries beyond the first in a chat."""
        return sum(max(0, len(ids) - 1) for ids in self.received.by_chat.values())

    @property
    def chats(self) -> range:
        return range(CHAT_BASE, CHAT_BASE + self.sent)

    @property
    def ids_ok(self) -> bool:
        """Each message returned to the caller has its own id, the one the fake gave it
        for that very chat."""
        ids = [m.message_id for m in self.returned]
        by_id = {i: chat for chat, got in self.received.by_chat.items() for i in got}
        return (
            len(self.returned) == self.sent
            and len(set(ids)) == len(ids)
            and all(by_id.get(m.message_id) == m.chat_id for m in self.returned)
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
        """The most deliveries in any one-second window (the limiter's burst shows here)."""
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


async def burst(name: str, n: int, refuse_every: int | None, flood_wall: bool = False) -> Outcome:
    received = Received(flood_wall=flood_wall)
    if refuse_every:
        received.refuse_first = frozenset(CHAT_BASE + i for i in range(0, n, refuse_every))
    server = _Server(("127.0.0.1", 0), _Handler)
    server.received = received
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/bot"
        bot: ExtBot[Any] = ExtBot(
            TOKEN,
            base_url=base,
            # What ApplicationBuilder gives the bot's own request by default.
            request=HTTPXRequest(connection_pool_size=256),
            rate_limiter=AIORateLimiter(max_retries=MAX_RETRIES),
        )
        async with bot:  # getMe, as the bot does at start
            texts = [f"Can you help? Need #{i}: shopping in Trinity" for i in range(n)]
            start = time.perf_counter()
            results = await asyncio.gather(
                *(bot.send_message(CHAT_BASE + i, texts[i]) for i in range(n)),
                return_exceptions=True,
            )
            seconds = time.perf_counter() - start
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    returned = [r for r in results if isinstance(r, Message)]
    errors = [r for r in results if isinstance(r, BaseException)]
    return Outcome(name, n, received, returned, errors, seconds)


def report(outcomes: list[Outcome]) -> bool:
    print(
        f"{'run':<22}{'sent':>6}{'delivered':>11}{'lost':>6}{'dup':>5}{'429s':>6}"
        f"{'errors':>8}{'seconds':>9}{'overall/s':>11}{'sustained/s':>13}{'busiest 1 s':>13}"
        f"{'longest gap':>13}"
    )
    for o in outcomes:
        print(
            f"{o.name:<22}{o.sent:>6}{o.delivered:>11}{o.lost:>6}{o.duplicated:>5}"
            f"{o.retries:>6}{len(o.errors):>8}{o.seconds:>9.2f}{o.overall_rate:>11.1f}"
            f"{o.sustained_rate:>13.1f}{o.busiest_second:>13}{o.longest_pause:>12.2f}s"
        )
    print()
    ok = True
    for o in outcomes:
        intact = o.lost == 0 and o.duplicated == 0 and not o.errors and o.ids_ok
        ok &= intact
        print(
            f"{o.name}: {'every message delivered once' if intact else 'MESSAGES WRONG'}"
            f" ({len(o.returned)} message ids returned, "
            f"{'all distinct and matching' if o.ids_ok else 'NOT distinct or not matching'})"
        )
        if o.errors:
            print(f"  first error: {o.errors[0]!r}")
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
        "Sending benchmark: ExtBot + HTTPXRequest + AIORateLimiter(max_retries=3) "
        "-> fake Bot API on 127.0.0.1"
    )
    print(f"  {args.messages} messages to {args.messages} private chats at once, per run")
    print()
    outcomes = [await burst("clean", args.messages, None)]
    if args.refuse_every:
        outcomes.append(
            await burst(f"429 every {args.refuse_every}th chat", args.messages, args.refuse_every)
        )
        if not args.small:
            outcomes.append(
                await burst("429s + 1 s flood wall", args.messages, args.refuse_every, True)
            )
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
