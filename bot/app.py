"""The composition root: build the Application with every handler, job and service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.clock import SystemClock
from bot.config import Settings
from domain.community import Community, load_community
from domain.ports import Clock
from domain.services import MutualAid, Policy
from handlers import (
    common,
    digest,
    held,
    i18n,
    jobs,
    keyboards,
    language,
    liaison,
    outbox,
    roles,
    texts,
)
from handlers.concerns import concern_conversation
from handlers.context import Ctx, Services
from handlers.coordinating import (
    coordinating_handlers,
    coordinating_performers,
    coordinating_text_handlers,
)
from handlers.coordinator import coordinator_handlers, newneed_start
from handlers.dashboard import URL_KEY, ChatActions, dashboard_handlers
from handlers.digest import digest_handlers
from handlers.errors import on_error
from handlers.keyboards import Action
from handlers.liaison import liaison_handlers
from handlers.menus import sync as sync_menus
from handlers.mine import mine_handlers
from handlers.outbox import Budget, Sender
from handlers.outside import outside_handlers
from handlers.privacy import privacy_handlers
from handlers.processor import PerPersonProcessor
from handlers.referrals import (
    alert_referral,
    decline_conversation,
    refer_conversation,
    referral_handlers,
)
from handlers.relay import relay_handlers
from handlers.resident import need_conversation
from handlers.tasks import task_handlers
from handlers.volunteer import proposal_handlers, volunteer_conversation
from storage import Store
from storage.db import processing_update
from storage.outbox import owed_in
from storage.persistence import SqlitePersistence
from web.app import create_app
from web.ports import Dashboard, Turns

logger = logging.getLogger(__name__)

CONCURRENT_UPDATES = 64  # updates at work at once (different people; one person in order)
GATE_GROUP = -1
MAIN_GROUP = 0
PERSIST_GROUP = 100


class MutualAidApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, with each update handled as one unit of work: everything it
    changes, its flow's next step and every message it owes people commit together, and
    only then is anything sent (handlers/outbox.py)."""

    async def process_update(self, update: object) -> None:
        turns: Turns = self.bot_data["turns"]
        with turns.conversation():  # the dashboard waits its turn meanwhile
            await self._process(update)

    async def _process(self, update: object) -> None:
        services: Services = self.bot_data["services"]
        # The gate speaks the sender's language for the update; nothing after it does.
        with i18n.speaking(i18n.SOURCE):
            async with services.store.db.unit() as unit:
                await super().process_update(update)
        processing_update(None)
        if unit.aborted and isinstance(update, Update) and update.effective_user is not None:
            # Nothing of it was kept: the flow's saved step is whatever it was before.
            assert isinstance(self.persistence, SqlitePersistence)
            self.persistence.rolled_back(update.effective_user.id)
        owed = [] if unit.aborted else owed_in(unit)
        soon = unit.state.get("soon", [])
        # Until what this update owes has gone (and what was queued before it, in order).
        _, blocked = await asyncio.gather(
            outbox.send_soon(soon, services.sender.saw),
            services.sender.drain({row.chat_id for row in owed}, rows=owed),
        )
        if unit.state.get("work_due") or blocked:
            await jobs.run_due_work(Ctx(self))


def _slow_down(sender: Sender) -> Callable[[Update], Awaitable[None]]:
    """One request to slow down to someone sending too fast: it changes nothing, so it is
    sent straight away, within Telegram's pace like every other message."""

    async def ask(update: Update) -> None:
        if update.effective_chat is None:
            return
        if sender.budget is not None:
            await sender.budget.take()
        try:
            sender.saw(await update.effective_chat.send_message(texts.SLOW_DOWN))
        except TelegramError as exc:
            logger.info("Could not ask chat %s to slow down: %r", update.effective_chat.id, exc)

    return ask


