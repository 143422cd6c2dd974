"""POST /webhooks: verify, record, queue, answer 202. No GitHub call happens here.

The signature is checked on the raw bytes before anything is parsed; the
delivery is written to the journal (with its jobs) before the answer, so an
accepted event survives a crash; a redelivery of the same X-GitHub-Delivery
is acknowledged and not queued twice.
"""

from __future__ import annotations

import json

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


@router.post("/webhooks")
async def receive(request: Request) -> JSONResponse:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        _count(request, request.headers.get("x-github-event"), "rejected")
        return _answer(413, error="payload larger than 25 MiB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            _count(request, request.headers.get("x-github-event"), "rejected")
            return _answer(413, error="payload larger than 25 MiB")
    settings = request.app.state.settings
    signature = request.headers.get("x-hub-signature-256", "")
    secret = settings.github_webhook_secret.get_secret_value()
    if not signature.startswith("sha256=") or not verify(secret, bytes(body), signature):
        log.warning("webhook_bad_signature", delivery=request.headers.get("x-github-delivery"))
        _count(request, request.headers.get("x-github-event"), "rejected")
        return _answer(401, error="missing or wrong X-Hub-Signature-256")
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
    routed = route(event, payload, settings.github_app_id)
    journal = request.app.state.journal
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    fresh = await journal.accept(delivery, event, action, bytes(body), routed.jobs)
    if not fresh:
        log.info("webhook_duplicate", delivery=delivery, github_event=event)
        _count(request, event, "duplicate")
        return _answer(200, duplicate=True)
    if routed.removed_reviewer is not None:
        await journal.remember_removed(*routed.removed_reviewer)
    if routed.jobs:
        request.app.state.worker.wake()
    _count(request, event, "accepted")
    log.info(
        "webhook",
        delivery=delivery,
        github_event=event,
        action=action,
        queued=[job.key for job in routed.jobs],
        note=routed.note,
        **routed.log,
    )
    return _answer(202, queued=[job.key for job in routed.jobs], note=routed.note)
