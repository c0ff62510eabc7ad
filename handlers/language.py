"""The language each person reads: /language, the choice under the privacy notice, and the
language of messages owed to someone else.

Someone's language is the one they chose, else the one their Telegram app offered when they
agreed to the privacy notice, else the group's first. Before they agree nothing is kept: a
language tapped under the notice only changes the notice, and `I agree` carries it.
"""

from __future__ import annotations

from telegram import Update

from handlers import i18n, keyboards, menus, texts
from handlers.common import answer, edit_pressed, notice, reply
from handlers.context import Ctx

# What someone may type for each language, in each of the languages (the volunteer flow).
WORDS: dict[str, tuple[str, ...]] = {
    "en": ("English", "англійська", "англійською", "angielski", "angielskim", "angielsku"),
    "uk": ("Українська", "Ukrainian", "українською", "ukraiński", "ukrainski", "ukraińskim"),
    "pl": ("Polski", "Polish", "польська", "польською", "polskim", "polsku"),
}


async def language_command(update: Update, context: Ctx) -> None:
    """/language: the languages the group offers, each in its own name."""
    offered = context.services.community.languages
    reply(update, context, texts.ASK_LANGUAGE, reply_markup=keyboards.languages(offered))


async def language_chosen(update: Update, context: Ctx) -> None:
    """A language tapped under /language or under the privacy notice."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    s = context.services
    offered = s.community.languages
    chosen = button.arg if button is not None else ""
    if chosen not in offered:
        answer(update, texts.STALE_BUTTON)
        return
    person = context.person
    if person is None or person.consent_version < texts.PRIVACY_VERSION:
        # Not agreed yet: nothing is kept; the notice is shown again in the language chosen,
        # and agreeing to it keeps that language.
        with i18n.speaking(chosen):
            answer(update)
            edit_pressed(
                update,
                context,
                notice(context),
                keyboards.consent(language=chosen, offered=offered),
            )
        return
    await s.store.people.set_language(person.id, chosen)
    with i18n.speaking(chosen):
        answer(update)
        edit_pressed(update, context, texts.LANGUAGE_SET)
    menus.refresh(context, person.id)
