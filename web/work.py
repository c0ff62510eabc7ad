"""The coordinators' pages: needs (by area, category, status and age), a need in full with
its history and actions, volunteers (search, approve, reject, vet, block), concerns and
the audit log. Every action is a form with the session's token, done by the chat's own
operation (ports.Actions) and audited there; the page it returns to says what came of it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.coordination import Audit
from domain.dashboard import Event, history
from domain.matching import next_wave
from domain.models import NeedStatus
from domain.signin import Access
from domain.workrows import Age, NeedDetail, NeedFilter
from web import texts
from web.core import Viewer, dashboard, field, number, page, render

ASSIGN_CHOICES = 5


def _done(request: Request) -> str | None:
    key = request.query_params.get("done", "")
    return texts.DONE.get(key) or texts.ASSIGN_PROBLEMS.get(key) or texts.BLOCK_PROBLEMS.get(key)


def _back(path: str, done: str, **params: str) -> RedirectResponse:
    query = urlencode({**{k: v for k, v in params.items() if v}, "done": done})
    return RedirectResponse(f"{path}?{query}", status_code=303)


def _page_number(text: str | None) -> int:
    value = number(text)
    return min(max(value or 1, 1), 10_000)


# --- needs ---------------------------------------------------------------------------------


@page(Access.COORDINATOR)
async def needs(request: Request, viewer: Viewer) -> Response:
    d = dashboard(request)
    q = request.query_params
    area = d.community.area(q.get("area", ""))
    category = d.community.category(q.get("category", ""))
    try:
        status = NeedStatus(q.get("status", "")) if q.get("status") else None
    except ValueError:
        status = None
    try:
        age = Age(q.get("age", ""))
    except ValueError:
        age = Age.ANY
    where = NeedFilter(
        area=area.name if area else None,
        category=category.name if category else None,
        status=status,
        age=age,
        page=_page_number(q.get("page")),
    )
    found = await d.store.web.needs(where, d.now())
    return render(
        request,
        "needs.html",
        viewer=viewer,
        title=texts.TITLES["needs"],
        found=found,
        where=where,
        areas=d.community.area_names(),
        categories=d.community.category_names(),
        statuses=[(s.value, texts.status(s.value)) for s in NeedStatus],
        ages=texts.AGES,
        now=d.now(),
        done=_done(request),
    )


@page(Access.COORDINATOR)
async def need_by_number(request: Request, viewer: Viewer) -> Response:
    """The `#` box: straight to that need's page."""
    need_id = number(request.query_params.get("id"))
    if need_id is None:
        return RedirectResponse("/needs", status_code=303)
    return RedirectResponse(f"/needs/{need_id}", status_code=303)


def _events(need: NeedDetail) -> list[Event]:
    events = [Event(need.created_at, texts.EVENT_POSTED, need.caller or need.resident)]
    for p in need.proposals:
        events.append(Event(p.created_at, texts.EVENT_ASKED.format(wave=p.wave), p.volunteer))
        if p.answered_at is not None:
            status = texts.PROPOSAL_STATUS.get(p.status, p.status)
            events.append(Event(p.answered_at, status.capitalize(), p.volunteer))
    answered = any(p.status == "accepted" and p.answered_at for p in need.proposals)
    if need.accepted_at is not None and need.volunteer and not answered:
        events.append(Event(need.accepted_at, texts.EVENT_ACCEPTED, need.volunteer))
    if need.done_at is not None:
        hours = texts.hours_given(need.hours) if need.hours else None
        events.append(Event(need.done_at, texts.EVENT_DONE, need.volunteer, hours))
    if need.closed_at is not None:
        events.append(Event(need.closed_at, texts.status(need.status.value).capitalize()))
    for c in need.concerns:
        events.append(Event(c.created_at, texts.EVENT_CONCERN, c.raised_by, c.text))
    for a in need.audit:
        if a.action == Audit.SEE_NEED.value:
            continue  # looked at, not done: the audit log has those
        events.append(
            Event(a.at, texts.AUDIT.get(a.action, a.action).capitalize(), a.actor, a.detail)
        )
    return history(events)


