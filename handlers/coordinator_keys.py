"""Coordinators' buttons for people, needs, volunteers and announcements.

The callback data is `keyboards.Button`'s (versioned, parsed by `keyboards.parse`); the
arguments some of these carry are built and parsed here. A handler trusts none of it until
it has checked the database and the presser.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.needview import Act
from handlers import i18n, texts
from handlers.keyboards import Action, Button

ROW = 2  # buttons side by side
LABEL = 60  # Telegram shows about this much of a button's label


def _b(label: str, action: Action, arg: str | int = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(label[:LABEL], callback_data=Button(action, str(arg)).data())


def _rows(
    buttons: list[InlineKeyboardButton], per_row: int = ROW
) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def _pair(first: int, second: int) -> str:
    return f"{first}x{base36(second)}"


def parse_pair(arg: str) -> tuple[int, int] | None:
    """(a need id, a person's id) from `<need>x<person in base 36>`."""
    first, sep, second = arg.partition("x")
    if not (sep and first.isdigit() and len(first) < 12 and second.isalnum() and second):
        return None
    try:
        return int(first), int(second, 36)
    except ValueError:
        return None


# --- who a name meant ------------------------------------------------------------------------

# The commands a name can be picked for, one letter each.
PICKS = {"a": "assign", "v": "vet", "u": "unvet", "b": "block", "n": "unblock", "p": "approve"}


def pick(
    command: str, choices: list[tuple[str, int]], need_id: int | None = None
) -> InlineKeyboardMarkup:
    """One button per person a typed name fits: (label, user id)."""
    letter = next(k for k, v in PICKS.items() if v == command)
    need = str(need_id) if need_id is not None else ""
    return InlineKeyboardMarkup(
        [
            [_b(label, Action.PICK, f"{letter}{need}x{base36(user_id)}")]
            for label, user_id in choices
        ]
    )


def parse_pick(arg: str) -> tuple[str, int | None, int] | None:
    """(command, need id or None, user id) from a pick button."""
    command = PICKS.get(arg[:1])
    need, sep, person = arg[1:].partition("x")
    if command is None or not sep or not person.isalnum() or (need and not need.isdigit()):
        return None
    if len(need) > 11:
        return None
    try:
        return command, (int(need) if need else None), int(person, 36)
    except ValueError:
        return None


# --- a need's view ---------------------------------------------------------------------------

# Each act's label (a name in handlers/texts.py, read in the reader's language) and button.
_ACTS: dict[Act, tuple[str, Action]] = {
    Act.ASSIGN: ("ACT_ASSIGN", Action.NEED_ASSIGN),
    Act.REASSIGN: ("ACT_REASSIGN", Action.NEED_REASSIGN),
    Act.CLOSE: ("ACT_CLOSE", Action.NEED_CLOSE),
    Act.CLOSE_HELD: ("ACT_CLOSE", Action.HELD_CLOSE),
    Act.CLOSE_TAKEN: ("ACT_CLOSE", Action.NEED_END),
    Act.RELEASE: ("ACT_RELEASE", Action.HELD_RELEASE),
    Act.REOPEN: ("ACT_REOPEN", Action.NEED_REOPEN),
    Act.NOTE: ("ACT_NOTE", Action.NEED_NOTE),
    Act.MESSAGE: ("ACT_MESSAGE", Action.NEED_MESSAGE),
}


def need_actions(need_id: int, acts: list[Act]) -> InlineKeyboardMarkup | None:
    """Under a need's view: what its status allows."""
    buttons = [_b(getattr(texts, _ACTS[a][0]), _ACTS[a][1], need_id) for a in acts]
    return InlineKeyboardMarkup(_rows(buttons)) if buttons else None


def see_need(need_id: int) -> InlineKeyboardMarkup:
    """Under an alert: the need's view, one tap away."""
    return InlineKeyboardMarkup(
        [[_b(texts.SEE_NEED_LABEL.format(id=need_id), Action.NEED_SEE, need_id)]]
    )


def confirm(label: str, action: Action, arg: str | int) -> InlineKeyboardMarkup:
    """`<label>` or `No`, under a question about something that can't be undone."""
    return InlineKeyboardMarkup([[_b(label, action, arg), _b(texts.NO_LABEL, Action.NEVER_MIND)]])


def reassign_confirm(need_id: int, volunteer_id: int) -> InlineKeyboardMarkup:
    return confirm(texts.REASSIGN_YES_LABEL, Action.NEED_REASSIGN_YES, _pair(need_id, volunteer_id))


def end_confirm(need_id: int, volunteer_id: int) -> InlineKeyboardMarkup:
    return confirm(texts.END_YES_LABEL, Action.NEED_END_YES, _pair(need_id, volunteer_id))


def ask_choices(need_id: int, volunteers: list[tuple[str, int]]) -> InlineKeyboardMarkup:
    """`Ask <name>` for each volunteer who could be asked, then `Ask the usual way`."""
    rows = [
        [_b(texts.ASK_LABEL.format(name=name), Action.ASSIGN_TO, _pair(need_id, user_id))]
        for name, user_id in volunteers
    ]
    rows.append([_b(texts.MATCH_LABEL, Action.NEED_MATCH, need_id)])
    return InlineKeyboardMarkup(rows)


# --- volunteers ------------------------------------------------------------------------------


def volunteer_actions(
    user_id: int, pending: bool, vetted: bool, blocked: bool
) -> InlineKeyboardMarkup | None:
    """Under one volunteer in /volunteers."""
    buttons = []
    if pending and not blocked:
        buttons += [
            _b(texts.APPROVE_LABEL, Action.APPROVE, user_id),
            _b(texts.REJECT_LABEL, Action.REJECT, user_id),
        ]
    if not blocked:
        vet = (texts.UNVET_LABEL, f"{user_id}n") if vetted else (texts.VET_LABEL, f"{user_id}y")
        buttons += [
            _b(vet[0], Action.VOL_VET, vet[1]),
            _b(texts.BLOCK_LABEL, Action.VOL_BLOCK, user_id),
        ]
    return InlineKeyboardMarkup(_rows(buttons)) if buttons else None


def parse_vet(arg: str) -> tuple[int, bool] | None:
    user, flag = arg[:-1], arg[-1:]
    if flag not in ("y", "n") or not user.isdigit() or len(user) > 15:
        return None
    return int(user), flag == "y"


def pages(page: int, more: bool) -> InlineKeyboardMarkup | None:
    """`Previous` and `Next` under a page of volunteers."""
    buttons = []
    if page > 1:
        buttons.append(_b(texts.PREVIOUS_LABEL, Action.VOL_PAGE, page - 1))
    if more:
        buttons.append(_b(texts.NEXT_LABEL, Action.VOL_PAGE, page + 1))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def approve_all(count: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(texts.APPROVE_ALL_LABEL.format(count=count), Action.APPROVE_ALL, count)]]
    )


