"""Button builders. Callback data is short, versioned and parsed here and nowhere else."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from domain.answers import Resume
from domain.models import Role
from handlers import i18n, texts
from handlers.i18n import N_
from handlers.i18n import gettext as _

VERSION = "v1"


class Action(StrEnum):
    CONSENT = "ok"  # arg: y | n
    MENU = "menu"  # arg: need | help | tasks
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
    RADIUS = "rad"  # arg: index into RADII
    SAVE = "save"
    ACCEPT = "acc"  # arg: proposal id
    DECLINE = "dec"  # arg: proposal id
    DONE = "done"  # arg: need id
    DROP = "drop"  # arg: need id
    HOURS = "hrs"  # arg: <need id>h<index into HOURS>
    CONCERN = "cnc"  # arg: need id
    CANCEL_NEED = "cxl"  # arg: need id
    CANCEL_OFFER = "cxo"  # arg: offer id
    KEEP = "keep"  # arg: need id
    CLOSE = "close"  # arg: need id
    GOOD = "good"  # arg: need id
    PROBLEM = "bad"  # arg: need id
    FORGET = "forget"  # arg: y (delete my data) | n (keep it)
    DUPLICATE = "dup"  # arg: y (it's a new request) | n (the same one)
    # Coordinators' buttons; the presser's role is checked on every press.
    NEED_SEE = "nsee"  # arg: need id
    NEED_ASSIGN = "nasg"  # arg: need id (shows who could be asked)
    NEED_CLOSE = "ncls"  # arg: need id
    ASSIGN_TO = "asgto"  # arg: <need id>x<volunteer id in base 36>
    APPROVE = "apr"  # arg: volunteer's user id
    REJECT = "rej"  # arg: volunteer's user id
    RESOLVE = "rslv"  # arg: concern id
    ROLE_REMOVE = "rrm"  # arg: <user id><c | l>
    # The relay between the two people of one task.
    RELAY = "msg"  # arg: <need id>x<the other person's id in base 36>
    PHONE = "phone"  # arg: the same
    # A flow put aside after MUTUALAID_FLOW_TIMEOUT (handlers/flows.py).
    RESUME = "rsm"  # arg: <c (carry on) | a (start again) | x (cancel)><flow name>
    # After signposts that are not about an emergency: the need is held for a coordinator.
    POST_ANYWAY = "pany"
    HELD_RELEASE = "hrel"  # arg: need id (coordinators)
    HELD_CLOSE = "hcls"  # arg: need id (coordinators)
    # Council referrals (handlers/referrals.py).
    REFER_AGREED = "ragree"  # arg: y (the resident agreed) | n
    REFER_TAKE = "rtake"  # arg: need id (coordinators)
    REFER_DECLINE = "rdecl"  # arg: need id (coordinators; asks why)
    # Coordinators in the chat (handlers/coordinator_keys.py builds and parses these).
    PICK = "pick"  # arg: <command letter>[need id]x<user id in base 36>: who a name meant
    NEED_REASSIGN = "nrsg"  # arg: need id (asks to confirm)
    NEED_REASSIGN_YES = "nrsy"  # arg: <need id>x<volunteer id in base 36>
    NEED_END = "nend"  # arg: need id: close a need a volunteer has (asks to confirm)
    NEED_END_YES = "nendy"  # arg: <need id>x<volunteer id in base 36>
    NEED_REOPEN = "nreo"  # arg: need id
    NEED_NOTE = "nnote"  # arg: need id (the next text is the note)
    NEED_MESSAGE = "nmsg"  # arg: need id (the next text goes to the resident)
    NEED_MATCH = "nmat"  # arg: need id (ask volunteers the usual way)
    NEVER_MIND = "nvm"  # the buttons of a question go, nothing else happens
    VOL_PAGE = "vpage"  # arg: page number (the words searched are in user_data)
    VOL_VET = "vvet"  # arg: <user id><y | n>
    VOL_BLOCK = "vblk"  # arg: user id (asks to confirm)
    VOL_BLOCK_YES = "vblky"  # arg: user id
    APPROVE_ALL = "aprall"  # arg: how many were waiting when shown (asks to confirm)
    APPROVE_ALL_YES = "apraly"  # arg: how many the confirmation named
    ANN_AREA = "anar"  # arg: area index, or x for every area
    ANN_SKILL = "ansk"  # arg: category index, or x for every skill
    ANN_SEND = "ansend"
    ANN_CANCEL = "ancxl"
    LANGUAGE = "lang"  # arg: a language code (under /language and the privacy notice)
    VLANG = "vlang"  # arg: index into the group's languages (a volunteer's, ticked)
    VLANGS_DONE = "vlangd"


# Buttons that work whatever flow the presser is in: proposals, tasks, their own requests.
GLOBAL_ACTIONS = (
    Action.ACCEPT,
    Action.DECLINE,
    Action.DONE,
    Action.DROP,
    Action.HOURS,
    Action.CONCERN,
    Action.CANCEL_NEED,
    Action.CANCEL_OFFER,
    Action.KEEP,
    Action.CLOSE,
    Action.GOOD,
    Action.PROBLEM,
    Action.NEED_SEE,
    Action.NEED_ASSIGN,
    Action.NEED_CLOSE,
    Action.ASSIGN_TO,
    Action.APPROVE,
    Action.REJECT,
    Action.RESOLVE,
    Action.ROLE_REMOVE,
    Action.RELAY,
    Action.PHONE,
    Action.HELD_RELEASE,
    Action.HELD_CLOSE,
    Action.REFER_TAKE,
    Action.REFER_DECLINE,
    Action.LANGUAGE,
)


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


def pattern_except(*actions: Action) -> re.Pattern[str]:
    """Any callback data except these actions'."""
    names = "|".join(a.value for a in actions)
    return re.compile(rf"^(?!{VERSION}:({names}):)")


