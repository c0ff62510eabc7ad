"""Timed work: the tick that performs due rows, and what each kind of row does."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from domain.models import ProposalStatus, Work
from handlers import keyboards, texts
from handlers.context import Ctx, Services

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=30)
BATCH = 100

Performer = Callable[[Ctx, Work], Awaitable[None]]


async def send_proposal(context: Ctx, work: Work) -> None:
    """Ask one volunteer, unless the proposal closed before it could be sent."""
    s = context.services
    proposal = await s.store.needs.proposal(int(work.payload["proposal_id"] or 0))
    if proposal is None or proposal.status is not ProposalStatus.OPEN:
        return
    need = await s.store.needs.get(proposal.need_id)
    if need is None:
        return
    message = await context.bot.send_message(
        proposal.volunteer_id,
        texts.proposal(need),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboards.proposal(proposal.id),
    )
    await s.store.needs.set_proposal_message(proposal.id, message.chat_id, message.message_id)


_ENDED = {
    ProposalStatus.TAKEN: texts.PROPOSAL_TAKEN,
    ProposalStatus.DECLINED: texts.PROPOSAL_DECLINED,
}


async def proposal_closed(context: Ctx, work: Work) -> None:
    """Edit a proposal that stopped being open, so it keeps no Accept button."""
    s = context.services
    proposal = await s.store.needs.proposal(int(work.payload["proposal_id"] or 0))
    if proposal is None or proposal.message_id is None or proposal.chat_id is None:
        return  # never sent: nothing on screen to change
    need = await s.store.needs.get(proposal.need_id)
    if need is None:
        return
    template = _ENDED.get(proposal.status, texts.PROPOSAL_CLOSED)
    await context.bot.edit_message_text(
        texts.proposal_ended(need, template),
        chat_id=proposal.chat_id,
        message_id=proposal.message_id,
        parse_mode=ParseMode.HTML,
    )


async def tell_resident_accepted(context: Ctx, work: Work) -> None:
    """The resident hears the volunteer's first name and the doorstep code."""
    s = context.services
    need = await s.store.needs.get(int(work.payload["need_id"] or 0))
    if need is None or need.volunteer_id is None:
        return
    volunteer = await s.store.people.get(need.volunteer_id)
    name = volunteer.first_name if volunteer else "A volunteer"
    await context.bot.send_message(
        need.resident_id, texts.accepted_resident(need, name), parse_mode=ParseMode.HTML
    )


PERFORMERS: dict[str, Performer] = {
    "send_proposal": send_proposal,
    "proposal_closed": proposal_closed,
    "tell_resident_accepted": tell_resident_accepted,
}


def _recipient(work: Work) -> int | None:
    value = work.payload.get("user_id")
    return int(value) if isinstance(value, int) else None


async def perform(context: Ctx, work: Work) -> None:
    """Do one row and mark it done; Telegram's refusals are settled here, not retried forever."""
    s = context.services
    performer = PERFORMERS.get(work.kind)
    now = s.now()
    if performer is None:
        logger.error("Unknown kind of timed work %r (row %s); marking it done", work.kind, work.id)
        await s.store.work.complete(work.id, now)
        return
    try:
        await performer(context, work)
    except RetryAfter as exc:
        delay = (
            exc.retry_after
            if isinstance(exc.retry_after, timedelta)
            else timedelta(seconds=float(exc.retry_after))
        )
        await s.store.work.retry_later(work.id, now + delay)
        return
    except Forbidden:
        # They blocked the bot: mark them unreachable; matching skips them from now on.
        user_id = _recipient(work)
        if user_id is None and "proposal_id" in work.payload:
            proposal = await s.store.needs.proposal(int(work.payload["proposal_id"] or 0))
            user_id = proposal.volunteer_id if proposal else None
        if user_id is not None:
            await s.store.people.mark_unreachable(user_id)
        logger.info("Row %s (%s): the recipient has blocked the bot", work.id, work.kind)
    except BadRequest as exc:
        # "Message is not modified", a deleted message: nothing left to do for this row.
        logger.warning("Row %s (%s) refused by Telegram: %s", work.id, work.kind, exc.message)
    except NetworkError as exc:
        backoff = min(MAX_BACKOFF, timedelta(seconds=15 * 2 ** min(work.attempts, 7)))
        logger.warning("Row %s (%s) failed, retrying in %s: %s", work.id, work.kind, backoff, exc)
        await s.store.work.retry_later(work.id, now + backoff)
        return
    await s.store.work.complete(work.id, s.now())


async def run_due_work(context: Ctx) -> int:
    """Perform every due row, oldest first. One runner at a time, so nothing runs twice."""
    s: Services = context.services
    done = 0
    async with s.work_lock:
        while True:
            batch = await s.store.work.due(s.now(), BATCH)
            if not batch:
                return done
            for work in batch:
                await perform(context, work)
                done += 1
            if len(batch) < BATCH:
                return done


async def tick(context: Ctx) -> None:
    """The repeating job: timed work whose time has come."""
    await run_due_work(context)
