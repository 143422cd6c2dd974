"""Deliveries GitHub could not make, asked for again: on start and every hour, the
App's recent delivery attempts are listed, and each event whose every attempt failed
and that the journal never received is redelivered once a round. A receiver that was
down, unreachable or answering 5xx therefore loses nothing GitHub still keeps (three
days); the journal's dedup by X-GitHub-Delivery makes a redelivery that crosses a late
success harmless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog

from app.github.deliveries import Attempt
from app.github.gateway import Gateway
from app.jobs.store import Journal

log = structlog.get_logger()
WINDOW_SECONDS = 24 * 3600.0  # how far back a round looks
MAX_PER_ROUND = 100  # redeliveries per round: a long outage catches up over rounds


def retryable(status_code: int) -> bool:
    """No answer at all (0), a server error, a timeout or throttle, or a signature the
    receiver could not check yet (a secret being rotated): worth another try. A 400
    (a body we refused) would fail the same way every round."""
    return status_code == 0 or status_code >= 500 or status_code in (401, 403, 408, 429)


@dataclass(frozen=True, slots=True)
class Round:
    attempts: int  # listed
    failed: int  # events whose every attempt failed
    redelivered: tuple[str, ...]  # their X-GitHub-Delivery ids


async def recover(gateway: Gateway, journal: Journal, now: float | None = None) -> Round:
    now = time.time() if now is None else now
    attempts = await gateway.recent_attempts(now - WINDOW_SECONDS)
    failed = _failed_events(attempts)
    redelivered: list[str] = []
    for attempt in failed:
        if len(redelivered) >= MAX_PER_ROUND:
            break
        if await journal.has_delivery(attempt.guid):
            continue  # received after all (the failure was an answer GitHub lost)
        await gateway.redeliver(attempt.id)
        redelivered.append(attempt.guid)
        log.info(
            "delivery_redelivered",
            delivery=attempt.guid,
            github_event=attempt.event,
            action=attempt.action,
            status_code=attempt.status_code,
        )
    return Round(len(attempts), len(failed), tuple(redelivered))


def _failed_events(attempts: list[Attempt]) -> list[Attempt]:
    """The newest attempt of each event none of whose attempts succeeded and whose
    failure another try can mend, oldest first (a long outage is caught up in the order
    GitHub sent it)."""
    succeeded = {a.guid for a in attempts if a.succeeded}
    newest: dict[str, Attempt] = {}
    for attempt in attempts:
        if attempt.guid in succeeded or not retryable(attempt.status_code):
            continue
        seen = newest.get(attempt.guid)
        if seen is None or attempt.delivered_at > seen.delivered_at:
            newest[attempt.guid] = attempt
    return sorted(newest.values(), key=lambda a: a.delivered_at)
