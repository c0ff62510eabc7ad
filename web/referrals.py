"""The council's referrals on the dashboard (product.md, Council referrals).

`/referrals`: for a period, the report's "referred by the council" (how many, how many met,
the median time from a referral to a match, the volunteer hours and their value), with the
report's suppression; and for a council liaison, a "Refer a resident" form and each of their
own referrals by the council's reference, with its status and the time to each step.
Nothing on the page names, numbers or places anyone: no volunteer, no coordinator, no
resident, no request number. A referral made here is the chat's /refer: the same checks,
the resident's agreement required, held for a coordinator, who hears of it at the bot's
next tick.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain import referrals
from domain.dashboard import period_key
from domain.lifecycle import window_for
from domain.models import MAX_DESCRIPTION, Role, When
from domain.periods import Period
from domain.referrals import ReferralFacts, ReferralStatus, status_of, steps
from domain.safety import visible_text
from domain.signin import Access
from web import texts
from web.core import Viewer, age_text, chosen_period, dashboard, field, local, page, render

SHOWN = 50  # a liaison's referrals on the page, newest first


@dataclass(frozen=True)
class Row:
    """One of the liaison's referrals as the page shows it."""

    ref: str
    status: str
    reason: str | None
    referred: str
    steps: tuple[str, ...]


def _row(facts: ReferralFacts, request: Request) -> Row:
    d = dashboard(request)
    status = status_of(facts)
    said = [
        texts.REFERRAL_STEP[step.value].format(age=texts.age(gap.total_seconds()))
        for step, gap in steps(facts)
    ]
    if status is ReferralStatus.WAITING:
        said.append(texts.REFERRAL_WAITING.format(age=age_text(d.now(), facts.referred_at)))
    return Row(
        ref=facts.council_ref,
        status=texts.REFERRAL_STATUS[status.value],
        reason=facts.decline_reason if status is ReferralStatus.DECLINED else None,
        referred=local(facts.referred_at, d),
        steps=tuple(said),
    )


def _period(request: Request) -> tuple[Period, str | None]:
    period, problem = chosen_period(request)
    return period, texts.PERIOD_PROBLEMS[problem.problem.value] if problem else None


async def _is_liaison(request: Request, viewer: Viewer) -> bool:
    person = await dashboard(request).store.people.get(viewer.user_id)
    return person is not None and not person.blocked and Role.LIAISON in person.roles


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    problems: list[str] | None = None,
    done: str | None = None,
) -> Response:
    d = dashboard(request)
    period, problem = _period(request)
    today = d.now().astimezone(d.tz).date()
    tallies = await d.store.referrals.tallies([period.bounds(d.tz)])
    figures = referrals.referral_figures(tallies, d.community.social_value.pounds_per_hour)
    liaison = await _is_liaison(request, viewer)
    mine, total = await d.store.referrals.of_liaison(viewer.user_id, SHOWN) if liaison else ([], 0)
    return render(
        request,
        "referrals.html",
        status=status,
        viewer=viewer,
        title=texts.TITLES["referrals"],
        figures=figures,
        period_label=texts.period_label(period),
        period_key=period_key(period),
        problem=problem,
        choices=texts.choices(today),
        liaison=liaison,
        rows=[_row(f, request) for f in mine],
        older=total - len(mine),
        waiting=len(await d.store.referrals.waiting()) if viewer.coordinator else None,
        categories=d.community.category_names(),
        areas=d.community.area_names(),
        whens=[(w, texts.REFERRAL_WHEN[w.value]) for w in When],
        values=values or {},
        problems=problems or [],
        done=done,
    )


@page(Access.LIAISON)
async def referrals_page(request: Request, viewer: Viewer) -> Response:
    """The figures for a period; for a liaison, the form and their own referrals."""
    done = texts.REFERRAL_DONE if request.query_params.get("done") == "referred" else None
    return await _page(request, viewer, done=done)


FIELDS = ("category", "area", "description", "when", "name", "contact", "ref", "agreed")


@page(Access.LIAISON)
async def refer(request: Request, viewer: Viewer, form: FormData) -> Response:
    """`Refer`: kept only with the resident's agreement and every field as the chat asks."""
    if not await _is_liaison(request, viewer):
        return await _page(request, viewer, status=403, problems=[texts.REFERRAL_NOT_LIAISON])
    d = dashboard(request)
    values = {name: field(form, name) for name in FIELDS}
    category = d.community.category(values["category"])
    area = d.community.area(values["area"])
    description = visible_text(values["description"])
    when = next((w for w in When if w.value == values["when"]), None)
    name = referrals.first_name(values["name"])
    contact = referrals.contact_note(values["contact"])
    ref = referrals.council_reference(values["ref"])
    problems = [
        key
        for key, bad in (
            ("category", category is None),
            ("area", area is None),
            ("description", not description or len(description) > MAX_DESCRIPTION),
            ("when", when is None),
            ("name", name is None),
            ("contact", contact is None),
            ("ref", ref is None),
            ("agreed", values["agreed"] != "yes"),
        )
        if bad
    ]
    if problems:
        if "agreed" in problems:
            values = {}  # without agreement nothing is kept, not even on the page
        return await _page(
            request,
            viewer,
            status=400,
            values=values,
            problems=[texts.REFERRAL_PROBLEMS[p].format(count=MAX_DESCRIPTION) for p in problems],
        )
    assert category and area and when and name and contact and ref
    now = d.now()
    await d.store.referrals.create(
        viewer.user_id,
        ref,
        category.name,
        area.name,
        description,
        when,
        window_for(when, now, d.tz),
        name,
        contact,
        now,
    )
    return RedirectResponse("/referrals?done=referred", status_code=303)
