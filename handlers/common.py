"""What every user meets: the gate, /start and consent, /help, /cancel, and the fallbacks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from domain.models import Role
from domain.people import menu_sections
from domain.safety import visible_text
from handlers import i18n, keyboards, menus, outbox, texts
from handlers.context import Ctx, Services
from handlers.keyboards import Action
from storage.db import processing_update

logger = logging.getLogger(__name__)


def clean_text(text: str | None) -> str:
    """User text without control, format or blank-looking characters, trimmed."""
    return visible_text(text or "")


def reply(
    update: Update, context: Ctx, text: str, reply_markup: outbox.Markup | None = None
) -> None:
    """Answer in the chat the update came from (owed with the update's changes); the
    person is waiting for it, so it goes before anything else Telegram's pace allows."""
    chat = update.effective_chat
    if chat is not None:
        s = context.services
        outbox.say(s.store.outbox, s.now(), chat.id, text, reply_markup, priority=outbox.ANSWER)


def tell(
    context: Ctx,
    chat_id: int,
    text: str,
    markup: outbox.Markup | None = None,
    *,
    key: str | None = None,
    priority: int = outbox.PERSONAL,
) -> None:
    """Owe someone a message, with the changes of the work in progress."""
    s = context.services
    outbox.say(s.store.outbox, s.now(), chat_id, text, markup, key=key, priority=priority)


@asynccontextmanager
async def to(context: Ctx | Services, chat_id: int) -> AsyncIterator[None]:
    """Within the block, texts and buttons are in the language this person reads: for
    messages owed to someone other than the one whose update (or work) this is."""
    s = context if isinstance(context, Services) else context.services
    offered = s.community.languages
    language = await s.store.people.language(chat_id)
    with i18n.speaking(language if language in offered else offered[0]):
        yield


def proposal_key(proposal_id: int) -> str:
    """How a proposal's message is named in the outbox, so its later edits find it."""
    return f"proposal:{proposal_id}"


def answer(update: Update, text: str | None = None) -> None:
    """CallbackQueries need to be answered, or the user's button keeps spinning."""
    query = update.callback_query
    if query is not None:
        outbox.soon(lambda: query.answer(text))


def _pressed_message(update: Update) -> tuple[int, int] | None:
    query = update.callback_query
    message = query.message if query is not None else None
    if message is None:
        return None
    return message.chat.id, message.message_id


def newest_pressed(update: Update, context: Ctx) -> bool:
    """Is the message whose button was pressed the newest in its chat, with nothing more on
    its way there? (Then it may become what comes next, in place.)"""
    where = _pressed_message(update)
    return where is not None and context.services.sender.newest(where[0]) == where[1]


def remove_buttons(
    update: Update, context: Ctx, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Take the buttons off the message whose button was pressed (or put these instead)."""
    where = _pressed_message(update)
    if where is not None:
        s = context.services
        outbox.set_buttons(s.store.outbox, s.now(), where[0], markup, message_id=where[1])


def edit_pressed(
    update: Update, context: Ctx, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Rewrite the message whose button was pressed (without buttons unless given)."""
    where = _pressed_message(update)
    if where is not None:
        s = context.services
        outbox.edit(s.store.outbox, s.now(), where[0], text, reply_markup, message_id=where[1])


# Before agreeing (or agreeing again to a new notice) only these work: the notice itself,
# and seeing or deleting what is kept, which must never wait for a new agreement.
_BEFORE_CONSENT = ("/start", "/mydata", "/forget", "/language")


def _command(update: Update) -> str | None:
    message = update.effective_message
    if message is None or not message.text or not message.text.startswith("/"):
        return None
    return message.text.split()[0].split("@")[0]


def _is_data_rights(update: Update) -> bool:
    """/mydata, /forget and the `Delete my data` button: open to everyone, always."""
    if update.callback_query is not None:
        button = keyboards.parse(update.callback_query.data)
        return button is not None and button.action is Action.FORGET
    return _command(update) in ("/mydata", "/forget")


def _is_start_or_consent(update: Update) -> bool:
    if update.callback_query is not None:
        button = keyboards.parse(update.callback_query.data)
        return button is not None and button.action in (
            Action.CONSENT,
            Action.FORGET,
            Action.LANGUAGE,
        )
    return _command(update) in _BEFORE_CONSENT


def _consent_buttons(context: Ctx) -> InlineKeyboardMarkup:
    return keyboards.consent(language=i18n.current(), offered=context.services.community.languages)


def notice(context: Ctx) -> str:
    """The privacy notice, saying it has changed to someone who agreed to an older one."""
    s = context.services
    notice = texts.privacy_notice(s.community.name, s.retention.days)
    person = context.person
    return (texts.PRIVACY_UPDATED + notice) if person and person.consent_at else notice


async def gate(update: Update, context: Ctx) -> None:
    """Runs before every handler: private chats only, people known, consent first."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        raise ApplicationHandlerStop
    s = context.services
    processing_update(None)
    seen, person = await s.store.people.at_update(user.id, update.update_id)
    if seen:
        # Delivered again (say, after a crash before Telegram heard we had it): it has
        # already changed what it was going to change, so it does nothing more.
        logger.info("Update %s was delivered again; ignored", update.update_id)
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        message = update.effective_message
        if message is not None and message.text and message.text.startswith("/"):
            outbox.soon(lambda: message.reply_text(texts.GROUP_CHAT))
        elif update.callback_query is not None:
            answer(update, texts.GROUP_CHAT)
        raise ApplicationHandlerStop
    # Nobody is recorded before agreeing; names are kept fresh for those who have.
    if person is not None and (
        person.first_name != user.first_name
        or person.username != user.username
        or not person.reachable  # blocked the bot once; writing to it again undoes that
    ):
        await s.store.people.upsert(user.id, user.first_name, user.username, s.now())
        person = await s.store.people.get(user.id)
    context.person = person
    chosen = person.language if person is not None else None
    i18n.use(i18n.reader_language(chosen, user.language_code, s.community.languages))
    # From here on, what this update changes records its id with the change (storage.db.tx);
    # keeping a name up to date above is housekeeping, not the update's doing.
    processing_update(update.update_id, s.now())
    if person is not None and person.blocked and not _is_data_rights(update):
        # Blocked by a coordinator: one neutral answer to anything, and nothing else happens
        # (but what is kept about them they may still see and delete).
        answer(update, texts.BLOCKED_REPLY)
        if update.callback_query is None:
            reply(update, context, texts.BLOCKED_REPLY)
        raise ApplicationHandlerStop
    consented = person is not None and person.consent_version >= texts.PRIVACY_VERSION
    if not consented and not _is_start_or_consent(update):
        answer(update, texts.NEEDS_CONSENT)
        if person is not None and person.consent_at is not None:
            # They agreed to an older notice: this one, before anything else.
            reply(update, context, notice(context), reply_markup=_consent_buttons(context))
        else:
            reply(update, context, texts.NEEDS_CONSENT)
        raise ApplicationHandlerStop


async def start(update: Update, context: Ctx) -> None:
    """Show the privacy notice, or the menu to someone who has agreed."""
    person = context.person
    if person is not None and person.consent_version >= texts.PRIVACY_VERSION:
        reply(update, context, texts.CONSENT_THANKS, reply_markup=keyboards.menu())
        return
    reply(update, context, notice(context), reply_markup=_consent_buttons(context))


async def consent(update: Update, context: Ctx) -> None:
    """`I agree` / `No thanks` under the privacy notice."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    choice = keyboards.parse_consent(button.arg) if button is not None else None
    if choice is None:
        # Empty callback data matches every pattern in PTB; anything else here is forged.
        answer(update, texts.STALE_BUTTON)
        return
    agreed, version, chosen = choice
    if chosen is not None and chosen in context.services.community.languages:
        i18n.use(chosen)  # the notice was read in it: the answer too
    else:
        chosen = None
    if agreed and version < texts.PRIVACY_VERSION:
        # `I agree` under a notice that has changed since: agreeing needs the new one.
        answer(update, texts.STALE_BUTTON)
        reply(update, context, notice(context), reply_markup=_consent_buttons(context))
        return
    answer(update)
    s = context.services
    user = update.effective_user
    if agreed:
        # The language the notice was read in is theirs from now on.
        await s.store.people.upsert(
            user.id, user.first_name, user.username, s.now(), language=chosen or i18n.current()
        )
        if chosen is not None:
            await s.store.people.set_language(user.id, chosen)
        await s.store.people.consent(user.id, texts.PRIVACY_VERSION, s.now())
        menus.refresh(context, user.id)
        if newest_pressed(update, context):
            # The notice stays readable, with what they said under it, and the menu.
            thanks = texts.concluded(notice(context), texts.CONSENT_THANKS)
            edit_pressed(update, context, thanks, reply_markup=keyboards.menu())
        else:
            remove_buttons(update, context)
            reply(update, context, texts.CONSENT_THANKS, reply_markup=keyboards.menu())
    else:
        await s.store.people.forget_unconsented(user.id)
        remove_buttons(update, context)
        kept = context.person is not None and context.person.consent_at is not None
        reply(update, context, texts.CONSENT_DECLINED_KEPT if kept else texts.CONSENT_DECLINED)


async def help_command(update: Update, context: Ctx) -> None:
    """List the commands the caller can use: the same lists as their command menu."""
    assert update.effective_user is not None
    user_id = update.effective_user.id
    profile = await context.services.store.volunteers.get(user_id)
    held = {r.value for r in context.person.roles} if context.person is not None else set()
    if user_id in context.services.coordinator_ids:
        held.add(Role.COORDINATOR.value)
    sections = menu_sections(held, profile is not None and profile.approved)
    reply(update, context, "".join(texts.help_section(s) for s in sections))


async def cancel_outside(update: Update, context: Ctx) -> None:
    """/cancel with no flow in progress."""
    reply(update, context, texts.NOTHING_TO_CANCEL)


async def unknown_command(update: Update, context: Ctx) -> None:
    """Any command nobody handles."""
    reply(update, context, texts.UNKNOWN_COMMAND)


async def unknown_message(update: Update, context: Ctx) -> None:
    """Text, stickers, photos and the rest outside any flow: a typed answer to a question
    the bot asked, or what they can do here, with the menu's buttons."""
    # Imported here: handlers.outside stands on this module (and on mine, privacy, tasks).
    from handlers.outside import outside_flow

    await outside_flow(update, context)


async def stale_button(update: Update, context: Ctx) -> None:
    """A button from an earlier flow, a forged one, or one nobody handles now."""
    answer(update, texts.STALE_BUTTON)


async def end_flow(update: Update, context: Ctx) -> int:
    """/cancel or the Cancel button inside a flow: forget the form, post nothing."""
    context.form.clear()
    if update.callback_query is not None:
        answer(update)
        remove_buttons(update, context)
    reply(update, context, texts.CANCELLED)
    return ConversationHandler.END


async def busy_elsewhere(update: Update, context: Ctx) -> None:
    """Another command in the middle of a flow."""
    reply(update, context, texts.IN_A_FLOW)


async def text_only(update: Update, context: Ctx) -> None:
    """A sticker, photo or voice note where words are expected."""
    reply(update, context, texts.TEXT_ONLY)
