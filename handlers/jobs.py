"""Timed work: the tick that performs due rows, and what each kind of row does."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from domain.lifecycle import STILL_NEEDED_GRACE
from domain.models import Need, NeedStatus, ProposalStatus, Role, Work
from domain.privacy import is_anonymous, retention_cutoff
from domain.quiet import after_quiet, is_quiet
from domain.safety import UPDATE_IDS_KEPT
from handlers import coordinator_keys, keyboards, outbox, texts
from handlers.common import proposal_key, tell, to
from handlers.context import Ctx, Services
from storage.db import current_unit, processing_update

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=30)
MAX_ATTEMPTS = 8
BATCH = 100
MAX_PASSES = 50  # a bound per run; anything left over is the next tick's

Performer = Callable[[Ctx, Work], Awaitable[None]]


def _id(work: Work, key: str) -> int:
    value = work.payload.get(key)
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0


async def _need(context: Ctx, work: Work) -> Need | None:
    return await context.services.store.needs.get(_id(work, "need_id"))


async def _plain_name(context: Ctx, user_id: int | None, fallback: str) -> str:
    """Someone's first name as they typed it (not HTML), or the fallback."""
    if not user_id or is_anonymous(user_id):
        return fallback
    person = await context.services.store.people.get(user_id)
    return person.first_name if person and person.first_name else fallback


def _line(context: Ctx, template: str, need: Need) -> str:
    """A message about a need, its time said as read now, when it is sent."""
    s = context.services
    return texts.need_line(template, need, now=s.now(), tz=s.tz)


async def _first_name(context: Ctx, user_id: int | None, fallback: str) -> str:
    """Someone's first name, escaped for an HTML message."""
    return texts.html(await _plain_name(context, user_id, fallback))


async def send_proposal(context: Ctx, work: Work) -> None:
    """Ask one volunteer, unless the proposal closed before it could be sent."""
    s = context.services
    proposal = await s.store.needs.proposal(_id(work, "proposal_id"))
    if proposal is None or proposal.status is not ProposalStatus.OPEN:
        return
    need = await s.store.needs.get(proposal.need_id)
    if need is None:
        return
    async with to(context, proposal.volunteer_id):
        tell(
            context,
            proposal.volunteer_id,
            texts.proposal(need, now=s.now(), tz=s.tz),
            keyboards.proposal(proposal.id),
            key=proposal_key(proposal.id),
        )


# How an ended proposal reads (a name in handlers/texts.py, in the volunteer's language).
_ENDED = {
    ProposalStatus.TAKEN: "PROPOSAL_TAKEN",
    ProposalStatus.DECLINED: "PROPOSAL_DECLINED",
}


async def proposal_closed(context: Ctx, work: Work) -> None:
    """Edit a proposal that stopped being open, so it keeps no Accept button."""
    s = context.services
    proposal = await s.store.needs.proposal(_id(work, "proposal_id"))
    if proposal is None:
        return
    need = await s.store.needs.get(proposal.need_id)
    if need is None:
        return
    async with to(context, proposal.volunteer_id):
        template = getattr(texts, _ENDED.get(proposal.status, "PROPOSAL_CLOSED"))
        # By key: the proposal may still be waiting in the outbox (the edit then follows it).
        outbox.edit(
            s.store.outbox,
            s.now(),
            proposal.volunteer_id,
            texts.proposal_ended(need, template),
            target=proposal_key(proposal.id),
        )


async def tell_resident_accepted(context: Ctx, work: Work) -> None:
    """The resident hears the volunteer's first name and the doorstep code."""
    need = await _need(context, work)
    if need is None or need.volunteer_id is None:
        return
    async with to(context, need.resident_id):
        name = await _plain_name(context, need.volunteer_id, texts.A_VOLUNTEER)  # escaped later
        tell(
            context,
            need.resident_id,
            texts.accepted_resident(need, name),
            keyboards.accepted_resident(need.id, (need.volunteer_id, name)),
        )


async def wave_timeout(context: Ctx, work: Work) -> None:
    """A wave nobody accepted in time: the next volunteers are asked as well."""
    s = context.services
    await s.aid.wave_timed_out(_id(work, "need_id"), _id(work, "wave"), s.now())


