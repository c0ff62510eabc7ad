"""Button builders. Callback data is short, versioned and parsed here and nowhere else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.models import Availability, When
from handlers import texts

VERSION = "v1"


class Action(StrEnum):
    CONSENT = "ok"  # arg: y | n
    MENU = "menu"  # arg: need | help
    CATEGORY = "cat"  # arg: index into the community's categories
    AREA = "area"  # arg: index into the community's areas
    WHEN = "when"  # arg: When value
    POST = "post"
    ABORT = "abort"
    SKILL = "skill"  # arg: category index (toggle)
    SKILLS_DONE = "skd"
    VAREA = "varea"  # arg: area index (toggle)
    VAREAS_DONE = "vad"
    AVAILABILITY = "avail"  # arg: Availability value
    SAVE = "save"
    ACCEPT = "acc"  # arg: proposal id
    DECLINE = "dec"  # arg: proposal id


@dataclass(frozen=True)
class Button:
    action: Action
    arg: str = ""

    @property
    def number(self) -> int | None:
        return int(self.arg) if self.arg.isdigit() and len(self.arg) < 12 else None

    def data(self) -> str:
        return f"{VERSION}:{self.action.value}:{self.arg}"


_DATA = re.compile(r"^v1:([a-z]{2,6}):([a-z0-9]{0,16})$")


def parse(data: object) -> Button | None:
    """The button behind callback data, or None for anything forged, foreign or old."""
    if not isinstance(data, str) or len(data) > 64:
        return None
    m = _DATA.match(data)
    if not m:
        return None
    try:
        action = Action(m.group(1))
    except ValueError:
        return None
    return Button(action, m.group(2))


def pattern(*actions: Action) -> re.Pattern[str]:
    """A CallbackQueryHandler pattern for these actions."""
    names = "|".join(a.value for a in actions)
    return re.compile(rf"^{VERSION}:({names}):")


def _b(label: str, action: Action, arg: str | int = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=Button(action, str(arg)).data())


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


CANCEL_ROW = [_b("Cancel", Action.ABORT)]


def consent() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b("I agree", Action.CONSENT, "y"), _b("No thanks", Action.CONSENT, "n")]]
    )


def menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b("I need help", Action.MENU, "need"), _b("I can help", Action.MENU, "help")]]
    )


def categories(names: list[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(n, Action.CATEGORY, i)] for i, n in enumerate(names)] + [CANCEL_ROW]
    )


def areas(names: list[str]) -> InlineKeyboardMarkup:
    buttons = [_b(n, Action.AREA, i) for i, n in enumerate(names)]
    return InlineKeyboardMarkup([*_rows(buttons, 2), CANCEL_ROW])


def when() -> InlineKeyboardMarkup:
    buttons = [_b(label, Action.WHEN, w.value) for w, label in texts.WHEN_LABELS.items()]
    return InlineKeyboardMarkup([*_rows(buttons, 2), CANCEL_ROW])


def confirm_need() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b("Post", Action.POST), _b("Cancel", Action.ABORT)]])


def toggles(
    names: list[str], chosen: set[str], action: Action, done: Action
) -> InlineKeyboardMarkup:
    buttons = [_b(("✅ " if n in chosen else "") + n, action, i) for i, n in enumerate(names)]
    return InlineKeyboardMarkup([*_rows(buttons, 2), [_b("Done", done)], CANCEL_ROW])


def availability() -> InlineKeyboardMarkup:
    buttons = [
        _b(label, Action.AVAILABILITY, a.value) for a, label in texts.AVAILABILITY_LABELS.items()
    ]
    return InlineKeyboardMarkup([*_rows(buttons, 2), CANCEL_ROW])


def confirm_volunteer() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b("Save", Action.SAVE), _b("Cancel", Action.ABORT)]])


def proposal(proposal_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b("Accept", Action.ACCEPT, proposal_id), _b("Decline", Action.DECLINE, proposal_id)]]
    )


def parse_when(arg: str) -> When | None:
    try:
        return When(arg)
    except ValueError:
        return None


def parse_availability(arg: str) -> Availability | None:
    try:
        return Availability(arg)
    except ValueError:
        return None
