"""The App's own webhook deliveries, as GitHub recorded them, and redelivery: how a
period when the receiver was down loses nothing (service/recovery.py decides what to
ask again). A mixin of the Gateway; these calls authenticate as the App (its JWT),
not as an installation."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from app.github.client import answers_checked, call

MAX_PAGES = 20  # 2,000 attempts: GitHub keeps an App's deliveries for three days


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt to deliver an event (GitHub's "webhook delivery")."""

    id: int
    guid: str  # the X-GitHub-Delivery header: the same for every attempt of an event
    status_code: int  # 0 when GitHub could not connect at all
    delivered_at: float
    event: str
    action: str | None

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status_code < 300


class Deliveries:
    _github: Any

    @answers_checked
    async def recent_attempts(self, since: float) -> list[Attempt]:
        """Every attempt GitHub made since `since` (a Unix time), newest first."""
        attempts: list[Attempt] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            kwargs: dict[str, Any] = {"per_page": 100} | ({"cursor": cursor} if cursor else {})
            response = await call(
                self._github.rest.apps.async_list_webhook_deliveries(**kwargs),
                "the App's webhook deliveries",
            )
            for item in response.parsed_data:
                at = item.delivered_at.timestamp()
                if at < since:
                    return attempts
                attempts.append(
                    Attempt(item.id, item.guid, item.status_code, at, item.event, item.action)
                )
            cursor = next_cursor(response.headers.get("link"))
            if cursor is None:
                break
        return attempts

    @answers_checked
    async def redeliver(self, attempt_id: int) -> None:
        await call(
            self._github.rest.apps.async_redeliver_webhook_delivery(attempt_id),
            f"redelivering attempt {attempt_id}",
        )


def next_cursor(link: str | None) -> str | None:
    """The `cursor` of the Link header's rel="next" URL (this API pages by cursor)."""
    for part in (link or "").split(","):
        url, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            query = urllib.parse.urlparse(url.strip().strip("<>")).query
            found = urllib.parse.parse_qs(query).get("cursor")
            return found[0] if found else None
    return None