def _still_theirs(need: Need | None, work: Work) -> bool:
    return (
        need is not None
        and need.status is NeedStatus.ACCEPTED
        and need.volunteer_id == _id(work, "volunteer_id")
    )


async def _remind(context: Ctx, work: Work, template: Callable[[], str]) -> None:
    """A task message to the volunteer, while the need is still theirs."""
    need = await _need(context, work)
    if need is not None and need.volunteer_id is not None and _still_theirs(need, work):
        async with to(context, need.volunteer_id):
            tell(
                context,
                need.volunteer_id,
                _line(context, template(), need),
                keyboards.task(need.id),
            )


async def reminder(context: Ctx, work: Work) -> None:
    """The morning of the need's day."""
    await _remind(context, work, lambda: texts.REMINDER)


async def followup(context: Ctx, work: Work) -> None:
    """After the window: `Done` or `Couldn't do it`."""
    await _remind(context, work, lambda: texts.FOLLOWUP)


async def nudge(context: Ctx, work: Work) -> None:
    """One nudge a day after the follow-up; after that coordinators see it as overdue."""
    await _remind(context, work, lambda: texts.NUDGE)


async def tell_resident_done(context: Ctx, work: Work) -> None:
    need = await _need(context, work)
    if need is None or need.status is not NeedStatus.DONE:
        return
    async with to(context, need.resident_id):
        name = await _first_name(context, need.volunteer_id, texts.YOUR_VOLUNTEER)
        tell(
            context,
            need.resident_id,
            texts.RESIDENT_DONE.format(
                volunteer=name, id=need.id, category=texts.named(need.category)
            ),
            keyboards.all_good(need.id),
        )


async def tell_resident_dropped(context: Ctx, work: Work) -> None:
    need = await _need(context, work)
    if need is None:
        return
    proposals = await context.services.store.needs.proposals_for(need.id)
    dropped = [p.volunteer_id for p in proposals if p.status is ProposalStatus.DROPPED]
    # Honestly: "asking other volunteers" only if someone is being asked.
    asking = await context.services.store.needs.open_proposal_count(need.id)
    async with to(context, need.resident_id):
        name = await _first_name(context, dropped[-1] if dropped else None, texts.YOUR_VOLUNTEER)
        template = texts.RESIDENT_DROPPED if asking else texts.RESIDENT_DROPPED_NOBODY
        tell(
            context,
            need.resident_id,
            template.format(volunteer=name, id=need.id, category=texts.named(need.category)),
        )


async def tell_volunteer_cancelled(context: Ctx, work: Work) -> None:
    need = await _need(context, work)
    if need is not None:
        by_coordinator = work.payload.get("by") == "coordinator"  # withdrawn by /block
        volunteer_id = _id(work, "volunteer_id")
        async with to(context, volunteer_id):
            template = texts.VOLUNTEER_WITHDRAWN if by_coordinator else texts.VOLUNTEER_CANCELLED
            tell(context, volunteer_id, _line(context, template, need))


async def still_needed(context: Ctx, work: Work) -> None:
    """The end of an unmatched need's window: ask the resident; silence closes it in a day."""
    s = context.services
    need = await _need(context, work)
    now = s.now()
    if need is None or need.status is not NeedStatus.OPEN or need.window_end > now:
        return  # taken, closed, or extended since this was scheduled
    await s.store.work.add(
        "auto_close",
        now + STILL_NEEDED_GRACE,
        now,
        need_id=need.id,
        window_end=need.window_end.isoformat(),
    )
    async with to(context, need.resident_id):
        tell(
            context,
            need.resident_id,
            _line(context, texts.STILL_NEEDED, need),
            keyboards.still_needed(need.id),
        )


async def auto_close(context: Ctx, work: Work) -> None:
    """No answer to `Still need help?` within a day: the need closes."""
    s = context.services
    need = await _need(context, work)
    if need is None or need.window_end.isoformat() != work.payload.get("window_end"):
        return  # extended by `Yes, keep it open`
    if await s.store.needs.close_unmet(need.id, s.now()):
        async with to(context, need.resident_id):
            tell(context, need.resident_id, _line(context, texts.AUTO_CLOSED, need))