@page(Access.COORDINATOR)
async def need(request: Request, viewer: Viewer) -> Response:
    d = dashboard(request)
    need_id = number(request.path_params["need_id"])
    found = await d.store.web.need(need_id) if need_id is not None else None
    if found is None:
        return render(
            request,
            "refused.html",
            status=404,
            viewer=viewer,
            why=texts.NO_REQUEST.format(id=request.path_params["need_id"]),
        )
    now = d.now()
    # Who looked at whose details is kept, as in the chat's `See in full`.
    await d.store.audit.record(viewer.user_id, Audit.SEE_NEED, f"need:{found.id}", now)
    choices: list[tuple[int, str]] = []
    if found.status is NeedStatus.OPEN:
        model = await d.store.needs.get(found.id)
        if model is not None:
            near = {model.area} | d.community.neighbours_of(model.area)
            candidates = await d.store.needs.candidates(model, near, now)
            for c in next_wave(model, candidates, d.community, d.tz, ASSIGN_CHOICES):
                person = await d.store.people.get(c.user_id)
                choices.append(
                    (c.user_id, person.first_name if person else texts.ID.format(id=c.user_id))
                )
    return render(
        request,
        "need.html",
        viewer=viewer,
        title=texts.NEED_TITLE.format(id=found.id),
        need=found,
        events=_events(found),
        choices=choices,
        now=now,
        done=_done(request),
    )


def _need_id(request: Request) -> int:
    found = number(request.path_params["need_id"])
    return found if found is not None else 0


@page(Access.COORDINATOR)
async def assign(request: Request, viewer: Viewer, form: FormData) -> Response:
    d = dashboard(request)
    need_id = _need_id(request)
    volunteer_id = number(field(form, "volunteer_id")) or number(field(form, "volunteer_typed"))
    if volunteer_id is None:
        return _back(f"/needs/{need_id}", "no_volunteer")
    problem = await d.actions.assign(viewer.user_id, need_id, volunteer_id)
    return _back(f"/needs/{need_id}", problem or "assigned")


@page(Access.COORDINATOR)
async def close(request: Request, viewer: Viewer, form: FormData) -> Response:
    d = dashboard(request)
    need_id = _need_id(request)
    closed = await d.actions.close(viewer.user_id, need_id)
    return _back(f"/needs/{need_id}", "closed" if closed else "already")


# --- volunteers ----------------------------------------------------------------------------


@page(Access.COORDINATOR)
async def volunteers(request: Request, viewer: Viewer) -> Response:
    d = dashboard(request)
    q = request.query_params
    words = q.get("q", "")[:80]
    pending = q.get("pending") == "1"
    found = await d.store.web.volunteers(
        words, d.now(), page=_page_number(q.get("page")), pending_only=pending
    )
    return render(
        request,
        "volunteers.html",
        viewer=viewer,
        title=texts.TITLES["volunteers"],
        found=found,
        words=words,
        pending=pending,
        done=_done(request),
    )


VOLUNTEER_ACTIONS = ("approve", "reject", "vet", "unvet", "block", "unblock")


@page(Access.COORDINATOR)
async def volunteer_action(request: Request, viewer: Viewer, form: FormData) -> Response:
    d = dashboard(request)
    user_id = number(request.path_params["user_id"]) or 0
    act = request.path_params["action"]
    back = {"q": field(form, "q")[:80], "pending": field(form, "pending")[:1]}
    outcome: str
    if act == "approve" or act == "reject":
        ok = await d.actions.decide(viewer.user_id, user_id, approve=act == "approve")
        outcome = ("approved" if act == "approve" else "rejected") if ok else "already"
    elif act == "vet" or act == "unvet":
        ok = await d.actions.vet(viewer.user_id, user_id, vetted=act == "vet")
        outcome = ("vetted" if act == "vet" else "unvetted") if ok else "already"
    elif act == "block":
        reason = field(form, "reason")[:200] or None
        outcome = await d.actions.block(viewer.user_id, user_id, reason) or "blocked"
    elif act == "unblock":
        outcome = await d.actions.unblock(viewer.user_id, user_id) or "unblocked"
    else:
        return Response(texts.REFUSED["no_page"], status_code=404, media_type="text/plain")
    return _back("/volunteers", outcome, **back)


# --- concerns and the audit log -------------------------------------------------------------


@page(Access.COORDINATOR)
async def concerns(request: Request, viewer: Viewer) -> Response:
    d = dashboard(request)
    return render(
        request,
        "concerns.html",
        viewer=viewer,
        title=texts.TITLES["concerns"],
        concerns=await d.store.web.concerns(),
        now=d.now(),
        done=_done(request),
    )


@page(Access.COORDINATOR)
async def resolve(request: Request, viewer: Viewer, form: FormData) -> Response:
    d = dashboard(request)
    concern_id = number(request.path_params["concern_id"]) or 0
    ok = await d.actions.resolve(viewer.user_id, concern_id)
    return _back("/concerns", "resolved" if ok else "already")


@page(Access.COORDINATOR)
async def audit(request: Request, viewer: Viewer) -> Response:
    d = dashboard(request)
    found = await d.store.web.audit(_page_number(request.query_params.get("page")))
    return render(request, "audit.html", viewer=viewer, title=texts.TITLES["audit"], found=found)
