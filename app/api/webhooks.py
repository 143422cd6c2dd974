"""POST /webhooks: verify, record, queue, answer 202. No GitHub call happens here.

The signature is checked on the raw bytes before anything is parsed; the
delivery is written to the journal (with its jobs) before the answer, so an
accepted event survives a crash; a redelivery of the same X-GitHub-Delivery
is acknowledged and not queued twice.

A plain ASGI middleware in front of FastAPI, not a route: the framework's routing,
request object and dependency solving were a third of the receiver's CPU per
delivery (bench/bench_probot.py). Every other path goes on to FastAPI.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
import structlog
from githubkit.webhooks import verify
from starlette.types import ASGIApp, Receive, Scope, Send

from app.github.events import BadDeliveryError, route

log = structlog.get_logger()
PATH = "/webhooks"
MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}")
_JSON = (b"content-type", b"application/json")

Answer = tuple[int, dict[str, object]]


class WebhookReceiver:
    """ASGI middleware: POST /webhooks answered here, anything else passed on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _send(send, 405, {"error": "POST only"}, ((b"allow", b"POST"),))
            return
        status, body = await _receive(Delivery(scope), receive)
        await _send(send, status, body)


async def _send(
    send: Send, status: int, body: dict[str, object], extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    raw = orjson.dumps(body)
    headers = [_JSON, (b"content-length", str(len(raw)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


_READ = (b"x-github-event", b"x-github-delivery", b"x-hub-signature-256", b"content-length")


@dataclass(slots=True)
class Delivery:
    """The request's headers and the app's state, as the steps below read them."""

    scope: Scope
    _headers: dict[bytes, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in self.scope["headers"]:  # once: only the four read here
            if name in _READ:
                self._headers.setdefault(name, []).append(value.decode("latin-1"))

    def headers(self, name: bytes) -> list[str]:
        return self._headers.get(name, [])

    def header(self, name: bytes) -> str | None:
        found = self.headers(name)
        return found[0] if found else None

    @property
    def state(self) -> Any:
        return self.scope["app"].state

    def count(self, event: str | None, outcome: str) -> None:
        self.state.metrics.deliveries.labels(event or "unknown", outcome).inc()


class _RefusedError(Exception):
    """The request is answered with `status` before anything is recorded."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


async def _receive(delivery: Delivery, receive: Receive) -> Answer:
    try:
        body = await _body(delivery, receive)
        _verify(delivery, body)
    except _RefusedError as refused:
        delivery.count(delivery.header(b"x-github-event"), "rejected")
        return refused.status, {"error": refused.error}
    event = delivery.header(b"x-github-event")
    delivery_id = delivery.header(b"x-github-delivery")
    if not event or not delivery_id:
        return 400, {"error": "X-GitHub-Event and X-GitHub-Delivery are required"}
    try:
        payload = _parse(body)
    except _RefusedError as refused:
        delivery.count(event, "rejected")
        return refused.status, {"error": refused.error}
    if event == "ping":
        return 200, {"ok": True, "zen": payload.get("zen")}
    return await _record(delivery, event, delivery_id, payload, body)


async def _body(delivery: Delivery, receive: Receive) -> bytes:
    """The raw body, refused past GitHub's 25 MB cap (declared or streamed)."""
    declared = delivery.header(b"content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise _RefusedError(413, "payload larger than 25 MiB")
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _RefusedError(400, "the client went away before the body was read")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _RefusedError(413, "payload larger than 25 MiB")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _verify(delivery: Delivery, body: bytes) -> None:
    """HMAC-SHA256 of the raw bytes with the webhook secret, before any parsing. Exactly
    one signature, in GitHub's form: a second header (one valid, one not) is refused."""
    signatures = delivery.headers(b"x-hub-signature-256")
    delivery_id = delivery.header(b"x-github-delivery")
    secrets = delivery.state.settings.webhook_secrets
    if len(signatures) == 1 and _SIGNATURE.fullmatch(signatures[0]):
        for index, secret in enumerate(secrets):
            if verify(secret, body, signatures[0]):
                if index:  # the rotation is not over while GitHub still signs with it
                    log.info("webhook_previous_secret", delivery=delivery_id)
                return
    log.warning("webhook_bad_signature", delivery=delivery_id)
    raise _RefusedError(401, "missing or wrong X-Hub-Signature-256")


def _parse(body: bytes) -> dict[str, Any]:
    """The payload as JSON GitHub would send: no NaN or Infinity, numbers that fit.

    orjson reads what GitHub sends in a third of the standard library's time (24 against
    57 µs for a 25 KB pull request); whatever it refuses is read again by the standard
    library, whose refusal says exactly why (and which accepts a few things orjson does
    not, such as a lone surrogate escape)."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        payload = _parse_strictly(body)
    if not isinstance(payload, dict):
        raise _RefusedError(400, "body is not a JSON object")
    return payload


def _parse_strictly(body: bytes) -> Any:
    try:
        return json.loads(body, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise _RefusedError(400, "body is not JSON GitHub sends: nested too deep") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, a 5,000-digit number
        raise _RefusedError(400, f"body is not JSON GitHub sends: {error}") from None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} does not fit a number")
    return value


async def _record(
    incoming: Delivery, event: str, delivery: str, payload: dict[str, Any], body: bytes
) -> Answer:
    """Journal the delivery with its jobs (once per delivery id), then wake the worker."""
    try:
        routed = route(event, payload, incoming.state.settings.github_app_id)
    except BadDeliveryError as error:
        incoming.count(event, "rejected")
        return 400, {"error": str(error)}
    journal = incoming.state.journal
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    if routed.override is not None:
        # before its job is queued, so the evaluation it starts sees it (a redelivery
        # records the same command again: the latest per role wins)
        await journal.save_override(routed.override)
    if routed.retargeted is not None:
        await journal.save_retarget(*routed.retargeted)
    if routed.ticks is not None:
        edit = routed.ticks
        known = await journal.plan_comment(edit.repo, edit.number)
        if known is None or known[0] != edit.comment_id:  # a copy of our markers elsewhere
            return 200, {"note": "not the release-plan comment of this pull request"}
        await journal.save_ticks(edit)
    fresh = await journal.accept(delivery, event, action, body, routed.jobs)
    if not fresh:
        log.info("webhook_duplicate", delivery=delivery, github_event=event)
        incoming.count(event, "duplicate")
        return 200, {"duplicate": True}
    if routed.removed_reviewer is not None:
        await journal.remember_removed(*routed.removed_reviewer)
    if routed.suite is not None:
        await journal.save_suite(*routed.suite)

    if routed.jobs:
        incoming.state.wake()
    incoming.count(event, "accepted")
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
    return 202, {"queued": queued, "note": routed.note}
