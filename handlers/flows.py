"""Flows in progress: the question each is waiting on, typed answers that fit no button, and
flows put aside after MUTUALAID_FLOW_TIMEOUT.

A flow's half-filled form (`context.form`, kept with user_data, so it survives a restart)
names the flow (`flow`), the step whose question is waiting (`step`) and when its last step
was taken (`at`, UTC). A flow left silent for longer than the timeout is put aside, not
lost (product.md, Time as people read it): the person's next message or press of one of
its buttons gets what they had started, with `Carry on`, `Start again` and `Cancel`, and is
never read as an answer to the question asked long before. Until they choose, the form
says so (`aside`).

Each flow registers its steps (how to ask each question again, and with which buttons)
and how to start again and sum up what was chosen (handlers/resident.py, volunteer.py,
concerns.py).

A question answered by one of its buttons becomes the next question in place: the message
is edited to show what was chosen, then the next question and its buttons (`ask`), and the
last one becomes the question with how it ended (`conclude`). Telegram allows a bot about
30 new messages a second and edits are not counted, so a flow pressed through mostly edits
leaves the budget to the messages that must be new. A typed answer still gets the next
question as a new message, below what was typed; so does a press on a message that is no
longer the newest in the chat (a question asked again after something typed, a flow left
behind), where an edit far up the chat would go unseen.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, ConversationHandler

from domain import answers
from domain.answers import Resume
from handlers import keyboards, outbox, texts
from handlers.common import (
    answer,
    clean_text,
    edit_pressed,
    newest_pressed,
    remove_buttons,
    reply,
)
from handlers.context import Ctx

logger = logging.getLogger(__name__)

FLOW, STEP, AT, ASIDE = "flow", "step", "at", "aside"

Ask = Callable[..., Awaitable[None]]
Buttons = Callable[[Ctx], outbox.Markup | None]
F = TypeVar("F", bound=Ask)


def _no_buttons(context: Ctx) -> outbox.Markup | None:
    return None


@dataclass(frozen=True)
class Step:
    ask: Ask  # sends the step's question, with its buttons
    buttons: Buttons  # the buttons alone, shown again under what was expected


@dataclass(frozen=True)
class Flow:
    restart: Callable[[Update, Ctx], Awaitable[object]]  # `Start again`: the new state
    summary: Callable[[Ctx], tuple[str, list[tuple[str, str]]]]  # what, and what was chosen


STEPS: dict[str, Step] = {}
FLOWS: dict[str, Flow] = {}


def step(name: str, buttons: Buttons = _no_buttons) -> Callable[[F], F]:
    """Register a function that asks a step's question; calling it notes the step."""

    def register(ask: F) -> F:
        @functools.wraps(ask)
        async def asking(update: Update, context: Ctx, *args: Any, **kwargs: Any) -> None:
            context.form[STEP] = name
            await ask(update, context, *args, **kwargs)

        STEPS[name] = Step(asking, buttons)
        return asking  # type: ignore[return-value]

    return register


def register_flow(
    name: str,
    restart: Callable[[Update, Ctx], Awaitable[object]],
    summary: Callable[[Ctx], tuple[str, list[tuple[str, str]]]],
) -> None:
    FLOWS[name] = Flow(restart, summary)


def by_button(update: Update, context: Ctx) -> None:
    """A button answered the question on its message: the press is answered, and the
    message becomes the next question (`ask`) or how the flow ended (`conclude`); if neither
    comes, its buttons come off once the step is over (FlowConversation)."""
    answer(update)
    context.answered_by_button = True


def _in_place(update: Update, context: Ctx) -> bool:
    """May the message whose button answered the question become what comes next? Only
    once, and only if it is the newest message in the chat with nothing more on its way."""
    return context.answered_by_button and newest_pressed(update, context)


def let_go(update: Update, context: Ctx) -> None:
    """The pressed message stays as it was, without its buttons."""
    if context.answered_by_button:
        context.answered_by_button = False
        remove_buttons(update, context)


def ask(
    update: Update,
    context: Ctx,
    text: str,
    markup: outbox.Markup | None = None,
    *,
    chosen: list[tuple[str, str]] | None = None,
) -> None:
    """Ask a flow's question: in place of the one a button just answered (what was `chosen`
    shown above it), or as a new message."""
    if _in_place(update, context) and isinstance(markup, InlineKeyboardMarkup | None):
        context.answered_by_button = False
        edit_pressed(update, context, texts.chosen(chosen or []) + text, markup)
        return
    let_go(update, context)
    reply(update, context, text, reply_markup=markup)


def conclude(update: Update, context: Ctx, question: str, outcome: str) -> None:
    """The last word of a flow: under the `question` a button just answered, in its place
    (the question stays readable, its buttons gone), or as a new message."""
    if _in_place(update, context):
        context.answered_by_button = False
        edit_pressed(update, context, texts.concluded(question, outcome))
        return
    let_go(update, context)
    reply(update, context, outcome)


def typed(update: Update) -> str:
    """The text of a message, as typed (without invisible characters)."""
    message = update.effective_message
    return clean_text(message.text if message is not None else None)


