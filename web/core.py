"""What every dashboard route stands on: who is signed in (read again at every request),
forms' tokens, the security headers, the reader's language, and rendering a template.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData, Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.dashboard import between, read_period
from domain.models import Person
from domain.periods import Period, PeriodError, month
from domain.reports import Shown
from domain.signin import Access, access, form_token, form_token_ok, looks_like_token, token_hash
from handlers import i18n
from web import texts
from web.ports import Dashboard

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
COOKIE = "mutualaid_session"
SECURE_COOKIE = "__Host-mutualaid_session"  # https: the browser keeps it to this host
FORM_FIELD = "csrf"

CONTENT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
# An SVG chart opened on its own: its own inline style, nothing else.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class SecurityHeaders:
    """Every response: a content policy allowing this site only (no inline script), no
    referrer, no framing, no sniffing; pages are not kept in shared caches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                names = {k.lower() for k, _ in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                policy = SVG_POLICY if content_type.startswith(b"image/svg") else CONTENT_POLICY
                extra = {"Content-Security-Policy": policy, **HEADERS}
                if b"cache-control" not in names:
                    static = scope.get("path", "").startswith("/static/")
                    extra["Cache-Control"] = "public, max-age=3600" if static else "no-store"
                for key, value in extra.items():
                    if key.lower().encode() not in names:
                        headers.append((key.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


# --- the reader's language ------------------------------------------------------------------


class Language:
    """Every request is worked on in its reader's language (handlers/i18n.py): the first of
    the browser's Accept-Language that the group offers (the community file's `languages`),
    else the group's first (English unless the file says otherwise); `signed_in` turns to a
    signed-in person's own language when they have one. Set for this request only (and put
    back after it), and said in `Content-Language`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        community = scope["app"].state.dashboard.community
        browser = i18n.from_browser(
            Headers(scope=scope).get("accept-language"), community.languages
        )
        language = browser or community.default_language
        # Kept for the error page, drawn outside this middleware (Starlette's own), and
        # whether the browser said (a signed-in person's own language serves if it did not).
        scope.setdefault("state", {})["language"] = language
        scope["state"]["browser_language"] = browser

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                said = i18n.current().encode()
                headers = [*message.get("headers", []), (b"content-language", said)]
                message = {**message, "headers": headers}
            await send(message)

        with i18n.speaking(language):
            await self.app(scope, receive, sending)


def own_language(person: Person, d: Dashboard) -> str | None:
    """The one place the dashboard consults a person's own language (`people.language`:
    kept when they agreed to the privacy notice, or chosen with /language): the page is in
    it when their browser asks for none of the group's languages."""
    return person.language if person.language in d.community.languages else None


# --- templates ------------------------------------------------------------------------------


def _shown(value: Any) -> Any:
    """What `{{ }}` prints: a report's figure as the reader's language writes numbers."""
    return texts.figure(value) if isinstance(value, Shown) else value


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        auto_reload=False,  # templates change with the code, not while it runs
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        finalize=_shown,
    )
    # Every text in the templates is marked (`{% trans %}`, `_()`) and translated when the
    # page is rendered, in the request's language; whitespace inside `{% trans %}` is
    # trimmed, as bot/catalogues.py extracts it.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True
    env.globals["texts"] = texts
    # Looked up at each call: `texts` answers in the language of the request at hand.
    env.filters["figure"] = lambda value: texts.figure(value)
    env.filters["number"] = lambda value: texts.number(value)
    env.filters["money"] = lambda value: texts.money(value)
    return env


TEMPLATES = _environment()


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, and what they may see (read at this request)."""

    user_id: int
    name: str
    access: Access
    token: str  # the session cookie's value

    @property
    def coordinator(self) -> bool:
        return self.access is Access.COORDINATOR

    @property
    def csrf(self) -> str:
        return form_token(self.token)


def dashboard(request: Request) -> Dashboard:
    found: Dashboard = request.app.state.dashboard
    return found


def local(moment: datetime | None, d: Dashboard) -> str:
    """`Wed 12 Mar 2025, 09:30` in the group's time zone, in the reader's language."""
    return texts.moment(moment.astimezone(d.tz)) if moment is not None else ""


def age_text(now: datetime, then: datetime) -> str:
    """How long ago, briefly: `40 min`, `5 h`, `3 days`."""
    return texts.age((now - then).total_seconds())


TEMPLATES.globals["age"] = age_text


def render(
    request: Request,
    template: str,
    status: int = 200,
    viewer: Viewer | None = None,
    **context: Any,
) -> HTMLResponse:
    d = dashboard(request)
    html = TEMPLATES.get_template(template).render(
        group=d.community.name,
        viewer=viewer,
        path=request.url.path,
        lang=i18n.current(),
        local=lambda moment: local(moment, d),
        query=lambda **kw: urlencode({k: v for k, v in kw.items() if v not in (None, "")}),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def cookie_name(d: Dashboard) -> str:
    return SECURE_COOKIE if d.secure else COOKIE


def forget_cookie(response: Response, d: Dashboard) -> Response:
    response.delete_cookie(cookie_name(d), path="/", secure=d.secure, httponly=True)
    return response


class Refused(Exception):
    """The request is answered with a page saying why (403), or sent to sign in."""

    def __init__(self, status: int, why: str, *, signed_out: bool = False) -> None:
        super().__init__(why)
        self.status = status
        self.why = why
        self.signed_out = signed_out


async def signed_in(request: Request) -> Viewer | None:
    """The person behind the session cookie, if it is a live session of someone who still
    holds a coordinator's or liaison's role. A session whose role has gone ends here."""
    d = dashboard(request)
    token = request.cookies.get(cookie_name(d))
    if not token or not looks_like_token(token):
        return None
    found = await d.store.web.session_person(token_hash(token), d.now())
    if found is None:
        return None
    user_id, person = found
    allowed = access(person, d.coordinator_ids)
    if allowed is None or person is None:
        await d.store.web.end_sessions_of(user_id)
        raise Refused(403, texts.REFUSED["role_gone"], signed_out=True)
    browser = request.scope.get("state", {}).get("browser_language")
    if browser is None and (chosen := own_language(person, d)) is not None:
        i18n.use(chosen)  # this request only: Language puts the browser's back after it
    return Viewer(person.id, person.first_name, allowed, token)


def _same_origin(request: Request) -> bool:
    """Not a form posted from another site: the browser's Sec-Fetch-Site, when it sends
    one, says same-origin; an Origin, when it names one, is ours. (Under no-referrer a
    browser posts `Origin: null` even from this site, so null says nothing.)"""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    d = dashboard(request)
    public = urlsplit(d.url)
    mine = {f"{public.scheme}://{public.netloc}", f"{request.url.scheme}://{request.url.netloc}"}
    return origin in mine


Endpoint = Callable[..., Awaitable[Response]]


def chosen_period(request: Request) -> tuple[Period, PeriodError | None]:
    """The period a page's query asks for (`from` and `to`, or `period`), or this month and
    what was wrong with it."""
    d = dashboard(request)
    today = d.now().astimezone(d.tz).date()
    q = request.query_params
    try:
        if q.get("from") or q.get("to"):
            return between(q.get("from", ""), q.get("to", ""), today), None
        return read_period(q.get("period"), today), None
    except PeriodError as exc:
        return month(today), exc


def page(needs: Access) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """A page for signed-in people with at least `needs` (coordinators see everything)."""

    def decorate(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(endpoint)
        async def checked(request: Request) -> Response:
            async with dashboard(request).turns.slot():
                return await _checked(request)

        async def _checked(request: Request) -> Response:
            try:
                viewer = await signed_in(request)
                if viewer is None:
                    if request.method == "GET":
                        return RedirectResponse("/", status_code=303)
                    raise Refused(403, texts.REFUSED["not_signed_in"])
                if needs is Access.COORDINATOR and not viewer.coordinator:
                    raise Refused(403, texts.REFUSED["coordinators"])
                if request.method == "POST":
                    form = await request.form()
                    if not _same_origin(request) or not form_token_ok(
                        viewer.token, _field(form, FORM_FIELD)
                    ):
                        raise Refused(403, texts.REFUSED["form"])
                    return await endpoint(request, viewer, form)
                return await endpoint(request, viewer)
            except Refused as refused:
                return refusal(request, refused)

        return checked

    return decorate


def refusal(request: Request, refused: Refused) -> Response:
    response = render(request, "refused.html", status=refused.status, why=refused.why)
    if refused.signed_out:
        forget_cookie(response, dashboard(request))
    return response


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def field(form: FormData, name: str) -> str:
    return (_field(form, name) or "").strip()


def number(text: str | None) -> int | None:
    text = (text or "").strip().lstrip("#")
    return int(text) if text.isdigit() and len(text) < 19 else None
