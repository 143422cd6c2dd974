"""Conditional reads: what GitHub says has not changed since it was read.

GitHub answers a GET with an ETag; asked again with `If-None-Match`, it answers 304 Not
Modified when nothing changed, and a 304 does not count against the installation's
rate limit. A pull request and its reviews are read at every evaluation (a push, a
label, a comment, a team's change fanned out to every open PR) and often have not
moved. The 304 is GitHub's own word that the list is the one held here, so the answer is the one
a full read gives; nothing is served without asking (no freshness guessed from
Cache-Control, which would let a dismissed approval count for a minute).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from app.github.client import GatewayError, call, pages_until_short
from app.github.immutable import ByCommit

MAX_BYTES = 8 * 1024 * 1024

One = Callable[[dict[str, str]], Awaitable[Any]]
Page = Callable[[int, dict[str, str]], Awaitable[Any]]


class Conditional:
    """The last answer and its ETag for each object or page asked here, in an LRU."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._answers = ByCommit(max_bytes)

    async def one(self, key: Hashable, request: One, what: str) -> Any:
        """One object (a pull request, a page of a list), asked with the ETag of its
        last answer; `request(headers)` sends it."""
        known: tuple[str, Any] | None = self._answers.get(key)
        headers = {"If-None-Match": known[0]} if known is not None else {}
        response = await call(request(headers), what)
        if response.status_code == 304:
            if known is None:
                raise GatewayError(f"GitHub answered 304 for {what} without being asked")
            return known[1]
        data = response.parsed_data
        etag = response.headers.get("etag")
        if etag:  # the parsed models take a few times the JSON's bytes
            self._answers.put(key, (etag, data), 4 * len(response.content) + 200)
        return data

    async def pages(self, key: Hashable, request: Page, what: str) -> list[Any]:
        """Every item of a paginated list, each page asked as `one`; `request(page,
        headers)` sends one."""

        async def page_items(page: int) -> list[Any]:
            items: list[Any] = await self.one((key, page), functools.partial(request, page), what)
            return items

        return await pages_until_short(page_items)
