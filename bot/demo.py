"""`mutualaid demo`: the real application, a Telegram stand-in, and a short story."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.app import build_application
from bot.config import Settings
from bot.sandbox import Call, Person, Sandbox, SandboxRequest
from domain.community import Community

_TAGS = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return html.unescape(_TAGS.sub("", text))


class Transcript:
    """Turns the calls the bot made into lines a person can read."""

    def __init__(self, request: SandboxRequest, people: dict[int, Person]) -> None:
        self.request = request
        self.people = people
        self.seen = 0
        self.lines: list[str] = []

    def user(self, who: Person, action: str) -> None:
        self.flush()
        self.lines.append(f"\n{who.first_name:>9} » {action}")

    def flush(self) -> None:
        calls = self.request.calls[self.seen :]
        self.seen = len(self.request.calls)
        for call in calls:
            self._render(call)

    def _render(self, call: Call) -> None:
        params: dict[str, Any] = call.params
        if call.method not in {"sendMessage", "editMessageText"}:
            return
        who = self.people.get(int(params["chat_id"]))
        name = who.first_name if who else str(params["chat_id"])
        verb = "bot →" if call.method == "sendMessage" else "bot ✎"
        body = _plain(str(params.get("text", ""))).strip().splitlines()
        buttons = (
            [
                b["text"]
                for row in (params.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ]
            if isinstance(params.get("reply_markup"), dict)
            else []
        )
        self.lines.append(f"{verb} {name}: {body[0] if body else ''}")
        for line in body[1:]:
            if line.strip():
                self.lines.append(f"{'':>{len(verb) + len(name) + 3}}{line}")
        if buttons:
            self.lines.append(f"{'':>{len(verb) + len(name) + 3}}[{'] ['.join(buttons)}]")


async def play(settings: Settings, community: Community) -> list[str]:
    """A volunteer signs up, a resident asks for shopping, the volunteer accepts."""
    request = SandboxRequest()
    # The story is about the loop, whatever the hour it is run at: no quiet hours.
    settings = settings.model_copy(update={"quiet_hours": None})
    app = build_application(settings, community, request=request, rate_limit=False)
    sandbox = Sandbox(app, request)
    priya = Person(101, "Priya", "priya_helps")
    margaret = Person(202, "Margaret")
    story = Transcript(request, {p.id: p for p in (priya, margaret)})
    area = community.areas[0]
    category = community.categories[0].name

    async def say(who: Person, text: str) -> None:
        story.user(who, text)
        await sandbox.say(who, text)

    async def press(who: Person, label: str) -> None:
        story.user(who, f"[{label}]")
        await sandbox.press(who, label)

    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        try:
            await say(priya, "/start")
            await press(priya, "I agree")
            await press(priya, "I can help")
            await press(priya, category)
            await press(priya, "Done")
            await press(priya, area.name)
            await press(priya, "Done")
            await press(priya, "Any time")
            await press(priya, "Done")  # the languages she speaks: English, ticked already
            await press(priya, "Save")
            await say(margaret, "/start")
            await press(margaret, "I agree")
            await press(margaret, "I need help")
            await press(margaret, category)
            await say(margaret, area.aliases[0] if area.aliases else area.name)
            await say(margaret, "Bread, milk and a few tins from the Co-op, please")
            await press(margaret, "Today")
            await press(margaret, "Post")
            await press(priya, "Accept")
            # After the match they reach each other through the bot, both ways.
            await say(margaret, "Thank you! The side gate is open, I'm in all afternoon.")
            await say(priya, "Lovely, I'll be there about 3.")
            story.flush()
        finally:
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
    title = f"{community.name}: a demo against an in-process Telegram (no token, no network)"
    return [title, *story.lines]