async def _tell_coordinators(
    context: Ctx, message: Callable[[], tuple[str, outbox.Markup | None]]
) -> None:
    """The same news to every coordinator, each in their own language."""
    for user_id in await context.services.store.people.with_role(Role.COORDINATOR):
        async with to(context, user_id):
            tell(context, user_id, *message())


async def _reach(context: Ctx, user_id: int, fallback: str) -> str:
    """Someone as a coordinator can act on them: a tap link, and their @username or id."""
    person = await context.services.store.people.get(user_id) if user_id else None
    if person is None or not person.first_name or is_anonymous(user_id):
        return fallback
    return texts.reach(person.first_name, person.username, person.id)


async def alert_unmatched(context: Ctx, work: Work) -> None:
    """A need for today with nobody left to ask: coordinators hear at once, and the
    resident (once for each need) that a coordinator has been asked."""
    s = context.services
    need = await _need(context, work)
    if need is None or need.status is not NeedStatus.OPEN:
        return
    await _tell_coordinators(
        context,
        lambda: (_line(context, texts.ALERT_UNMATCHED, need), coordinator_keys.see_need(need.id)),
    )
    coordinators = await s.store.people.with_role(Role.COORDINATOR)
    if need.resident_id not in coordinators and not await s.store.work.earlier(work, "need_id"):
        async with to(context, need.resident_id):
            tell(context, need.resident_id, _line(context, texts.UNMATCHED_RESIDENT, need))


async def match(context: Ctx, work: Work) -> None:
    """Matching held over quiet hours: the next wave now, unless one is waiting already."""
    s = context.services
    await s.aid.match(_id(work, "need_id"), s.now(), reopened=bool(work.payload.get("reopened")))


async def alert_concern(context: Ctx, work: Work) -> None:
    """A concern reaches every coordinator at once."""
    s = context.services
    row = await s.store.needs.concern(_id(work, "concern_id"))
    if row is None:
        return
    who = await _reach(context, row["raised_by"], "")
    # Straight to the need's view: who is involved, its history, and what can be done.
    markup = coordinator_keys.see_need(row["need_id"]) if row["need_id"] else None

    def alert() -> tuple[str, outbox.Markup | None]:
        about = f"<b>#{row['need_id']}</b>" if row["need_id"] else texts.CONCERN_ABOUT_NOTHING
        text = texts.ALERT_CONCERN.format(
            who=who or texts.SOMEONE, about=about, text=texts.html(row["text"])
        )
        return text, markup

    await _tell_coordinators(context, alert)


async def alert_signposted(context: Ctx, work: Work) -> None:
    """A request signposted instead of posted: coordinators hear who and the topic, never
    the resident's words."""
    user_id = _id(work, "user_id")
    who = await _reach(context, user_id, "")
    keys = ("category", "area", "topics")
    fields = {k: str(work.payload.get(k) or "?") for k in keys}

    def alert() -> tuple[str, outbox.Markup | None]:
        return texts.ALERT_SIGNPOSTED.format(
            who=who or texts.A_RESIDENT,
            category=texts.named(fields["category"]),
            area=texts.html(fields["area"]),
            topics=", ".join(texts.named(t) for t in fields["topics"].split(", ")),
        ), None

    await _tell_coordinators(context, alert)


async def retention(context: Ctx, work: Work) -> None:
    """Closed needs past MUTUALAID_RETENTION lose their personal details. `tick` books the
    next row for when the next closed need is due, so a restart or a new closing loses none."""
    s = context.services
    now = s.now()
    scrubbed = await s.store.privacy.scrub_closed(retention_cutoff(now, s.retention), now)
    if scrubbed:
        await s.store.privacy.purge_copies()
        logger.info("Retention: %s closed needs lost their personal details", scrubbed)


