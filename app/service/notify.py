"""Notifications to where a role's people are: Slack and Microsoft Teams incoming
webhooks, and a generic JSON webhook signed with HMAC-SHA256.

Each target is its own NOTIFY job, so one failing channel is retried (the worker's
backoff) without resending the others, and no notification ever holds the check. The
URLs are the App's environment variables (`RELEASE_ROLES_NOTIFY_*`, named by the
config); they and the signing keys are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from typing import Any

import httpx
import structlog

from app.jobs.model import Job, JobKind, RetryLater
from app.policy.notifications import Notice

log = structlog.get_logger()
SIGNATURE_HEADER = "X-Release-Roles-Signature-256"
TIMEOUT_SECONDS = 10.0


def jobs_for(job: Job, notice: Notice, url: str) -> list[Job]:
    """One NOTIFY job per target of a notice."""
    out = []
    for target in notice.targets:
        for kind in ("slack", "teams", "webhook"):
            env = getattr(target, kind)
            if env is None:
                continue
            about = {
                "role": notice.role,
                "event": notice.event,
                "text": notice.text,
                "url": url,
                "target": {"kind": kind, "env": env, "secret": target.secret or ""},
            }
            message = json.dumps(about, sort_keys=True)
            out.append(
                Job(
                    JobKind.NOTIFY,
                    job.owner,
                    job.repo,
                    job.installation_id,
                    number=job.number,
                    message=message,
                )
            )
    return out


async def send(
    job: Job,
    environ: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Deliver one notification; RetryLater when the receiver did not take it."""
    about = json.loads(job.message or "{}")
    target = about["target"]
    env = environ if environ is not None else os.environ
    url = env.get(target["env"], "")
    if not url.startswith(("https://", "http://")):
        log.warning("notify_unconfigured", job=job.key, env=target["env"])
        return  # nothing to retry: the App is not configured for it
    body, headers = _payload(job, about, env.get(target["secret"], "") if target["secret"] else "")
    try:
        async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT_SECONDS) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise RetryLater(
            f"notification to {target['env']} failed: {type(error).__name__}"
        ) from None
    if response.status_code >= 300:
        raise RetryLater(f"notification to {target['env']} answered {response.status_code}")
    log.info("notified", job=job.key, env=target["env"], status=response.status_code)


def _payload(job: Job, about: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    headers = {"Content-Type": "application/json"}
    if about["target"]["kind"] in ("slack", "teams"):
        return json.dumps({"text": about["text"]}).encode(), headers
    data = {
        "event": f"role_{about['event']}",
        "repository": f"{job.owner}/{job.repo}",
        "pull_request": job.number,
        "role": about["role"],
        "text": about["text"],
        "url": about["url"],
    }
    body = json.dumps(data, sort_keys=True).encode()
    if secret:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers[SIGNATURE_HEADER] = f"sha256={digest}"
    return body, headers
