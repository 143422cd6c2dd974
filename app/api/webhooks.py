"""POST /webhooks: verify, record, queue, answer 202. No GitHub call happens here.

The signature is checked on the raw bytes before anything is parsed; the
delivery is written to the journal (with its jobs) before the answer, so an
accepted event survives a crash; a redelivery of the same X-GitHub-Delivery
is acknowledged and not queued twice.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from githubkit.webhooks import verify

from app.github.events import route

router = APIRouter()
log = structlog.get_logger()
MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB


def _answer(status: int, **body: object) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _count(request: Request, event: str | None, outcome: str) -> None:
    request.app.state.metrics.deliveries.labels(event or "unknown", outcome).inc()


class _RefusedError(Exception):
    """The request is answered with `status` before anything is recorded."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


async def _body(request: Request) -> bytes:
    """The raw body, refused past GitHub's 25 MB cap (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise _RefusedError(413, "payload larger than 25 MiB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _RefusedError(413, "payload larger than 25 MiB")
    return bytes(body)


def _verify(request: Request, body: bytes) -> None:
    """HMAC-SHA256 of the raw bytes with the webhook secret, before any parsing."""
    signature = request.headers.get("x-hub-signature-256", "")
    secret = request.app.state.settings.github_webhook_secret.get_secret_value()
    if not signature.startswith("sha256=") or not verify(secret, body, signature):
        log.warning("webhook_bad_signature", delivery=request.headers.get("x-github-delivery"))
        raise _RefusedError(401, "missing or wrong X-Hub-Signature-256")


@router.post("/webhooks")
async def receive(request: Request) -> JSONResponse:
    try:
        body = await _body(request)
        _verify(request, body)
    except _RefusedError as refused:
        _count(request, request.headers.get("x-github-event"), "rejected")
        return _answer(refused.status, error=refused.error)
    event = request.headers.get("x-github-event")
    delivery = request.headers.get("x-github-delivery")
    if not event or not delivery:
        return _answer(400, error="X-GitHub-Event and X-GitHub-Delivery are required")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _count(request, event, "rejected")
        return _answer(400, error=f"body is not JSON: {error}")
    if not isinstance(payload, dict):
        return _answer(400, error="body is not a JSON object")
    if event == "ping":
        return _answer(200, ok=True, zen=payload.get("zen"))
    return await _record(request, event, delivery, payload, body)


async def _record(
    request: Request, event: str, delivery: str, payload: dict[str, Any], body: bytes
) -> JSONResponse:
    """Journal the delivery with its jobs (once per delivery id), then wake the worker."""
    routed = route(event, payload, request.app.state.settings.github_app_id)
    journal = request.app.state.journal
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    fresh = await journal.accept(delivery, event, action, body, routed.jobs)
    if not fresh:
        log.info("webhook_duplicate", delivery=delivery, github_event=event)
        _count(request, event, "duplicate")
        return _answer(200, duplicate=True)
    if routed.removed_reviewer is not None:
        await journal.remember_removed(*routed.removed_reviewer)
    if routed.jobs:
        request.app.state.worker.wake()
    _count(request, event, "accepted")
    queued = [job.key for job in routed.jobs]
    log.info(
        "webhook",
        delivery=delivery,
        github_event=event,
        action=action,
        queued=queued,
        note=routed.note,
        **routed.log,
    )
    return _answer(202, queued=queued, note=routed.note)
