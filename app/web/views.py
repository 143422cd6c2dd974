"""What every page shares: the pages' settings and sessions, the templates, the
security headers, and the answers for "off", "log in" and "not found"."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.github.client import GatewayError
from app.jobs.store.history import HistoryStore
from app.settings import Settings
from app.web.charts import duration
from app.web.sessions import COOKIE, Sessions, Viewer

NOT_FOUND = (
    "Nothing here that you can see. Pages show only repositories your GitHub account can read."
)
TEMPLATES = Path(__file__).parent / "templates"
# No script, no frame, no request elsewhere: the pages are HTML and inline CSS/SVG.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "private, no-store",
}


def _when(at: float | None) -> str:
    if at is None:
        return ""
    moment = datetime.datetime.fromtimestamp(at, datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["duration"] = duration
    env.filters["when"] = _when
    env.filters["short"] = lambda sha: str(sha or "")[:7]
    env.filters["words"] = lambda text: str(text).replace("_", " ")
    return env


@dataclass
class Pages:
    settings: Settings
    store: HistoryStore
    sessions: Sessions | None  # None: the pages are off (settings missing)
    env: Environment

    @property
    def url(self) -> str:
        return self.settings.pages_url or ""

    @staticmethod
    def of(request: Request) -> Pages:
        pages: Pages = request.app.state.pages
        return pages

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        html = self.env.get_template(template).render(request_path=request.url.path, **context)
        return HTMLResponse(html, status, headers=HEADERS)

    def message(
        self, request: Request, status: int, title: str, text: str, *, login_link: bool = False
    ) -> Response:
        return self.render(
            request, "message.html", status, title=title, text=text, login_link=login_link
        )

    def off(self, request: Request) -> Response:
        missing = ", ".join(self.settings.pages_missing)
        text = f"The pages are off on this server: set {missing} to turn them on (see the README)."
        return self.message(request, 404, "Pages are off", text)

    def not_found(self, request: Request, viewer: Viewer | None = None) -> Response:
        return self.render(
            request, "message.html", 404, title="Not found", text=NOT_FOUND, viewer=viewer
        )

    async def viewer(self, request: Request) -> tuple[Viewer, frozenset[str]] | Response:
        """The logged-in viewer and what they may read, or the answer to send instead."""
        if self.sessions is None:
            return self.off(request)
        viewer = await self.sessions.viewer(request.cookies.get(COOKIE))
        try:
            readable = await self.sessions.readable(viewer) if viewer else None
        except GatewayError as error:  # GitHub down: say so, never a 500
            return self.message(request, 502, "GitHub did not answer", str(error))
        if viewer is None or readable is None:
            if request.query_params.get("format") in ("json", "csv"):
                return JSONResponse({"message": "log in at /login first"}, 401, headers=HEADERS)
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={_quote(target)}", status_code=302)
        return viewer, readable


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
