"""A small fake Telegram Bot API server, for running the real `mutualaid run` against.

It speaks HTTP/1.1 on 127.0.0.1 from a thread (stdlib `ThreadingHTTPServer`), answers the
methods the bot uses the way Telegram does, keeps what the bot sent in each chat (with its
inline keyboard, as last edited), and lets a test play the people on the other side:

    api = FakeBotAPI()
    api.start()                      # then point TELEGRAM_API_BASE_URL at api.base_url
    api.user_says(margaret, "/start")
    notice = api.wait_for(margaret.id, lambda m: "I agree" in m.labels)
    api.user_presses(margaret, notice, "I agree")
    ...
    api.stop()

Requests arrive at `/bot<token>/<method>`; every token seen is kept in `tokens`.
Bodies may be `application/x-www-form-urlencoded` (what PTB's httpx request sends),
`multipart/form-data` (PTB, when a file is uploaded) or JSON.

For benchmarks, `FakeBotAPI(delay=0.05)` (or setting `delay` later) puts a network between
the bot and Telegram: every call takes one round trip of `delay` seconds, half before the
server handles it (`Call.at` is when it "arrives") and half before the answer leaves. A
long poll still wakes as soon as a user speaks; its answer then takes the second half, and
`delivered_at(update_id)` is when it reached the bot. `on_message` is told of every message
the bot sends or changes, as it happens, and `server_cpu` is what answering has cost.
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import itertools
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")
_TAGS = re.compile(r"<[^>]+>")
TICK_MARK = "✅ "  # how the bot marks a chosen toggle button

# Methods that Telegram answers with plain `true`.
_TRUE_METHODS = {
    "answerCallbackQuery",
    "close",
    "deleteMessage",
    "deleteMyCommands",
    "deleteWebhook",
    "logOut",
    "sendChatAction",
    "setChatMenuButton",
    "setMyCommands",
    "setMyDescription",
    "setMyShortDescription",
}
_SEND_METHODS = {"sendMessage", "sendDocument", "sendPhoto", "sendLocation"}
_EDIT_METHODS = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}


@dataclass(frozen=True)
class User:
    """A person on the Telegram side, talking to the bot in a private chat."""

    id: int
    first_name: str
    username: str | None = None

    def as_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        return user


@dataclass
class Message:
    """A message the bot sent, as it stands now (edits applied)."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    document: dict[str, Any] | None = None
    version: int = 0  # the server's sequence number when it was last sent or changed

    @property
    def labels(self) -> list[str]:
        """Button labels, without the tick the bot puts on chosen toggles."""
        return [str(b["text"]).removeprefix(TICK_MARK) for row in self.buttons for b in row]

    @property
    def raw_labels(self) -> list[str]:
        return [str(b["text"]) for row in self.buttons for b in row]

    @property
    def plain(self) -> str:
        """The text as a person reads it: HTML tags gone, entities unescaped."""
        return html.unescape(_TAGS.sub("", self.text))

    def callback_data(self, label: str) -> str:
        for row in self.buttons:
            for button in row:
                if label in (button["text"], str(button["text"]).removeprefix(TICK_MARK)):
                    if "callback_data" not in button:
                        raise KeyError(f"button {label!r} has no callback data")
                    return str(button["callback_data"])
        raise KeyError(
            f"no button {label!r} on message {self.message_id} in chat {self.chat_id}; "
            f"it has {self.raw_labels}"
        )


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, Any]
    token: str
    at: float = field(default=0.0, compare=False)  # time.perf_counter() when it arrived


