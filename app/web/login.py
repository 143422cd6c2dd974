"""Login with GitHub (the App's OAuth client), and logout.

/login sends the browser to GitHub's authorize page with a random `state`, kept
signed in a short-lived cookie with the page to return to; /auth/callback accepts
the code only with that same state, trades it for the user's token, and starts a
session. Only a path on this server is returned to (no open redirect).
"""

from __future__ import annotations

import hmac
import re
import secrets
import urllib.parse

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.github.client import GatewayError
from app.github.users import LoginError
from app.web import views
from app.web.sessions import COOKIE, LOGIN_COOKIE, SESSION_SECONDS

log = structlog.get_logger()
router = APIRouter(include_in_schema=False)
LOGIN_SECONDS = 600
LOCAL = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*")


def local_path(target: str | None) -> str:
    """`target` when it is a path on this server, else the front page. Browsers drop
    tabs and newlines and read a backslash as a slash, so `/\t/evil` would leave."""
    if not target or not LOCAL.fullmatch(target) or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
async def login(request: Request, next: str | None = None) -> Response:
    pages = views.Pages.of(request)
    if pages.sessions is None:
        return pages.off(request)
    state = secrets.token_urlsafe(24)
    query = urllib.parse.urlencode(
        {
            "client_id": pages.settings.github_client_id,
            "redirect_uri": f"{pages.url}/auth/callback",
            "state": state,
        }
    )
    authorize = f"{pages.settings.github_url.rstrip('/')}/login/oauth/authorize?{query}"
    response = RedirectResponse(authorize, status_code=302)
    signed = pages.sessions.sign(f"{state}|{local_path(next)}")
    _cookie(response, LOGIN_COOKIE, signed, LOGIN_SECONDS, path="/auth/callback")
    return response


@router.get("/auth/callback")
async def callback(request: Request, code: str = "", state: str = "") -> Response:
    pages = views.Pages.of(request)
    if pages.sessions is None:
        return pages.off(request)
    kept = pages.sessions.unsign(request.cookies.get(LOGIN_COOKIE))
    expected, _, target = (kept or "").partition("|")
    # as bytes: compare_digest refuses (TypeError) a str that is not ASCII
    if not code or not expected or not hmac.compare_digest(expected.encode(), state.encode()):
        return pages.message(
            request,
            400,
            "Login expired",
            "This login link was not started here or has expired. Start again.",
            login_link=True,
        )
    try:
        token = await pages.sessions.users.exchange(code, f"{pages.url}/auth/callback")
        login_name = await pages.sessions.users.login(token)
    except (LoginError, GatewayError) as error:
        log.warning("login_failed", error=str(error))
        return pages.message(request, 502, "GitHub refused the login", str(error), login_link=True)
    cookie = await pages.sessions.start(login_name, token)
    log.info("login", user=login_name)
    response = RedirectResponse(local_path(target), status_code=303)
    _cookie(response, COOKIE, cookie, int(SESSION_SECONDS))
    response.delete_cookie(LOGIN_COOKIE, path="/auth/callback")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    pages = views.Pages.of(request)
    if pages.sessions is not None:
        await pages.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


def _cookie(response: Response, name: str, value: str, seconds: int, path: str = "/") -> None:
    response.set_cookie(
        name, value, max_age=seconds, path=path, secure=True, httponly=True, samesite="lax"
    )
