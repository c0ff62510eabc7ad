"""The one road for what the bot says after a change: owe it in the change's transaction,
send it from the outbox.

Handlers and timed work never call Telegram to tell someone something. They `say`, `edit`
or `set_buttons` inside the unit of work they run in (an update, a row of timed work); the
rows commit with the change, and the `Sender` delivers them afterwards, in order per chat,
marking each settled only once Telegram has accepted it. A crash before the commit leaves
neither the change nor the message; a crash after it leaves rows the sender delivers on
start-up. Only the one instant between Telegram's acceptance and the mark can repeat a
message.

Answers to button presses (the little toast) are not owed: they are sent after the commit
and forgotten, since a crash makes Telegram stop the spinner itself.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import datetime, timedelta
from typing import Any

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from domain.privacy import is_anonymous
from storage.db import current_unit
from storage.outbox import ANSWER, BULK, EDIT, MARKUP, PERSONAL, SEND, OutboxRepo, Owed

logger = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(minutes=30)
SETTLED_KEPT = timedelta(days=7)  # settled rows, so a late edit still finds its message

_MARKUPS: dict[str, type[Markup]] = {
    "inline": InlineKeyboardMarkup,
    "reply": ReplyKeyboardMarkup,
    "remove": ReplyKeyboardRemove,
    "force": ForceReply,
}
_KIND = {cls: name for name, cls in _MARKUPS.items()}

__all__ = ["ANSWER", "BULK", "PERSONAL", "Sender", "edit", "say", "set_buttons", "soon"]


def _markup(markup: Markup | None) -> dict[str, Any] | None:
    if markup is None:
        return None
    return {"kind": _KIND[type(markup)], "data": markup.to_dict()}


def _unmarkup(data: Any, bot: Bot) -> Markup | None:
    if not isinstance(data, dict) or data.get("kind") not in _MARKUPS:
        return None
    return _MARKUPS[data["kind"]].de_json(data["data"], bot)


def say(
    outbox: OutboxRepo,
    now: datetime,
    chat_id: int,
    text: str,
    markup: Markup | None = None,
    *,
    key: str | None = None,
    priority: int = PERSONAL,
    transient: bool = False,
) -> None:
    """Owe someone a message (HTML). Nobody is owed anything once forgotten (/forget)."""
    if chat_id == 0 or is_anonymous(chat_id):
        return
    payload = {"text": text, "markup": _markup(markup)}
    outbox.owe(chat_id, SEND, payload, now, key=key, priority=priority, transient=transient)


def edit(
    outbox: OutboxRepo,
    now: datetime,
    chat_id: int,
    text: str,
    markup: Markup | None = None,
    *,
    message_id: int | None = None,
    target: str | None = None,
) -> None:
    """Owe someone an edit of a message: by its id, or by the key it was sent with. Without
    buttons the edited message has none."""
    if chat_id == 0 or is_anonymous(chat_id):
        return
    payload = {"text": text, "markup": _markup(markup), "message_id": message_id}
    outbox.owe(chat_id, EDIT, payload, now, target=target)


def set_buttons(
    outbox: OutboxRepo,
    now: datetime,
    chat_id: int,
    markup: InlineKeyboardMarkup | None = None,
    *,
    message_id: int | None = None,
    target: str | None = None,
) -> None:
    """Owe someone new buttons under a message (none: the buttons go)."""
    if chat_id == 0 or is_anonymous(chat_id):
        return
    payload = {"markup": _markup(markup), "message_id": message_id}
    outbox.owe(chat_id, MARKUP, payload, now, target=target)


def soon(call: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """Something owed to nobody in particular (a button's toast, a file that changes
    nothing): sent once the unit of work is over, whether it committed or not."""
    unit = current_unit()
    if unit is None:
        raise RuntimeError("soon() is for the unit of work in progress")
    calls: list[Callable[[], Coroutine[Any, Any, Any]]] = unit.state.setdefault("soon", [])
    calls.append(call)


async def send_soon(
    calls: Iterable[Callable[[], Coroutine[Any, Any, Any]]],
    sent: Callable[[Message], None] | None = None,
) -> None:
    """Send what `soon` gathered, side by side; Telegram failing here changes nothing.
    Each message that reaches a chat is told to `sent` (the sender's `saw`)."""
    results = await asyncio.gather(*(c() for c in calls), return_exceptions=True)
    for result in results:
        if isinstance(result, Exception) and not _not_modified(result):
            logger.info("An answer could not be sent: %r", result)
        elif isinstance(result, Message) and sent is not None:
            sent(result)


def _not_modified(exc: BaseException) -> bool:
    return isinstance(exc, BadRequest) and "message is not modified" in exc.message.lower()


class Budget:
    """Telegram's pace for new messages: at most `rate` in any one second, across all chats.
    A message waits its turn by priority (people's own business before bulk messages), then
    by arrival. Each chat has at most one message waiting (the sender sends a chat's rows one
    at a time), so a chat with a hundred rows queued takes turns with everyone else. Edits
    and button answers are not messages and do not wait here."""

    # 30 in any 1.1 s: Telegram's "about 30 a second", with room for the network to bunch
    # up messages released evenly (measured: 31 in one second at a 1.0 s window). Of those,
    # `reserve` are kept for answers to what someone just did: a burst of proposals or
    # news never takes the whole second from the people waiting for their next question.
    def __init__(self, rate: int = 30, window: float = 1.1, reserve: int = 12) -> None:
        self.rate = rate
        self.window = window
        self.reserve = reserve
        self._sent: deque[float] = deque()
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._hand_out_task: asyncio.Task[None] | None = None

    def _room(self, priority: int) -> float:
        """0 if a message of this priority may go now, else how long until one may."""
        now = time.monotonic()
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        limit = self.rate if priority <= ANSWER else max(1, self.rate - self.reserve)
        if len(self._sent) < limit:
            return 0.0
        return self._sent[len(self._sent) - limit] + self.window - now

    async def take(self, priority: int = PERSONAL) -> None:
        ahead = self._waiting and self._waiting[0][0] <= priority
        if not ahead and self._room(priority) == 0:
            self._sent.append(time.monotonic())
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), turn))
        if self._hand_out_task is None or self._hand_out_task.done():
            self._hand_out_task = asyncio.get_running_loop().create_task(self._hand_out())
        await turn

    async def _hand_out(self) -> None:
        while self._waiting:
            wait = self._room(self._waiting[0][0])
            if wait > 0:
                # Not longer than that: an answer arriving meanwhile goes first.
                await asyncio.sleep(min(wait, 0.05))
                continue
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():  # a caller that gave up (cancelled) does not spend a turn
                self._sent.append(time.monotonic())
                turn.set_result(None)