def approve_all_confirm(count: int) -> InlineKeyboardMarkup:
    return confirm(texts.APPROVE_ALL_YES_LABEL.format(count=count), Action.APPROVE_ALL_YES, count)


def block_confirm(user_id: int) -> InlineKeyboardMarkup:
    return confirm(texts.BLOCK_YES_LABEL, Action.VOL_BLOCK_YES, user_id)


# --- announcements ---------------------------------------------------------------------------

EVERY = "x"  # every area, or every skill


def announce_areas(names: list[str]) -> InlineKeyboardMarkup:
    buttons = [_b(texts.ANNOUNCE_EVERY_AREA, Action.ANN_AREA, EVERY)]
    buttons += [_b(n, Action.ANN_AREA, i) for i, n in enumerate(names)]
    return InlineKeyboardMarkup([*_rows(buttons), [_b(texts.CANCEL_LABEL, Action.ANN_CANCEL)]])


def announce_skills(names: list[str]) -> InlineKeyboardMarkup:
    buttons = [_b(texts.ANNOUNCE_EVERY_SKILL, Action.ANN_SKILL, EVERY)]
    buttons += [_b(i18n.named(n), Action.ANN_SKILL, i) for i, n in enumerate(names)]
    return InlineKeyboardMarkup([*_rows(buttons), [_b(texts.CANCEL_LABEL, Action.ANN_CANCEL)]])


def announce_send() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(texts.SEND_LABEL, Action.ANN_SEND), _b(texts.CANCEL_LABEL, Action.ANN_CANCEL)]]
    )


def parse_choice(arg: str, count: int) -> tuple[bool, int | None]:
    """(True, an index below `count`), (True, None) for `every`, (False, None) otherwise."""
    if arg == EVERY:
        return True, None
    if arg.isdigit() and int(arg) < count:
        return True, int(arg)
    return False, None
