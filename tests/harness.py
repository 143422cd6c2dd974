"""The app wired to the fake GitHub, driven through real HTTP (ASGI), for tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from app.github.gateway import Gateway, retry_policy
from app.github.users import Users
from app.jobs.model import Outcome
from app.main import create_app
from app.settings import Settings
from tests.fakes.github import FakeGitHub

APP_ID = 4242
INSTALLATION_ID = 77
SECRET = "It's a Secret to Everybody"
WEBHOOKS = Path(__file__).parent / "fixtures/webhooks"


@cache
def private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


# `release-roles serve` as process-level tests and benchmarks start it
SERVE = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]


def serve_env(
    port: int, database_url: str, api_port: int | None = None, **extra: str
) -> dict[str, str]:
    """The environment for SERVE: the harness's App credentials, a journal, a port, the
    GitHub API at `api_port` (a port nothing listens on if not given), and `extra`
    settings by their variable names."""
    return (
        dict(os.environ)
        | {
            "GITHUB_APP_ID": str(APP_ID),
            "GITHUB_PRIVATE_KEY": private_key(),
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": f"http://127.0.0.1:{api_port or free_port()}",
            "DATABASE_URL": database_url,
            "PORT": str(port),
        }
        | extra
    )


def settings(database_url: str, **overrides: Any) -> Settings:
    defaults: dict[str, Any] = {
        "log_level": "WARNING",
        "worker_concurrency": 2,
        "max_attempts": 3,
        "retry_base_seconds": 0.01,
    }
    return Settings(
        **(defaults | overrides),
        github_app_id=APP_ID,
        github_private_key=SecretStr(private_key()),
        github_webhook_secret=SecretStr(SECRET),
        database_url=database_url,
    )


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(
    event: str, body: dict[str, Any], secret: str = SECRET, delivery: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """A delivery as GitHub sends it: the JSON bytes and the headers, signed."""
    raw = json.dumps(body).encode()
    return raw, {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(raw, secret),
        "Content-Type": "application/json",
    }


def free_port() -> int:
    """A loopback port nobody listens on now (for servers the tests start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def payload(name: str, **changes: Any) -> dict[str, Any]:
    """A vendored webhook payload with an installation, and `changes` merged on top."""
    data: dict[str, Any] = json.loads((WEBHOOKS / f"{name}.json").read_text())
    data.setdefault("installation", {"id": INSTALLATION_ID, "node_id": "MDIz"})
    data["installation"]["id"] = INSTALLATION_ID
    return _merge(data, changes)


def _merge(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            _merge(data[key], value)
        else:
            data[key] = value
    return data


@dataclass
class Harness:
    fake: FakeGitHub
    client: httpx.AsyncClient
    app: Any
    outcomes: list[Outcome] = field(default_factory=list)

    async def deliver(
        self, event: str, body: dict[str, Any], *, delivery: str | None = None
    ) -> httpx.Response:
        raw, headers = signed(event, body, delivery=delivery)
        return await self.client.post("/webhooks", content=raw, headers=headers)

    async def settle(self) -> None:
        await self.app.state.worker.idle()

    def pr_event(self, action: str, repo: Any, number: int, **extra: Any) -> dict[str, Any]:
        name = f"pull_request.{action}"
        fixture = name if (WEBHOOKS / f"{name}.json").exists() else "pull_request.opened"
        body = payload(fixture, **extra)
        body["action"] = action
        return _point_at(body, repo, number)


def _point_at(body: dict[str, Any], repo: Any, number: int) -> dict[str, Any]:
    body["repository"]["name"] = repo.name
    body["repository"]["full_name"] = f"{repo.owner}/{repo.name}"
    body["repository"]["owner"]["login"] = repo.owner
    body["repository"]["id"] = repo.id
    if "pull_request" in body:
        body["pull_request"]["number"] = number
        pull = repo.pulls.get(number)
        if pull is not None and pull.head_ref in repo.branches:
            # as GitHub sends it: the head the PR has when the event fires
            body["pull_request"]["head"]["sha"] = repo.branches[pull.head_ref]
    return body


def review_event(repo: Any, number: int, action: str = "submitted") -> dict[str, Any]:
    name = (
        "pull_request_review.submitted"
        if action != "dismissed"
        else "pull_request_review.dismissed"
    )
    body = payload(name)
    body["action"] = action
    return _point_at(body, repo, number)


def fake_gateway(fake: FakeGitHub) -> Gateway:
    return Gateway(
        app_id=APP_ID,
        private_key=private_key(),
        transport=httpx.ASGITransport(app=fake.app),
        retry=retry_policy(max_retries=3, base_delay=0.01, max_inline_wait=5.0),
        team_cache_seconds=300.0,
    )


def fake_users(fake: FakeGitHub) -> Users:
    """The pages' calls with a user's token, answered by the fake."""
    client_id, client_secret = fake.oauth_client
    return Users(
        api_url="https://api.github.com",
        client_id=client_id,
        client_secret=client_secret,
        transport=httpx.ASGITransport(app=fake.app),
    )


def pages_settings(fake: FakeGitHub, public_url: str = "https://app") -> dict[str, Any]:
    """The settings that turn the pages on, with the fake's OAuth client."""
    client_id, client_secret = fake.oauth_client
    return {
        "public_url": public_url,
        "github_url": "https://github.test",
        "session_secret": SecretStr("a session secret for tests only"),
        "github_client_id": client_id,
        "github_client_secret": SecretStr(client_secret),
    }


@asynccontextmanager
async def running(
    database_url: str, fake: FakeGitHub | None = None, **overrides: Any
) -> AsyncIterator[Harness]:
    fake = fake or FakeGitHub()
    app = create_app(
        settings(database_url, **overrides), gateway=fake_gateway(fake), users=fake_users(fake)
    )
    async with app.router.lifespan_context(app):
        await app.state.warmed.wait()  # as a load balancer waits for /readyz
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            harness = Harness(fake, client, app)
            app.state.worker.listeners.append(harness.outcomes.append)
            yield harness