async def not_understood(update: Update, context: Ctx) -> None:
    """A typed answer (or a sticker) that fits none of the step's buttons: what the step
    expected, and its buttons again; nothing changes."""
    name = context.form.get(STEP)
    found = STEPS.get(name) if isinstance(name, str) else None
    text = texts.EXPECTED.get(name, texts.USE_BUTTONS) if isinstance(name, str) else None
    reply(
        update,
        context,
        text or texts.USE_BUTTONS,
        reply_markup=found.buttons(context) if found else None,
    )


# --- the time of the last step ---------------------------------------------------------------


def _form(context: Ctx) -> dict[str, Any] | None:
    """The form, read without making one for someone who has none."""
    form = (context.user_data or {}).get("form")
    return form if isinstance(form, dict) else None


def _at(form: dict[str, Any]) -> datetime | None:
    try:
        at = datetime.fromisoformat(str(form.get(AT)))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def stamp(context: Ctx) -> None:
    """A step was taken: the flow's clock starts again (not while it is put aside)."""
    form = _form(context)
    if form and form.get(FLOW) and not form.get(ASIDE):
        form[AT] = context.services.now().isoformat()


def is_aside(context: Ctx) -> bool:
    """Is the flow in progress put aside, or silent for longer than the timeout? A form
    with no time at all (kept from before times were kept) is treated as old."""
    form = _form(context)
    if not form or not form.get(FLOW):
        return False
    if form.get(ASIDE):
        return True
    at = _at(form)
    s = context.services
    return at is None or s.now() - at > s.flow_timeout


# --- put aside, and taken up again -----------------------------------------------------------


def _summary(context: Ctx) -> str:
    form = context.form
    flow = FLOWS.get(str(form.get(FLOW)))
    what, chosen = flow.summary(context) if flow else ("", [])
    at = _at(form)
    age = texts.age(context.services.now() - at) if at else texts.ASIDE_A_WHILE
    return texts.aside(what, age, chosen)


async def put_aside(update: Update, context: Ctx) -> object | None:
    """Any answer to a flow put aside: the first gets what they had started, with `Carry
    on`, `Start again` and `Cancel`; then those three, typed, do what they say, and anything
    else gets them again. Returns the flow's new state, or None to stay."""
    form = context.form
    flow = str(form.get(FLOW))
    if update.callback_query is not None:
        answer(update)  # a button of the old question: taken as a knock on the door
    elif form.get(ASIDE):
        choice = answers.pick_resume(typed(update))
        if choice is not None:
            return await resume(update, context, choice)
    text = texts.EXPECTED["resume"] if form.get(ASIDE) else _summary(context)
    form[ASIDE] = True
    reply(update, context, text, reply_markup=keyboards.resume(flow))
    return None


async def resume(update: Update, context: Ctx, choice: Resume) -> object | None:
    """`Carry on` asks the waiting question again, `Start again` restarts the same flow,
    `Cancel` ends it."""
    form = context.form
    form.pop(ASIDE, None)
    if choice is Resume.CANCEL:
        form.clear()
        reply(update, context, texts.CANCELLED)
        return ConversationHandler.END
    flow = FLOWS.get(str(form.get(FLOW)))
    waiting = STEPS.get(str(form.get(STEP)))
    state: object | None = None
    if choice is Resume.CARRY_ON and waiting is not None:
        await waiting.ask(update, context)
    elif flow is not None:
        state = await flow.restart(update, context)
    else:  # nothing known to carry on with
        form.clear()
        reply(update, context, texts.CANCELLED)
        return ConversationHandler.END
    stamp(context)
    return state


async def resume_pressed(update: Update, context: Ctx) -> object | None:
    """`Carry on`, `Start again` or `Cancel` under the summary of a flow put aside; from
    another flow, pressed twice, or forged, it changes nothing."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    parsed = keyboards.parse_resume(button.arg) if button is not None else None
    form = _form(context)
    if parsed is None or not form or not form.get(ASIDE) or form.get(FLOW) != parsed[1]:
        answer(update, texts.STALE_BUTTON)
        return None
    answer(update)
    remove_buttons(update, context)
    return await resume(update, context, parsed[0])


class FlowConversation(ConversationHandler[Ctx]):
    """A persistent flow whose every step notes the time, and which puts itself aside when
    an answer comes after MUTUALAID_FLOW_TIMEOUT of silence (commands, `Cancel` and the
    buttons of proposals and tasks are not answers, and pass as usual)."""

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: Application[Any, Ctx, Any, Any, Any, Any],
        check_result: tuple[object, Any, Any, object],
        context: Ctx,
    ) -> object | None:
        state, key, handler, _ = check_result
        answers_a_step = handler in self.states.get(state, []) or (
            getattr(handler, "callback", None) is not_understood
        )
        if state is not None and answers_a_step and is_aside(context):
            new_state = await put_aside(update, context)
            if new_state is not None:
                self._update_state(new_state, key, handler)
            return None
        result = await super().handle_update(update, application, check_result, context)
        let_go(update, context)  # a press nothing took the place of: its buttons come off
        stamp(context)
        return result