async def _persist(update: Update, context: Ctx) -> None:
    """After every update: the state of any flow in progress goes to the database now."""
    if update.effective_user is not None:
        # PTB marks an update's user_data for saving only after every group has run, which
        # would leave this step's form to the next update (or lose it in a crash).
        context.application.mark_data_for_update_persistence(user_ids=update.effective_user.id)
    await context.application.update_persistence()  # a flow's step is an effect too
    assert context.application.persistence is not None
    await context.application.persistence.flush()
    processing_update(None)  # the update's changes are done


def build_application(
    settings: Settings,
    community: Community | None = None,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    rate_limit: bool = True,
    concurrent: bool = True,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The real bot. Tests and the demo pass a request that stands in for Telegram."""
    community = community or load_community(settings.community_path)
    store = Store.at(settings.database)
    policy = Policy(
        wave_size=settings.wave_size,
        timezone=settings.timezone,
        volunteer_approval=settings.volunteer_approval,
        wave_timeout=settings.wave_timeout,
        urgent_wave_timeout=settings.urgent_wave_timeout,
        quiet_hours=settings.quiet_hours,
    )
    clock = clock or SystemClock()
    aid = MutualAid(store, community, policy)
    # The community file's names (categories, signposts) as each language reads them.
    i18n.learn_names({language: community.names_in(language) for language in i18n.LANGUAGES})

    async def blocked(chat_id: int) -> None:
        # Someone who blocked the bot is never asked again; their open proposals move on.
        async with store.db.unit():
            await aid.unreachable(chat_id, clock.now())

    services = Services(
        store=store,
        aid=aid,
        community=community,
        clock=clock,
        # Telegram's pace is kept by the sender; with it, what timed work owes is sent in the
        # background (in tests and the demo sending is instant and awaited).
        sender=Sender(
            store.outbox,
            clock.now,
            blocked,
            budget=Budget() if rate_limit else None,
            background=rate_limit,
        ),
        tz=settings.tz,
        retention=settings.retention,
        coordinator_ids=tuple(settings.coordinator_ids),
        volunteer_approval=settings.volunteer_approval,
        digest_time=settings.digest_time,
        quiet_hours=settings.quiet_hours,
        flow_timeout=settings.flow_timeout,
    )
    token = settings.token.get_secret_value() if settings.token else "0:offline"
    builder = (
        ApplicationBuilder()
        .application_class(MutualAidApplication)
        .token(token)
        .context_types(ContextTypes(context=Ctx))
        .persistence(SqlitePersistence(store.db))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url.rstrip("/") + "/bot")
    if settings.api_base_file_url:
        builder = builder.base_file_url(settings.api_base_file_url.rstrip("/") + "/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    if concurrent:
        builder = builder.concurrent_updates(
            PerPersonProcessor(CONCURRENT_UPDATES, clock.now, _slow_down(services.sender))
        )
    app = builder.build()
    app.bot_data["services"] = services
    app.bot_data["settings"] = settings
    app.bot_data["turns"] = Turns()  # conversations before dashboard pages (web/ports.py)
    # /dashboard's links point here; None: the dashboard is off (MUTUALAID_WEB_HOST=off).
    app.bot_data[URL_KEY] = settings.dashboard_url if settings.web_host else None
    _add_handlers(app)
    return app


def build_dashboard(
    app: Application[Any, Any, Any, Any, Any, Any], *, webhook: bool = False
) -> Starlette:
    """The web dashboard over the bot's own store, community and clock; its coordinators'
    actions are the chat's (handlers/dashboard.py). With `webhook`, Telegram's updates
    arrive on it too, checked against MUTUALAID_WEBHOOK_SECRET."""
    services: Services = app.bot_data["services"]
    settings: Settings = app.bot_data["settings"]

    async def receive(data: dict[str, Any]) -> None:
        await app.update_queue.put(Update.de_json(data, app.bot))

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return create_app(
        Dashboard(
            store=services.store,
            community=services.community,
            tz=services.tz,
            clock=services.clock.now,
            actions=ChatActions(app),
            url=settings.dashboard_url,
            coordinator_ids=services.coordinator_ids,
            retention=services.retention,
            receive_update=receive if webhook else None,
            webhook_path=settings.webhook_path,
            webhook_secret=secret,
            turns=app.bot_data["turns"],
        )
    )


# Timed work whose performers live with their commands (jobs stands below them).
jobs.PERFORMERS.update(
    digest=digest.send_digest,
    weekly_report=liaison.send_weekly_report,
    alert_held=held.alert_held,
    alert_referral=alert_referral,
    **coordinating_performers(),  # announcement
)


def _add_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, common.gate), group=GATE_GROUP)
    app.add_handlers(
        [
            # Consent, then any role invite opened before agreeing.
            CallbackQueryHandler(roles.consent, pattern=keyboards.pattern(Action.CONSENT)),
            *proposal_handlers(),
            *task_handlers(),
            *mine_handlers(),
            *outside_handlers(),  # `My tasks` under the menu
            *privacy_handlers(),  # /mydata and /forget answer even mid-flow
            # /language too, and a language tapped under it or under the privacy notice.
            CommandHandler("language", language.language_command),
            CallbackQueryHandler(
                language.language_chosen, pattern=keyboards.pattern(Action.LANGUAGE)
            ),
            *coordinator_handlers(),
            *coordinating_handlers(),  # people by name, #12, /volunteers, /announce
            *held.held_handlers(),  # Release and Close on needs held for a coordinator
            *referral_handlers(),  # /referrals, and Take on the council's referrals
            *roles.roles_handlers(),
            *digest_handlers(),
            *liaison_handlers(),
            *dashboard_handlers(),
            # Flows first: inside one, /start and /help are the flow's own fallbacks.
            need_conversation(CommandHandler("newneed", newneed_start)),
            volunteer_conversation(),
            concern_conversation(),
            refer_conversation(),  # a liaison's /refer
            decline_conversation(),  # Decline on a council referral asks why
            # Outside a flow: plain text to the person someone shares a task with.
            *coordinating_text_handlers(),  # a coordinator's #12, or the note they were asked for
            *relay_handlers(),
            CommandHandler("start", roles.start_with_code, has_args=True),
            CommandHandler("start", common.start),
            CommandHandler("help", common.help_command),
            CommandHandler("cancel", common.cancel_outside),
            MessageHandler(filters.COMMAND, common.unknown_command),
            CallbackQueryHandler(common.stale_button),
            MessageHandler(filters.ALL, common.unknown_message),
        ],
        group=MAIN_GROUP,
    )
    app.add_handler(TypeHandler(Update, _persist), group=PERSIST_GROUP)
    app.add_error_handler(on_error)


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = app.bot_data["services"]
    await services.store.db.connect()
    # A /forget whose scrub a crash interrupted is finished before anything else.
    if scrubbed := await services.store.privacy.finish_scrubs():
        logger.info("Finished %s interrupted scrubs of deleted data", scrubbed)
    services.sender.bot = app.bot
    # What a previous run owed and had not sent goes first, in order, before any update.
    if owed := await services.sender.load():
        logger.info("Sending %s messages owed from before the restart", owed)
    await services.sender.drain()
    await services.store.people.ensure_coordinators(list(services.coordinator_ids), services.now())
    await digest.seed(services)  # the daily digest and Monday's report, booked once
    await liaison.seed(services)
    # Each role's command menu, where it is not yet set or has changed since (cheap: none).
    if calls := await sync_menus(
        app.bot, services.store, services.now(), services.community.languages
    ):
        logger.info("Set %s command menus", calls)
    settings: Settings = app.bot_data["settings"]
    assert app.job_queue is not None
    # Overdue rows run at once on start (first=0), then every tick.
    app.job_queue.run_repeating(jobs.tick, interval=settings.tick, first=0, name="tick")


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = app.bot_data["services"]
    await services.sender.stop()  # nothing may use the database once it is closed
    await services.store.close()