class Sender:
    """Delivers the outbox: one queue per chat, in order; chats side by side.

    Whoever holds a chat's lock sends everything queued for it, so two units of work that
    both owe the same person cannot reorder their messages. Edits of a message already on
    screen have a queue (and lock) of their own per message: they keep their order, but
    never wait behind new messages still waiting for Telegram's pace (a volunteer's Accept
    is answered while a proposal to them is queued).

    With `background` (the running bot), what timed work owes is sent by tasks of its own,
    so nobody's next step waits for other people's messages; without it (tests, the demo,
    where sending is instant) everything is sent before the update's handling returns.
    """

    def __init__(
        self,
        outbox: OutboxRepo,
        clock: Callable[[], datetime],
        on_blocked: Callable[[int], Awaitable[None]],
        concurrency: int = 64,
        budget: Budget | None = None,
        background: bool = False,
    ) -> None:
        self.outbox = outbox
        self.now = clock
        self.on_blocked = on_blocked
        self.budget = budget
        self.background = background
        self.bot: Bot | None = None
        # Keyed by chat (new messages, edits by key) or by (chat, message id) (edits of a
        # message on screen).
        self._queues: dict[int | tuple[int, int], deque[Owed]] = {}
        self._locks: dict[int | tuple[int, int], asyncio.Lock] = {}
        self._users: dict[int | tuple[int, int], int] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._queued: set[int] = set()
        self._tasks: set[asyncio.Task[bool]] = set()
        # The newest message sent to each chat since start-up (a flow's question is edited
        # in place only while it is the newest: handlers/flows.py `ask`).
        self._newest: dict[int, int] = {}
        outbox.listener = self.enqueue

    @staticmethod
    def _queue_of(row: Owed) -> int | tuple[int, int]:
        message_id = row.payload.get("message_id")
        if row.method != SEND and isinstance(message_id, int):
            return (row.chat_id, message_id)
        return row.chat_id

    def enqueue(self, rows: Iterable[Owed]) -> None:
        """Committed rows join their queues (the outbox's listener)."""
        for row in rows:
            if row.id in self._queued:
                continue
            self._queued.add(row.id)
            self._queues.setdefault(self._queue_of(row), deque()).append(row)

    async def load(self) -> int:
        """Start-up: everything a previous run owed and did not settle, in order."""
        rows = await self.outbox.unsettled()
        self.enqueue(rows)
        return len(rows)

    def waiting(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def newest(self, chat_id: int) -> int | None:
        """The id of the newest message sent to this chat, if nothing more is on its way
        there; None when unknown (nothing sent to it since start-up) or when more is queued."""
        if self._queues.get(chat_id):
            return None
        return self._newest.get(chat_id)

    def saw(self, message: Message) -> None:
        """A message reached a chat by another road (an error's apology, a file): it is
        the newest there now. Ids only grow within a chat."""
        self._note(message.chat.id, message.message_id)

    def _note(self, chat_id: int, message_id: int) -> None:
        self._newest[chat_id] = max(message_id, self._newest.get(chat_id, message_id))

    async def drain(
        self, chats: Iterable[int] | None = None, rows: Iterable[Owed] | None = None
    ) -> bool:
        """Send what is queued for these chats (all, without), each chat in order; given
        `rows` (what one unit of work owed), only until those have gone: what others add to
        the same chats meanwhile is theirs to send. True if someone turned out to have
        blocked the bot (their proposals then move on)."""
        wanted = set(chats) if chats is not None else None
        keys = [
            key
            for key in list(self._queues)
            if wanted is None or (key[0] if isinstance(key, tuple) else key) in wanted
        ]
        if rows is None:
            results = await asyncio.gather(*(self._drain_queue(key) for key in keys))
        else:
            mine: dict[int | tuple[int, int], set[int]] = {}
            for row in rows:
                mine.setdefault(self._queue_of(row), set()).add(row.id)
            results = await asyncio.gather(
                *(self._drain_queue(key, mine[key]) for key in keys if key in mine)
            )
        return any(results)

    def drain_later(self, then: Callable[[bool], Awaitable[None]] | None = None) -> None:
        """Send everything queued from a task of its own; `then(blocked)` after."""

        async def run() -> bool:
            blocked = await self.drain()
            if then is not None:
                await then(blocked)
            return blocked

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Stop the sending tasks (what they had not sent stays owed, for the next start)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every sending task started so far (and what they started) is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _drain_queue(self, key: int | tuple[int, int], until: set[int] | None = None) -> bool:
        queue = self._queues.get(key)
        if not queue:
            return False
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        blocked = False
        try:
            await lock.acquire()
        except BaseException:
            self._leave(key)
            raise
        try:
            # Fetched again under the lock: the one seen before may have been emptied and
            # replaced by a new one meanwhile.
            queue = self._queues.get(key)
            if until is not None:
                until &= self._queued  # another drain may have sent them meanwhile
                if not until:
                    queue = None
            while queue:
                row = queue[0]
                if row.not_before is not None and row.not_before > self.now():
                    break  # Telegram asked us to wait, or it failed: the tick comes back
                outcome = await self._deliver(row)
                if outcome is None:
                    break
                queue.popleft()
                self._queued.discard(row.id)
                if until is not None:
                    until.discard(row.id)
                    if not until and outcome != "blocked":
                        break  # what this drain was for has gone; the rest is others'
                if outcome == "blocked":
                    # Nothing more reaches them: what else was queued is settled the same.
                    blocked = True
                    while queue:
                        rest = queue.popleft()
                        self._queued.discard(rest.id)
                        await self.outbox.settle(rest, "blocked", self.now())
            if queue is not None and not queue and self._queues.get(key) is queue:
                del self._queues[key]
        finally:
            lock.release()
            self._leave(key)
        if blocked:
            await self.on_blocked(key[0] if isinstance(key, tuple) else key)
        return blocked

    def _leave(self, key: int | tuple[int, int]) -> None:
        """One fewer drain using this queue's lock; the last one out removes it, so memory
        follows the messages in flight, not every message ever edited."""
        self._users[key] -= 1
        if not self._users[key]:
            del self._users[key]
            self._locks.pop(key, None)

    async def _deliver(self, row: Owed) -> str | None:
        """Perform one row; the outcome it was settled with, or None to try again later."""
        assert self.bot is not None, "the sender starts with the application"
        if self.budget is not None and row.method == SEND:
            await self.budget.take(row.priority)
        try:
            # A slot is taken only for the call itself: a chat waiting for its turn in the
            # budget holds none, so people's answers pass a long bulk queue.
            async with self._slots:
                message_id = await self._perform(self.bot, row)
        except RetryAfter as exc:
            wait = exc.retry_after
            delay = wait if isinstance(wait, timedelta) else timedelta(seconds=float(wait))
            await self.outbox.retry_later(row, self.now() + delay)
            return None
        except Forbidden:
            logger.info("Chat %s has blocked the bot; outbox row %s dropped", row.chat_id, row.id)
            await self.outbox.settle(row, "blocked", self.now())
            return "blocked"
        except BadRequest as exc:
            # "Message is not modified", a message deleted: nothing more to do for this row.
            outcome = "sent" if _not_modified(exc) else "refused"
            if outcome == "refused":
                logger.warning("Outbox row %s refused by Telegram: %s", row.id, exc.message)
            await self.outbox.settle(row, outcome, self.now())
            return outcome
        except (TelegramError, OSError) as exc:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                logger.error(
                    "Outbox row %s gave up after %s attempts: %r", row.id, MAX_ATTEMPTS, exc
                )
                await self.outbox.settle(row, "gave up", self.now())
                return "gave up"
            backoff = min(MAX_BACKOFF, timedelta(seconds=5 * 2 ** min(row.attempts, 9)))
            logger.warning("Outbox row %s failed, retrying in %s: %r", row.id, backoff, exc)
            await self.outbox.retry_later(row, self.now() + backoff)
            return None
        if message_id is False:
            await self.outbox.settle(row, "skipped", self.now())
            return "skipped"
        sent_id = None if isinstance(message_id, bool) else message_id
        if row.method == SEND and sent_id is not None:
            self._note(row.chat_id, sent_id)
        await self.outbox.settle(row, "sent", self.now(), sent_id)
        return "sent"

    async def _perform(self, bot: Bot, row: Owed) -> int | bool:
        """One call to Telegram; the id of a message sent, True for an edit, False when an
        edit's message was never sent (nothing on screen to change)."""
        p = row.payload
        markup = _unmarkup(p.get("markup"), bot)
        if row.method == SEND:
            sent: Message = await bot.send_message(
                row.chat_id, p["text"], parse_mode=ParseMode.HTML, reply_markup=markup
            )
            return sent.message_id
        message_id = p.get("message_id")
        if message_id is None and row.target:
            message_id = await self.outbox.message_for(row.target, row.chat_id)
        if message_id is None:
            return False
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        if row.method == EDIT:
            await bot.edit_message_text(
                p["text"],
                chat_id=row.chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=inline,
            )
        elif row.method == MARKUP:
            await bot.edit_message_reply_markup(
                chat_id=row.chat_id, message_id=message_id, reply_markup=inline
            )
        else:
            logger.error("Outbox row %s has an unknown method %r", row.id, row.method)
            return False
        return True
