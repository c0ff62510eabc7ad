"""Guards at the Post step and after a signpost: limits, possible repeats, coordinators told."""

from __future__ import annotations

from typing import Any

from telegram import Update

from domain.community import Signpost
from domain.models import Need
from domain.safety import (
    MAX_OPEN_NEEDS,
    MAX_POSTS_PER_DAY,
    Limit,
    possible_duplicates,
    posting_refusal,
    posts_since,
)
from handlers import texts
from handlers.context import Ctx


def _exempt(form: dict[str, Any]) -> bool:
    """A coordinator entering requests for people who phoned in is not posting their own."""
    return bool(form.get("on_behalf"))


async def refusal(context: Ctx, user_id: int, form: dict[str, Any]) -> str | None:
    """Why this form may not be posted now (the per-person limits), or None."""
    if _exempt(form):
        return None
    s = context.services
    open_needs = await s.store.safety.open_needs_of(user_id)
    posted = await s.store.safety.posts_since(user_id, posts_since(s.now()))
    limit = posting_refusal(len(open_needs), posted, offer=bool(form.get("offer")))
    if limit is Limit.OPEN_NEEDS:
        return texts.LIMIT_OPEN_NEEDS.format(limit=MAX_OPEN_NEEDS)
    if limit is Limit.DAILY_POSTS:
        return texts.LIMIT_DAILY_POSTS.format(limit=MAX_POSTS_PER_DAY)
    return None


async def duplicates(context: Ctx, user_id: int, form: dict[str, Any]) -> list[Need]:
    """The caller's open requests this one may repeat (same category, same area)."""
    if form.get("offer") or _exempt(form) or "same_as" in form:
        return []  # an offer, a coordinator's entry, or already answered `Yes, it's new`
    open_needs = await context.services.store.safety.open_needs_of(user_id)
    return possible_duplicates(open_needs, form["category"], form["area"])


def duplicate_question(needs: list[Need], form: dict[str, Any]) -> str:
    return texts.DUPLICATE_ASK.format(
        needs=texts.refs([n.id for n in needs]),
        category=texts.html(form["category"]),
        area=texts.html(form["area"]),
    )


async def note_signposted(update: Update, context: Ctx, signposts: list[Signpost]) -> None:
    """Coordinators hear that someone was signposted: who, the category, area and topics,
    never the words they wrote."""
    assert update.effective_user is not None
    s = context.services
    form = context.form
    await s.store.work.add(
        "alert_signposted",
        s.now(),
        s.now(),
        user_id=update.effective_user.id,
        category=str(form.get("category") or ""),
        area=str(form.get("area") or ""),
        topics=", ".join(sp.topic for sp in signposts),
    )