PERFORMERS: dict[str, Performer] = {
    "send_proposal": send_proposal,
    "proposal_closed": proposal_closed,
    "tell_resident_accepted": tell_resident_accepted,
    "wave_timeout": wave_timeout,
    "reminder": reminder,
    "followup": followup,
    "nudge": nudge,
    "tell_resident_done": tell_resident_done,
    "tell_resident_dropped": tell_resident_dropped,
    "tell_volunteer_cancelled": tell_volunteer_cancelled,
    "still_needed": still_needed,
    "auto_close": auto_close,
    "alert_unmatched": alert_unmatched,
    "match": match,
    "alert_concern": alert_concern,
    "alert_signposted": alert_signposted,
    "retention": retention,
    # "digest" and "weekly_report" join from handlers/digest.py and handlers/liaison.py.
}


# What nobody asked for just then: falling due in quiet hours, it waits until they end
# (product.md, "Time as people read it"). Wave timeouts do not run in quiet hours either
# (their deadlines skip them already; this holds a row booked before that). An answer to
# what someone just did, and news that cannot wait (a volunteer told not to go, an alert
# to the coordinators), is never held.
HELD_IN_QUIET_HOURS = frozenset(
    {
        "reminder",
        "followup",
        "nudge",
        "still_needed",
        "auto_close",
        "digest",
        "weekly_report",
        "announcement",
        "wave_timeout",
    }
)


async def perform(context: Ctx, work: Work) -> None:
    """Do one row in one unit of work: what it changes, what it owes people and its mark
    commit together, so a crash leaves it either undone or wholly done."""
    s = context.services
    now = s.now()
    if work.kind in HELD_IN_QUIET_HOURS and is_quiet(now, s.quiet_hours, s.tz):
        # Not done now: the same row, due when quiet hours end. Its performer re-checks
        # then that it still holds, and says everything as read at that moment.
        await s.store.work.postpone(work.id, after_quiet(now, s.quiet_hours, s.tz))
        return
    performer = PERFORMERS.get(work.kind)
    try:
        async with s.store.db.unit():
            if performer is None:
                logger.error(
                    "Unknown kind of timed work %r (row %s); marking it done", work.kind, work.id
                )
            else:
                await performer(context, work)
            await s.store.work.complete(work.id, s.now())
    except Exception as exc:
        # Rolled back: none of it happened. Try again later, within bounds.
        if work.attempts >= MAX_ATTEMPTS:
            logger.error(
                "Row %s (%s) gave up after %s attempts",
                work.id,
                work.kind,
                work.attempts,
                exc_info=exc,
            )
            await s.store.work.complete(work.id, s.now())
            return
        backoff = min(MAX_BACKOFF, timedelta(seconds=15 * 2 ** min(work.attempts, 7)))
        logger.warning("Row %s (%s) failed, retrying in %s: %r", work.id, work.kind, backoff, exc)
        await s.store.work.retry_later(work.id, s.now() + backoff)


async def run_due_work(context: Ctx) -> int:
    """Perform every due row, oldest first, then send what they owe. One runner at a time,
    so nothing runs twice; the sending happens after, so runners do not queue behind
    Telegram's pace (with a background sender, nobody waits for it at all)."""
    if current_unit() is not None:
        raise RuntimeError("timed work runs after the unit of work that scheduled it")
    s: Services = context.services
    done = 0
    async with s.work_lock:
        # Until nothing is due: work performed here often schedules more for now (a wave
        # timing out closes proposals and asks the next wave), and that is due too.
        for _ in range(MAX_PASSES):
            batch = await s.store.work.due(s.now(), BATCH)
            if not batch:
                break
            for work in batch:
                await perform(context, work)
                done += 1

    async def after_sending(blocked: bool) -> None:
        if blocked:  # someone had blocked the bot: their open proposals move on
            await run_due_work(context)

    if s.sender.background:
        s.sender.drain_later(after_sending)
    else:
        await after_sending(await s.sender.drain())
    return done


async def tick(context: Ctx) -> None:
    """The repeating job: timed work whose time has come, and messages to try again."""
    processing_update(None)  # what the tick changes is no update's doing
    s = context.services
    now = s.now()
    await s.store.privacy.ensure_retention(now, s.retention)
    await s.store.safety.prune_updates(now - UPDATE_IDS_KEPT)
    await s.store.outbox.prune(now - outbox.SETTLED_KEPT)
    if await s.sender.drain():
        logger.info("Someone had blocked the bot; their open proposals move on")
    await run_due_work(context)
