"""The dashboard's Starlette app: signing in and out, the pages, and (in webhook mode)
Telegram's updates.

    app = create_app(Dashboard(...))     # bot/app.py builds the Dashboard from the bot

Signing in: `/dashboard` in the chat gives a link `/signin/<token>`. Opening it shows a
button (a link preview fetching the page uses nothing up); pressing it uses the link once
and starts a 12-hour session. Attempts are rate-limited per address and overall.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import time

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from domain.signin import (
    SESSION_TTL,
    RateLimit,
    access,
    looks_like_token,
    new_token,
    token_hash,
)
from handlers import i18n
from web import pages, referrals, texts, work
from web.core import (
    HERE,
    Language,
    Refused,
    SecurityHeaders,
    _same_origin,
    cookie_name,
    dashboard,
    forget_cookie,
    refusal,
    render,
    signed_in,
)
from web.figures import Figures
from web.ports import Dashboard

logger = logging.getLogger(__name__)

NONCE_COOKIE = "mutualaid_signin"  # ties the sign-in button to the browser that opened the link
NONCE_SECONDS = 600
MAX_BODY = 1_000_000


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limited(request: Request) -> bool:
    limiter: RateLimit = request.app.state.signin_limit
    return not limiter.allow(_client(request), time.monotonic())


def _too_many(request: Request) -> Response:
    response = render(
        request,
        "signin.html",
        status=429,
        state="slow",
        token="",
    )
    response.headers["Retry-After"] = "60"
    return response


async def home(request: Request) -> Response:
    """Signed in: the overview; otherwise how to sign in."""
    try:
        viewer = await signed_in(request)
    except Refused as refused:
        return refusal(request, refused)
    if viewer is None:
        return render(request, "welcome.html")
    return await pages.overview(request)


async def signin_page(request: Request) -> Response:
    """What a sign-in link opens: a button, if the link can still be used."""
    if _limited(request):
        return _too_many(request)
    d = dashboard(request)
    token = request.path_params["token"]
    state = (
        await d.store.web.link_state(token_hash(token), d.now())
        if looks_like_token(token)
        else "unknown"
    )
    status = {"valid": 200, "used": 410, "expired": 410}.get(state, 404)
    # The same browser opening the link twice keeps one nonce, so either page's button works.
    kept = request.cookies.get(NONCE_COOKIE, "")
    nonce = kept if looks_like_token(kept) else secrets.token_urlsafe(24)
    response = render(request, "signin.html", status=status, state=state, token=token, nonce=nonce)
    if state == "valid":
        response.set_cookie(
            NONCE_COOKIE,
            nonce,
            max_age=NONCE_SECONDS,
            path="/signin",
            secure=d.secure,
            httponly=True,
            samesite="strict",
        )
    return response


async def signin(request: Request) -> Response:
    """The sign-in button: uses the link once and starts a session."""
    if _limited(request):
        return _too_many(request)
    d = dashboard(request)
    token = request.path_params["token"]
    form = await request.form()
    nonce = form.get("nonce")
    kept = request.cookies.get(NONCE_COOKIE)
    if (
        not isinstance(nonce, str)
        or not kept
        or not hmac.compare_digest(nonce, kept)
        or not _same_origin(request)
    ):
        return render(
            request,
            "refused.html",
            status=403,
            why=texts.REFUSED["signin_form"],
        )
    now = d.now()
    session = new_token()
    user_id = (
        await d.store.web.sign_in(token_hash(token), token_hash(session), now, now + SESSION_TTL)
        if looks_like_token(token)
        else None
    )
    if user_id is None:
        return render(request, "signin.html", status=410, state="used", token="")
    if access(await d.store.people.get(user_id), d.coordinator_ids) is None:
        await d.store.web.end_sessions_of(user_id)  # the role went after the link was given
        return refusal(request, Refused(403, texts.REFUSED["link_role_gone"]))
    logger.info("Dashboard: user %s signed in", user_id)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        cookie_name(d),
        session,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/",
        secure=d.secure,
        httponly=True,
        samesite="lax",
    )
    response.delete_cookie(NONCE_COOKIE, path="/signin", secure=d.secure, httponly=True)
    return response


async def signout(request: Request) -> Response:
    """`Sign out`: the session ends here and in the database."""
    d = dashboard(request)
    try:
        viewer = await signed_in(request)
    except Refused as refused:
        return refusal(request, refused)
    if viewer is not None:
        form = await request.form()
        given = form.get("csrf")
        if not isinstance(given, str) or not hmac.compare_digest(given, viewer.csrf):
            return refusal(request, Refused(403, texts.REFUSED["signout_form"]))
        await d.store.web.end_session(token_hash(viewer.token))
    return forget_cookie(RedirectResponse("/", status_code=303), d)


async def telegram(request: Request) -> Response:
    """Webhook mode: an update from Telegram, checked against the secret it was given."""
    d = dashboard(request)
    secret = d.webhook_secret or ""
    given = request.headers.get("x-telegram-bot-api-secret-token", "")
    if d.receive_update is None or not secret or not hmac.compare_digest(given, secret):
        return Response(status_code=403)
    try:
        data = json.loads(await request.body())
    except ValueError:
        return Response(status_code=400)
    if not isinstance(data, dict):
        return Response(status_code=400)
    await d.receive_update(data)
    return Response(status_code=200)


async def favicon(request: Request) -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


async def not_found(request: Request, exc: Exception) -> Response:
    return render(request, "refused.html", status=404, why=texts.REFUSED["no_page"])


async def failed(request: Request, exc: Exception) -> Response:
    """Something broke: said plainly (an action's unit of work was rolled back whole; the
    server logs the error). Drawn outside the Language middleware: in the language it
    chose for the request."""
    with i18n.speaking(request.scope.get("state", {}).get("language")):
        return render(request, "refused.html", status=500, why=texts.REFUSED["failed"])


def create_app(d: Dashboard) -> Starlette:
    routes = [
        Route("/", home),
        Route("/favicon.ico", favicon),
        Route("/signin/{token}", signin_page, methods=["GET"]),
        Route("/signin/{token}", signin, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        # The liaison's pages (coordinators' too).
        Route("/areas", pages.areas),
        Route("/categories", pages.categories),
        Route("/matching", pages.matching),
        Route("/print", pages.printable),
        Route("/referrals", referrals.referrals_page, methods=["GET"]),
        Route("/referrals/new", referrals.refer, methods=["POST"]),  # a liaison's referral
        Route("/report.csv", pages.csv_file),
        Route("/charts/{name:str}.svg", pages.chart),
        # The coordinators' pages.
        Route("/needs", work.needs),
        Route("/needs/go", work.need_by_number),
        Route("/needs/{need_id}", work.need),
        Route("/needs/{need_id}/assign", work.assign, methods=["POST"]),
        Route("/needs/{need_id}/close", work.close, methods=["POST"]),
        Route("/volunteers", work.volunteers),
        Route("/volunteers/{user_id}/{action}", work.volunteer_action, methods=["POST"]),
        Route("/concerns", work.concerns),
        Route("/concerns/{concern_id}/resolve", work.resolve, methods=["POST"]),
        Route("/audit", work.audit),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    if d.receive_update is not None:
        routes.append(Route(d.webhook_path, telegram, methods=["POST"]))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(Language)],
        exception_handlers={404: not_found, 500: failed},
        max_body_size=MAX_BODY,
    )
    app.state.dashboard = d
    app.state.figures = Figures(d)
    app.state.signin_limit = RateLimit()
    return app