class FakeBotAPI:
    """The Bot API on 127.0.0.1, a free port; the test plays the users."""

    def __init__(
        self,
        *,
        bot_id: int = 7_000_001,
        username: str = "mutualaid_test_bot",
        delay: float = 0.0,
    ) -> None:
        self.bot_id = bot_id
        self.username = username
        # One network round trip per call, in seconds (see the module docstring).
        self.delay = delay
        # Told (from the server's thread, outside its lock, before the call is answered) of
        # every message the bot sends or changes; it may make the users act at once.
        self.on_message: Callable[[Call, Message], None] | None = None
        self._delivered: dict[int, float] = {}  # update id -> when its long poll answered
        self._cpu = 0.0
        self._cpu_lock = threading.Lock()
        self.tokens: set[str] = set()
        self._calls: list[Call] = []
        self._chats: dict[int, dict[int, Message]] = {}
        self._updates: list[dict[str, Any]] = []  # not yet confirmed by the bot
        self._injected: list[dict[str, Any]] = []  # every update the users made
        self._marks: dict[int, int] = {}  # chat -> sequence number of its latest update
        self._seq = itertools.count(1)
        self._version = 0
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._user_message_ids = itertools.count(500_000)
        self._changed = threading.Condition()
        self._stopping = False
        # Calls to lose in transit: held unanswered (and unrecorded) until released.
        self._hold: Callable[[str, dict[str, Any]], bool] | None = None
        self._held: list[Call] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- the server ------------------------------------------------------------------------

    def start(self) -> None:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.api = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotAPI:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL should be (the bot adds `/bot<token>`)."""
        assert self._server is not None, "start() the server first"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    # --- what the bot did -----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def messages(self, chat_id: int) -> list[Message]:
        """What is on screen in one chat, oldest first."""
        with self._changed:
            return [_copy(m) for _, m in sorted(self._chats.get(chat_id, {}).items())]

    def transcript(self, chat_id: int | None = None) -> str:
        """Every chat (or one) as readable lines, for failure messages."""
        with self._changed:
            chats = sorted(self._chats) if chat_id is None else [chat_id]
            lines = []
            for chat in chats:
                for _, m in sorted(self._chats.get(chat, {}).items()):
                    buttons = f" [{'] ['.join(m.raw_labels)}]" if m.buttons else ""
                    text = m.plain.replace("\n", " / ")
                    lines.append(f"  chat {chat} #{m.message_id} v{m.version}: {text}{buttons}")
            return "\n".join(lines) or "  (the bot has sent nothing)"

    def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[Message], bool],
        timeout: float = 20.0,
        *,
        since: int | None = None,
        give_up: Callable[[], bool] | None = None,
    ) -> Message:
        """The first message in this chat, sent or changed after `since`, that satisfies
        `predicate`. `since` defaults to the moment of the chat's latest user update, so
        an answer from before the user's last action is never taken for a new one.
        Raises TimeoutError (with the chat's transcript) after `timeout` seconds, or as
        soon as `give_up()` is true (say, the bot's process has exited)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            after = self._marks.get(chat_id, 0) if since is None else since
            while True:
                fresh = sorted(
                    (m for m in self._chats.get(chat_id, {}).values() if m.version > after),
                    key=lambda m: m.version,
                )
                for message in fresh:
                    if predicate(message):
                        return _copy(message)
                left = deadline - time.monotonic()
                if left <= 0 or (give_up is not None and give_up()):
                    raise TimeoutError(
                        f"no matching message in chat {chat_id} after {timeout}s; "
                        f"the chat holds:\n{self.transcript(chat_id)}"
                    )
                self._changed.wait(min(left, 0.2))

    def wait_for_call(self, method: str, timeout: float = 20.0) -> Call:
        """The first request for `method`, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for call in self._calls:
                    if call.method == method:
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the bot never called {method} within {timeout}s")
                self._changed.wait(min(left, 0.2))

    def injected(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every update the users made (of one kind: "message", "callback_query")."""
        with self._changed:
            return [u for u in self._injected if kind is None or kind in u]

    @property
    def version(self) -> int:
        """The current sequence number, to pass as `since` to `wait_for`."""
        with self._changed:
            return self._version

    def delivered_at(self, update_id: int) -> float | None:
        """time.perf_counter() when the answer carrying this update reached the bot."""
        with self._changed:
            return self._delivered.get(update_id)

    @property
    def server_cpu(self) -> float:
        """CPU seconds the server's threads have spent on requests (and in `on_message`)."""
        with self._cpu_lock:
            return self._cpu

    # --- what the users do ----------------------------------------------------------------

    def user_says(self, user: User, text: str) -> dict[str, Any]:
        """The user sends text (a command if it starts with `/`) in their private chat."""
        message: dict[str, Any] = {
            "message_id": next(self._user_message_ids),
            "date": int(time.time()),
            "chat": _private_chat(user),
            "from": user.as_json(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._push(user.id, {"message": message})

    def user_presses(self, user: User, message: Message, label: str) -> dict[str, Any]:
        """The user presses the button with this label on the message as it stands now."""
        with self._changed:
            current = self._chats.get(message.chat_id, {}).get(message.message_id)
            if current is None:
                raise KeyError(f"message {message.message_id} is not in chat {message.chat_id}")
            data = current.callback_data(label)
            shown = _message_json(current, self.bot_id)
        query = {
            "id": f"cq{next(self._seq)}",
            "from": user.as_json(),
            "chat_instance": f"ci{user.id}",
            "data": data,
            "message": shown,
        }
        return self._push(user.id, {"callback_query": query})

    def _push(self, chat_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            update = {"update_id": next(self._update_ids), **body}
            self._updates.append(update)
            self._injected.append(update)
            self._marks[chat_id] = self._bump()
            self._changed.notify_all()
            return update

    def _bump(self) -> int:
        self._version = next(self._seq)
        return self._version

    # --- answering the bot ----------------------------------------------------------------

    def hold(self, matches: Callable[[str, dict[str, Any]], bool]) -> None:
        """From now on, the first call that `matches` (method, params) never reaches the
        users: it hangs unanswered until `release`, then fails. The bot is killed meanwhile,
        at the instant Telegram has not yet accepted what it was owed."""
        with self._changed:
            self._hold = matches

    def wait_held(self, timeout: float = 20.0, give_up: Callable[[], bool] | None = None) -> Call:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._held:
                if time.monotonic() > deadline or (give_up is not None and give_up()):
                    raise TimeoutError("no call was held")
                self._changed.wait(0.1)
            return self._held[0]

    def release(self) -> None:
        with self._changed:
            self._hold = None
            self._held.clear()
            self._changed.notify_all()

    def _held_call(self, method: str, params: dict[str, Any], token: str) -> bool:
        """Hold this call if it is the one to lose; True if it was held (and lost)."""
        with self._changed:
            if self._hold is None or self._held or not self._hold(method, params):
                return False
            call = Call(method, params, token)
            self._held.append(call)
            self._changed.notify_all()
            while self._held and call in self._held and not self._stopping:
                self._changed.wait(0.1)
            return True

    def answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """(HTTP status, result or error description) for one Bot API call."""
        if method != "getUpdates" and self._held_call(method, params, token):
            return 502, "Bad Gateway: lost in transit"
        call = Call(method, params, token, time.perf_counter())
        with self._changed:
            self.tokens.add(token)
            self._calls.append(call)
            self._changed.notify_all()
        if method == "getUpdates":
            return 200, self._get_updates(params)
        with self._changed:
            status, result = self._answer(method, params)
            shown = None
            changes = method in _SEND_METHODS or method in _EDIT_METHODS
            if changes and status == 200 and self.on_message is not None:
                chat = self._chats.get(int(result["chat"]["id"]), {})
                changed = chat.get(int(result["message_id"]))
                shown = _copy(changed) if changed is not None else None
        listener = self.on_message
        if shown is not None and listener is not None:
            listener(call, shown)
        return status, result

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """The answer to a call other than getUpdates; the lock is held."""
        if method == "getMe":
            return 200, {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Mutual Aid",
                "username": self.username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in _TRUE_METHODS:
            return 200, True
        if method in _SEND_METHODS:
            return self._send(method, params)
        if method in _EDIT_METHODS:
            return self._edit(method, params)
        return 404, f"Not Found: the fake Bot API does not know {method}"

    def _in_transit(self) -> None:
        """Half a round trip: a request on its way in, or an answer on its way out."""
        if self.delay > 0:
            time.sleep(self.delay / 2)

    def _spent(self, seconds: float) -> None:
        with self._cpu_lock:
            self._cpu += seconds

    def _delivering(self, updates: Any) -> None:
        """A getUpdates answer is leaving: its updates reach the bot now."""
        if not isinstance(updates, list) or not updates:
            return
        now = time.perf_counter()
        with self._changed:
            for update in updates:
                self._delivered.setdefault(int(update["update_id"]), now)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), 30.0)
        deadline = time.monotonic() + wait
        with self._changed:
            # Like Telegram: asking with an offset confirms every update before it.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self._updates[:limit]

    def _send(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        chat_id = int(params["chat_id"])
        text = str(params.get("text") or params.get("caption") or "")
        message = Message(chat_id, next(self._message_ids), text, _buttons(params))
        if method == "sendDocument":
            message.document = _document(params.get("document"))
        message.version = self._bump()
        self._chats.setdefault(chat_id, {})[message.message_id] = message
        self._changed.notify_all()
        return 200, _message_json(message, self.bot_id)

    def _edit(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        if "chat_id" not in params or "message_id" not in params:
            return 400, "Bad Request: the fake Bot API only edits by chat_id and message_id"
        old = self._chats.get(int(params["chat_id"]), {}).get(int(params["message_id"]))
        if old is None:
            return 400, "Bad Request: message to edit not found"
        text = old.text
        if method == "editMessageText":
            text = str(params.get("text", ""))
        elif method == "editMessageCaption":
            text = str(params.get("caption", ""))
        # Like Telegram: an edit without reply_markup takes the inline keyboard away.
        buttons = _buttons(params)
        if text == old.text and buttons == old.buttons:
            return 400, "Bad Request: message is not modified"
        old.text, old.buttons = text, buttons
        old.version = self._bump()
        self._changed.notify_all()
        return 200, _message_json(old, self.bot_id)


# --- HTTP ------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a bot opening many connections at once is not turned away
    api: FakeBotAPI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up mid-answer (a long poll cancelled at shutdown) is normal.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An answer goes out as two writes (head, then body): without TCP_NODELAY the second
    # waits for the client's delayed ACK, some 40 ms a call that Telegram does not add.
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        return None  # quiet: and the path carries the token

    def handle_one_request(self) -> None:
        started = time.thread_time()  # waiting for the next request costs no CPU
        try:
            super().handle_one_request()
        finally:
            self.server.api._spent(time.thread_time() - started)

    def _serve(self) -> None:
        url = urlsplit(self.path)
        match = _PATH.match(url.path)
        if match is None:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        try:
            params = dict(parse_qsl(url.query, keep_blank_values=True))
            params.update(_parse_body(self.headers.get("Content-Type", ""), self._body()))
        except (ValueError, UnicodeDecodeError) as exc:
            self._reply(400, {"ok": False, "error_code": 400, "description": f"Bad body: {exc}"})
            return
        api = self.server.api
        api._in_transit()  # the request's half of the round trip
        status, result = api.answer(match["token"], match["method"], params)
        api._in_transit()  # the answer's half
        if match["method"] == "getUpdates" and status == 200:
            api._delivering(result)
        if status == 200:
            self._reply(200, {"ok": True, "result": result})
        else:
            self._reply(status, {"ok": False, "error_code": status, "description": result})

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers, then the blank line
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Form fields (values as strings, files as {filename, content}) or a JSON object."""
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}
    if kind == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("a JSON body must be an object")
        return data
    if kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        if not parsed.is_multipart():
            raise ValueError("multipart body without parts")
        fields: dict[str, Any] = {}
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                fields[str(name)] = {"filename": filename, "content": content}
            else:
                fields[str(name)] = content.decode(part.get_content_charset() or "utf-8")
        return fields
    # application/x-www-form-urlencoded, and anything unlabelled.
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))


# --- Telegram's JSON -------------------------------------------------------------------------


def _private_chat(user: User) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.username:
        chat["username"] = user.username
    return chat


def _message_json(message: Message, bot_id: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": message.message_id,
        "date": int(time.time()),
        "chat": {"id": message.chat_id, "type": "private"},
        "from": {"id": bot_id, "is_bot": True, "first_name": "Mutual Aid"},
    }
    if message.document is not None:
        body["document"] = {
            "file_id": f"doc{message.message_id}",
            "file_unique_id": f"udoc{message.message_id}",
            "file_name": message.document.get("filename"),
        }
        if message.text:
            body["caption"] = message.text
    else:
        body["text"] = message.text
    if message.buttons:
        body["reply_markup"] = {"inline_keyboard": message.buttons}
    return body


def _buttons(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup) if markup else None
    if isinstance(markup, dict):
        return [list(row) for row in markup.get("inline_keyboard", [])]
    return []


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):  # an uploaded file
        return value
    return {"filename": None, "content": None, "file_id": value}


def _copy(message: Message) -> Message:
    return Message(
        message.chat_id,
        message.message_id,
        message.text,
        [list(row) for row in message.buttons],
        message.document,
        message.version,
    )