def _b(label: str, action: Action, arg: str | int = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=Button(action, str(arg)).data())


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _cancel_row() -> list[InlineKeyboardButton]:
    return [_b(_("Cancel"), Action.ABORT)]


def consent(
    version: int | None = None, *, language: str | None = None, offered: tuple[str, ...] = ()
) -> InlineKeyboardMarkup:
    """`I agree` carries the notice's version (the current one unless given), so agreeing
    under an old notice agrees to that one only, and the language it was read in; under
    it, the group's other languages, each in its own name."""
    version = texts.PRIVACY_VERSION if version is None else version
    agree = f"y{version}{language or ''}"
    rows = [[_b(_("I agree"), Action.CONSENT, agree), _b(_("No thanks"), Action.CONSENT, "n")]]
    others = [code for code in offered if code != language]
    if len(offered) > 1:
        rows.append([_b(i18n.NAMES[code], Action.LANGUAGE, code) for code in others])
    return InlineKeyboardMarkup(rows)


_AGREED = re.compile(r"^y(\d{1,6})?([a-z]{2})?$")


def parse_consent(arg: str) -> tuple[bool, int, str | None] | None:
    """(agreed, notice version, language read in) from a consent button; `y` alone is the
    first notice's."""
    if arg == "n":
        return False, 0, None
    found = _AGREED.match(arg)
    if found is None:
        return None
    return True, int(found[1] or 1), found[2]


def languages(offered: tuple[str, ...]) -> InlineKeyboardMarkup:
    """One button for each language the group offers, in that language's own name."""
    return InlineKeyboardMarkup(_rows([_b(i18n.NAMES[c], Action.LANGUAGE, c) for c in offered], 3))


def menu(tasks: bool = False) -> InlineKeyboardMarkup:
    """`I need help`, `I can help`, and for a volunteer `My tasks`."""
    rows = [[_b(_("I need help"), Action.MENU, "need"), _b(_("I can help"), Action.MENU, "help")]]
    if tasks:
        rows.append([_b(_("My tasks"), Action.MENU, "tasks")])
    return InlineKeyboardMarkup(rows)


