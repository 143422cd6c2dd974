"""Notifications to where a role's people are, against a local HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.policy.loading import ConfigError, load_config
from tests.e2e.helpers import approve, migration_pull, open_and_settle, pushed, shop
from tests.harness import running

pytestmark = pytest.mark.anyio
SLACK_URL = "https://hooks.slack.example/services/T000/B000/secret-token-in-the-url"
HOOK_URL = "https://receiver.example/release-roles"
SECRET = "sign-it-with-this"
CONFIG = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations}]
    notify:
      - {slack: RELEASE_ROLES_NOTIFY_DBA_SLACK}
      - {webhook: RELEASE_ROLES_NOTIFY_DBA_HOOK, secret: RELEASE_ROLES_NOTIFY_DBA_SECRET}
"""


def receiver(failures: int) -> tuple[FastAPI, list[tuple[str, dict[str, str], bytes]]]:
    """Records what it is sent; the webhook path fails its first `failures` times."""
    app = FastAPI()
    got: list[tuple[str, dict[str, str], bytes]] = []
    left = {"webhook": failures}

    @app.post("/{path:path}")
    async def take(path: str, request: Request) -> JSONResponse:
        body = await request.body()
        if path == "release-roles" and left["webhook"] > 0:
            left["webhook"] -= 1
            return JSONResponse({"error": "busy"}, 503)
        got.append((path, dict(request.headers), body))
        return JSONResponse({"ok": True})

    return app, got


async def test_each_channel_hears_once_when_required_and_once_when_approved(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELEASE_ROLES_NOTIFY_DBA_SLACK", SLACK_URL)
    monkeypatch.setenv("RELEASE_ROLES_NOTIFY_DBA_HOOK", HOOK_URL)
    monkeypatch.setenv("RELEASE_ROLES_NOTIFY_DBA_SECRET", SECRET)
    app, got = receiver(failures=1)
    async with running(db) as h:
        h.app.state.worker.handler.notify_transport = httpx.ASGITransport(app=app)
        repo = shop(h.fake, CONFIG)
        pull = migration_pull(h.fake, repo)
        run = await open_and_settle(h, repo, pull)
        assert run["output"]["title"] == "Waiting for DBA (0/1)"  # never held by a channel
        slack = [json.loads(b) for p, _, b in got if p.startswith("services/")]
        hooks = [(hd, b) for p, hd, b in got if p == "release-roles"]
        assert [m["text"].split(" needs ")[1].split(".")[0] for m in slack] == ["DBA"]
        [(headers, body)] = hooks  # delivered on the retry after a 503
        expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["x-release-roles-signature-256"] == f"sha256={expected}"
        data: dict[str, Any] = json.loads(body)
        assert (data["event"], data["role"], data["pull_request"]) == ("role_required", "dba", 1)

        await pushed(h, repo, pull)  # nothing new for the DBA: nobody hears again
        assert len(got) == 2
        await approve(h, repo, pull, "dana")
        events = [json.loads(b).get("event", "slack") for _, _, b in got]
        assert events == ["slack", "role_required", "slack", "role_approved"]
    output = capsys.readouterr()
    for secret in (SLACK_URL, "secret-token-in-the-url", SECRET):
        assert secret not in output.out + output.err


def test_a_config_may_name_only_the_apps_notify_variables() -> None:
    bad = CONFIG.replace("RELEASE_ROLES_NOTIFY_DBA_SLACK", "GITHUB_PRIVATE_KEY")
    with pytest.raises(ConfigError, match="should match pattern"):
        load_config(bad, "rr.yml")
