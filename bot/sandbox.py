"""A Telegram stand-in at the transport seam: the real Application talks to it unchanged.

`SandboxRequest` answers Bot API methods as Telegram would and records every call;
`Sandbox` plays the people on the other side: they type, share locations and press
buttons by their labels. `mutualaid demo` and the test suite both use it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

_UPDATE_IDS = itertools.count(1)  # shared by every Sandbox in the process
BOT_ID = 1000
BOT_USERNAME = "mutualaid_demo_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Sent:
    """A message the bot sent (or last edited) in a chat."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)

    def button_labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    def callback_for(self, label: str) -> str:
        for row in self.buttons:
            for b in row:
                if b["text"] == label or b["text"].lstrip("✅ ") == label:
                    return str(b["callback_data"])
        raise KeyError(f"no button {label!r} in message {self.message_id}: {self.button_labels()}")


class SandboxRequest(BaseRequest):
    """Answers the Bot API from memory. Refuses nothing unless told to (`blocked`)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], Sent] = {}
        self.blocked: set[int] = set()  # users who have blocked the bot
        self.updates: list[dict[str, Any]] = []
        self.files: list[tuple[int, str, bytes]] = []  # uploads: (chat id, file name, bytes)
        self._ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data is not None else {}
        if request_data is not None and request_data.contains_files:
            for name, content, _mime in (request_data.multipart_data or {}).values():
                data = content if isinstance(content, bytes) else content.read()
                self.files.append((int(str(params.get("chat_id"))), str(name), data))
        self.calls.append(Call(api_method, dict(params)))
        status, result = self.answer(api_method, params)
        body: dict[str, Any] = {"ok": status == 200}
        if status == 200:
            body["result"] = result
        else:
            body["error_code"] = status
            body["description"] = result
        return status, json.dumps(body).encode()

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        chat_id = params.get("chat_id")
        if chat_id is not None and int(chat_id) in self.blocked:
            return 403, "Forbidden: bot was blocked by the user"
        if method == "getMe":
            return 200, {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Mutual Aid",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "getUpdates":
            updates, self.updates = self.updates, []
            return 200, updates
        if method in {"sendMessage", "sendDocument"}:
            message_id = next(self._ids)
            text = params.get("text") or params.get("caption") or ""
            sent = Sent(int(chat_id), message_id, text, _buttons(params))  # type: ignore[arg-type]
            self.messages[(sent.chat_id, message_id)] = sent
            return 200, self._message(sent)
        if method in {"editMessageText", "editMessageReplyMarkup"}:
            key = (int(chat_id), int(params["message_id"]))  # type: ignore[arg-type]
            old = self.messages.get(key)
            if old is None:
                return 400, "Bad Request: message to edit not found"
            text = params.get("text", old.text) if method == "editMessageText" else old.text
            buttons = _buttons(params)
            if text == old.text and buttons == old.buttons:
                return 400, "Bad Request: message is not modified"
            new = Sent(old.chat_id, old.message_id, text, buttons)
            self.messages[key] = new
            return 200, self._message(new)
        # answerCallbackQuery, setMyCommands, deleteWebhook, ...: Telegram says True.
        return 200, True

    @staticmethod
    def _message(sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": 0,
            "chat": {"id": sent.chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Mutual Aid"},
            "text": sent.text,
        }
        if sent.buttons:
            message["reply_markup"] = {"inline_keyboard": sent.buttons}
        return message

    def sent_to(self, chat_id: int) -> list[Sent]:
        """Everything now on screen in one chat, oldest first."""
        return [m for (c, _), m in sorted(self.messages.items()) if c == chat_id]

    def last(self, chat_id: int) -> Sent:
        return self.sent_to(chat_id)[-1]


def _buttons(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if isinstance(markup, dict):
        return list(markup.get("inline_keyboard", []))
    return []


@dataclass
class Person:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None  # their Telegram app's language

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


class Sandbox:
    """People talking to the real Application through a SandboxRequest."""

    def __init__(
        self, app: Application[Any, Any, Any, Any, Any, Any], request: SandboxRequest
    ) -> None:
        self.app = app
        self.request = request
        # Like Telegram's, update ids never repeat, even across a restart of the bot: a
        # repeated id is a redelivery, which the bot ignores.
        self._update_ids = _UPDATE_IDS
        self._message_ids = itertools.count(10**6)

    def _update(self, body: dict[str, Any]) -> Update:
        return Update.de_json({"update_id": next(self._update_ids), **body}, self.app.bot)

    def message_update(
        self,
        who: Person,
        text: str | None = None,
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        **extra: Any,
    ) -> Update:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": 0,
            "chat": {"id": chat_id or who.id, "type": chat_type},
            "from": who.as_user(),
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._update({"message": message})

    def press_update(self, who: Person, message: Sent, data: str) -> Update:
        return self._update(
            {
                "callback_query": {
                    "id": str(next(self._update_ids)),
                    "from": who.as_user(),
                    "chat_instance": f"ci{who.id}",
                    "data": data,
                    "message": SandboxRequest._message(message),
                }
            }
        )

    async def say(self, who: Person, text: str, **kw: Any) -> None:
        await self.app.process_update(self.message_update(who, text, **kw))

    async def share_location(self, who: Person, lat: float, lon: float) -> None:
        await self.app.process_update(
            self.message_update(who, location={"latitude": lat, "longitude": lon})
        )

    async def press(self, who: Person, label: str, message: Sent | None = None) -> None:
        """Press the button with this label on the given message (or the newest that has it)."""
        if message is None:
            message = next(m for m in reversed(self.request.sent_to(who.id)) if label in _labels(m))
        await self.app.process_update(self.press_update(who, message, message.callback_for(label)))

    def screen(self, who: Person) -> list[Sent]:
        return self.request.sent_to(who.id)

    def last_text(self, who: Person) -> str:
        return self.request.last(who.id).text


def _labels(message: Sent) -> list[str]:
    return [label.removeprefix("✅ ") for label in message.button_labels()]