# The flows a `Carry on` button may name.
FLOWS = ("need", "volunteer", "concern", "refer", "decline")


def resume(flow: str) -> InlineKeyboardMarkup:
    """Under the summary of a flow put aside."""
    return InlineKeyboardMarkup(
        [
            [
                _b(_("Carry on"), Action.RESUME, f"{Resume.CARRY_ON.value}{flow}"),
                _b(_("Start again"), Action.RESUME, f"{Resume.START_AGAIN.value}{flow}"),
            ],
            [_b(_("Cancel"), Action.RESUME, f"{Resume.CANCEL.value}{flow}")],
        ]
    )


def parse_resume(arg: str) -> tuple[Resume, str] | None:
    """(what to do, which flow) from a `Carry on` / `Start again` / `Cancel` button."""
    try:
        choice = Resume(arg[:1])
    except ValueError:
        return None
    return (choice, arg[1:]) if arg[1:] in FLOWS else None


def post_anyway() -> InlineKeyboardMarkup:
    """Under signposts that are not about an emergency."""
    return InlineKeyboardMarkup(
        [[_b(_("It's not that, post it"), Action.POST_ANYWAY)], [_b(_("Cancel"), Action.ABORT)]]
    )


def held_need(need_id: int, see: bool = True) -> InlineKeyboardMarkup:
    """Under each need held for a coordinator in /open."""
    row = [
        _b(_("Release"), Action.HELD_RELEASE, need_id),
        _b(_("Close"), Action.HELD_CLOSE, need_id),
    ]
    if see:
        row.insert(0, _b(_("See in full"), Action.NEED_SEE, need_id))
    return InlineKeyboardMarkup([row])


def refer_agreed() -> InlineKeyboardMarkup:
    """Under a referral's summary: the resident's agreement, without which nothing is kept."""
    return InlineKeyboardMarkup(
        [
            [
                _b(_("Yes, they agreed"), Action.REFER_AGREED, "y"),
                _b(_("No"), Action.REFER_AGREED, "n"),
            ]
        ]
    )


def referral(need_id: int) -> InlineKeyboardMarkup:
    """Under each council referral in /open."""
    return InlineKeyboardMarkup(
        [
            [
                _b(_("Take"), Action.REFER_TAKE, need_id),
                _b(_("Decline"), Action.REFER_DECLINE, need_id),
            ]
        ]
    )


def categories(names: list[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(i18n.named(n), Action.CATEGORY, i)] for i, n in enumerate(names)] + [_cancel_row()]
    )


def areas(names: list[str]) -> InlineKeyboardMarkup:
    buttons = [_b(n, Action.AREA, i) for i, n in enumerate(names)]
    return InlineKeyboardMarkup([*_rows(buttons, 2), _cancel_row()])


def when() -> InlineKeyboardMarkup:
    buttons = [_b(label, Action.WHEN, w.value) for w, label in texts.WHEN_LABELS.items()]
    return InlineKeyboardMarkup([*_rows(buttons, 2), _cancel_row()])


def confirm_need() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(_("Post"), Action.POST), _b(_("Cancel"), Action.ABORT)]])


def duplicate() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _b(_("Yes, it's new"), Action.DUPLICATE, "y"),
                _b(_("No, same one"), Action.DUPLICATE, "n"),
            ]
        ]
    )


def forget() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(_("Delete my data"), Action.FORGET, "y"), _b(_("Keep my data"), Action.FORGET, "n")]]
    )


