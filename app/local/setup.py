"""`release-roles setup`: register the GitHub App in one command, by GitHub's App
manifest flow.

A page on 127.0.0.1 posts the manifest (name, URLs, the permissions and events the
README lists) to GitHub; the person confirms there; GitHub sends the browser back to
this page with a one-time code, which is exchanged (`POST /app-manifests/{code}/
conversions`, no authentication) for the App's id, private key and webhook secret.
They are written to a `.env` readable by its owner only (0600), which `serve` and
`worker` read. GitHub Enterprise: `--github-url` and `GITHUB_API_URL`.
"""

from __future__ import annotations

import base64
import html
import json
import os
import secrets
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

PERMISSIONS = {
    "pull_requests": "write",
    "checks": "write",
    "contents": "read",
    "members": "read",
    "metadata": "read",
    "merge_queues": "read",
    "statuses": "read",  # the board's "ready": commit statuses other CI posts
}
EVENTS = [
    "pull_request",
    "pull_request_review",
    "check_run",
    "check_suite",
    "merge_group",
    "push",
    "status",
    "membership",
    "team",
    "issue_comment",
]  # installation events come to every App unasked


class SetupError(Exception):
    """The flow cannot finish; the message says what to do."""


def manifest(name: str, public_url: str, redirect_url: str) -> dict[str, Any]:
    base = public_url.rstrip("/")
    return {
        "name": name,
        "url": base,
        "hook_attributes": {"url": f"{base}/webhooks", "active": True},
        "redirect_url": redirect_url,
        # the pages' login (Login with GitHub through the App's own OAuth client)
        "callback_urls": [f"{base}/auth/callback"],
        "request_oauth_on_install": False,
        "public": False,
        "default_permissions": PERMISSIONS,
        "default_events": EVENTS,
    }


def new_app_url(github_url: str, org: str | None, state: str) -> str:
    where = f"organizations/{org}/settings/apps/new" if org else "settings/apps/new"
    return f"{github_url.rstrip('/')}/{where}?state={urllib.parse.quote(state)}"


def page(action: str, manifest_json: str) -> str:
    """The form GitHub's flow asks for: a POST of `manifest`; submitted on load, and a
    button for a browser without JavaScript."""
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Release Roles setup</title>"
        f'<form id=f method=post action="{html.escape(action)}">'
        f'<input type=hidden name=manifest value="{html.escape(manifest_json)}">'
        "<p>Register the Release Roles GitHub App: <button>Continue on GitHub</button></p>"
        "</form><script>document.getElementById('f').submit()</script></html>"
    )


def exchange(
    api_url: str, code: str, transport: httpx.BaseTransport | None = None
) -> dict[str, Any]:
    url = f"{api_url.rstrip('/')}/app-manifests/{urllib.parse.quote(code)}/conversions"
    with httpx.Client(transport=transport, timeout=30) as client:
        answer = client.post(url, headers={"Accept": "application/vnd.github+json"})
    if answer.status_code != 201:
        raise SetupError(f"GitHub refused the code ({answer.status_code}): start setup again")
    data: dict[str, Any] = answer.json()
    return data


def env_text(app: dict[str, Any], public_url: str = "", github_url: str = "") -> str:
    """The App's settings; with the server's address, the pages' too (its OAuth client
    and a new session secret), so they are on from the first start."""
    key = base64.b64encode(str(app["pem"]).encode()).decode()
    text = (
        f"# The GitHub App {app.get('slug', '')} ({app.get('html_url', '')}), written by "
        "`release-roles setup`.\n# Keep this file secret: it holds the App's private key.\n"
        f"GITHUB_APP_ID={int(app['id'])}\n"
        f"GITHUB_PRIVATE_KEY={key}\n"
        f"GITHUB_WEBHOOK_SECRET={app['webhook_secret']}\n"
    )
    if public_url and app.get("client_id") and app.get("client_secret"):
        text += (
            f"PUBLIC_URL={public_url.rstrip('/')}\n"
            f"GITHUB_CLIENT_ID={app['client_id']}\n"
            f"GITHUB_CLIENT_SECRET={app['client_secret']}\n"
            f"SESSION_SECRET={secrets.token_urlsafe(32)}\n"
        )
    if github_url and github_url.rstrip("/") != "https://github.com":
        text += f"GITHUB_URL={github_url.rstrip('/')}\n"
    return text


def write_env(path: Path, text: str, force: bool) -> None:
    """Written with mode 0600 from the start (never briefly readable by others)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError:
        raise SetupError(f"{path} exists; move it away or pass --force") from None
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
    os.chmod(path, 0o600)  # an existing file overwritten with --force keeps no wider mode


@dataclass
class Flow:
    """One run of the flow: the state it expects back and, once done, the App."""

    github_url: str
    api_url: str
    env_path: Path
    name: str
    public_url: str
    org: str | None = None
    force: bool = False
    transport: httpx.BaseTransport | None = None
    state: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    app: dict[str, Any] | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def start_page(self, redirect_url: str) -> str:
        body = json.dumps(manifest(self.name, self.public_url, redirect_url))
        return page(new_app_url(self.github_url, self.org, self.state), body)

    def callback(self, query: dict[str, list[str]]) -> str:
        """GitHub's redirect: check the state, exchange the code, write the .env."""
        try:
            if query.get("state", [""])[0] != self.state:
                raise SetupError("the answer does not carry this setup's state: ignored")
            code = query.get("code", [""])[0]
            if not code:
                raise SetupError("GitHub sent no code: start setup again")
            self.app = exchange(self.api_url, code, self.transport)
            text = env_text(self.app, self.public_url, self.github_url)
            write_env(self.env_path, text, self.force)
        except (SetupError, httpx.HTTPError) as error:
            self.error = str(error)
            return f"Setup failed: {html.escape(self.error)}"
        finally:
            self.done.set()
        return f"Registered {html.escape(str(self.app.get('html_url', '')))}: install it now."


def serve_flow(flow: Flow, port: int) -> tuple[ThreadingHTTPServer, str]:
    """The local page and callback on 127.0.0.1:`port` (0: any free port), in a thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urllib.parse.urlparse(self.path)
            if parsed.path == "/":
                self._answer(200, flow.start_page(f"{base}/callback"))
            elif parsed.path == "/callback":
                self._answer(200, flow.callback(urllib.parse.parse_qs(parsed.query)))
            else:
                self._answer(404, "not found")

        def _answer(self, status: int, text: str) -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the CLI says what happens; the code is not printed anywhere

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base