def toggles(
    names: list[str],
    chosen: set[str],
    action: Action,
    done: Action,
    shown: Callable[[str], str] = i18n.named,
) -> InlineKeyboardMarkup:
    """One button per name to tick or untick (`shown` as the reader reads it), then Done."""
    buttons = [
        _b(("✅ " if n in chosen else "") + shown(n), action, i) for i, n in enumerate(names)
    ]
    return InlineKeyboardMarkup([*_rows(buttons, 2), [_b(_("Done"), done)], _cancel_row()])


# How far from a shared location a volunteer will go, in km.
RADII = (1.0, 2.0, 5.0)


def radius() -> InlineKeyboardMarkup:
    buttons = [
        _b(_("{km} km").format(km=texts.number(km)), Action.RADIUS, i) for i, km in enumerate(RADII)
    ]
    return InlineKeyboardMarkup([buttons, _cancel_row()])


def availability() -> InlineKeyboardMarkup:
    buttons = [
        _b(label, Action.AVAILABILITY, a.value) for a, label in texts.AVAILABILITY_LABELS.items()
    ]
    return InlineKeyboardMarkup([*_rows(buttons, 2), _cancel_row()])


def confirm_volunteer() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(_("Save"), Action.SAVE), _b(_("Cancel"), Action.ABORT)]])


def proposal(proposal_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _b(_("Accept"), Action.ACCEPT, proposal_id),
                _b(_("Decline"), Action.DECLINE, proposal_id),
            ]
        ]
    )


# Labels and the hours each stands for.
HOURS: tuple[tuple[str, float], ...] = (
    (N_("15 min"), 0.25),
    (N_("30 min"), 0.5),
    (N_("1 hour"), 1.0),
    (N_("2 hours"), 2.0),
    (N_("3+ hours"), 3.0),
)


def _reach(need_id: int, other: tuple[int, str] | None) -> list[list[InlineKeyboardButton]]:
    """`Message <name>` and `Share my phone number`, for the other person of a task."""
    if other is None:
        return []
    arg = relay_arg(need_id, other[0])
    return [
        [
            _b(texts.MESSAGE_LABEL.format(name=other[1])[:40], Action.RELAY, arg),
            _b(texts.SHARE_PHONE_LABEL, Action.PHONE, arg),
        ]
    ]


def task(need_id: int, resident: tuple[int, str] | None = None) -> InlineKeyboardMarkup:
    """On every task message: `Done`, `Couldn't do it`, `Raise a concern`; and on the
    accepted details and in /tasks, `Message <resident>` and `Share my phone number`."""
    return InlineKeyboardMarkup(
        [
            *_reach(need_id, resident),
            [_b(_("Done"), Action.DONE, need_id), _b(_("Couldn't do it"), Action.DROP, need_id)],
            [_b(_("Raise a concern"), Action.CONCERN, need_id)],
        ]
    )


def accepted_resident(need_id: int, volunteer: tuple[int, str] | None) -> InlineKeyboardMarkup:
    """Under the resident's "accepted" message."""
    return InlineKeyboardMarkup(
        [*_reach(need_id, volunteer), [_b(_("Raise a concern"), Action.CONCERN, need_id)]]
    )


def relay_reply(need_id: int, sender_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(texts.REPLY_LABEL, Action.RELAY, relay_arg(need_id, sender_id))]]
    )


def relay_choice(links: list[tuple[int, int, str]]) -> InlineKeyboardMarkup:
    """Which of several conversations a message is for: (need id, other id, their name)."""
    buttons = [
        _b(f"#{need_id} · {name}"[:40], Action.RELAY, relay_arg(need_id, other))
        for need_id, other, name in links[:8]
    ]
    return InlineKeyboardMarkup(_rows(buttons, 1))


def relay_arg(need_id: int, other_id: int) -> str:
    return f"{need_id}x{_base36(other_id)}"


def parse_relay(arg: str) -> tuple[int, int] | None:
    need, _, other = arg.partition("x")
    if not need.isdigit() or not other or len(need) > 9:
        return None
    try:
        return int(need), int(other, 36)
    except ValueError:
        return None


def share_phone() -> ReplyKeyboardMarkup:
    """Telegram's own contact button: a number is handed over only on its owner's tap."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts.SHARE_PHONE_LABEL, request_contact=True)], [texts.PHONE_CANCEL]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def hours(need_id: int) -> InlineKeyboardMarkup:
    buttons = [_b(_(label), Action.HOURS, f"{need_id}h{i}") for i, (label, _h) in enumerate(HOURS)]
    return InlineKeyboardMarkup(_rows(buttons, 3))


def parse_hours(arg: str) -> tuple[int, float] | None:
    need, _, index = arg.partition("h")
    if not (need.isdigit() and index.isdigit() and int(index) < len(HOURS)):
        return None
    return int(need), HOURS[int(index)][1]


def cancel_need(need_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(_("Cancel #{id}").format(id=need_id), Action.CANCEL_NEED, need_id)]]
    )


def cancel_offer(offer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(_("Cancel this offer"), Action.CANCEL_OFFER, offer_id)]])


def still_needed(need_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _b(_("Yes, keep it open"), Action.KEEP, need_id),
                _b(_("No, close it"), Action.CLOSE, need_id),
            ]
        ]
    )


def all_good(need_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(_("Yes"), Action.GOOD, need_id), _b(_("There's a problem"), Action.PROBLEM, need_id)]]
    )


# --- coordinators ------------------------------------------------------------------------------


def open_need(need_id: int, see: bool = True) -> InlineKeyboardMarkup:
    """Under each need in /open: see it in full, ask someone, close it."""
    row = [_b(_("Assign"), Action.NEED_ASSIGN, need_id), _b(_("Close"), Action.NEED_CLOSE, need_id)]
    if see:
        row.insert(0, _b(_("See in full"), Action.NEED_SEE, need_id))
    return InlineKeyboardMarkup([row])


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def assign_choices(need_id: int, volunteers: list[tuple[str, int]]) -> InlineKeyboardMarkup:
    """One `Ask <name>` button per volunteer who could be asked about this need."""
    return InlineKeyboardMarkup(
        [
            [
                _b(
                    _("Ask {name}").format(name=name),
                    Action.ASSIGN_TO,
                    f"{need_id}x{_base36(user_id)}",
                )
            ]
            for name, user_id in volunteers
        ]
    )


def parse_assign(arg: str) -> tuple[int, int] | None:
    """(need id, volunteer id) from an `Ask <name>` button."""
    need, sep, volunteer = arg.partition("x")
    if not (sep and need.isdigit() and len(need) < 12 and volunteer.isalnum()):
        return None
    try:
        return int(need), int(volunteer, 36)
    except ValueError:
        return None


def approve(user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(_("Approve"), Action.APPROVE, user_id), _b(_("Reject"), Action.REJECT, user_id)]]
    )


def resolve(concern_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(_("Resolved"), Action.RESOLVE, concern_id)]])


_ROLE_LETTERS = {Role.COORDINATOR: "c", Role.LIAISON: "l"}


def remove_roles(holders: list[tuple[str, int, Role]]) -> InlineKeyboardMarkup | None:
    """One `Remove` button per (label, user id, role) that may be removed."""
    if not holders:
        return None
    return InlineKeyboardMarkup(
        [
            [
                _b(
                    _("Remove {name}").format(name=label),
                    Action.ROLE_REMOVE,
                    f"{user_id}{_ROLE_LETTERS[role]}",
                )
            ]
            for label, user_id, role in holders
        ]
    )


def parse_role_removal(arg: str) -> tuple[int, Role] | None:
    user, letter = arg[:-1], arg[-1:]
    role = next((r for r, code in _ROLE_LETTERS.items() if code == letter), None)
    if role is None or not user.isdigit() or len(user) > 15:
        return None
    return int(user), role


def hours_label(hours: float) -> str:
    """What the button for these hours said, in the reader's language."""
    return _(next(label for label, h in HOURS if h == hours))
