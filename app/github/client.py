"""How the gateway talks HTTP to GitHub: one shared connection pool, retries that
honour `Retry-After`, a per-evaluation call counter, and errors as sentences.
"""

from __future__ import annotations

import contextvars
import functools
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

import httpx
from githubkit.exception import (
    GitHubException,
    RateLimitExceeded,
    RequestError,
    RequestFailed,
)
from githubkit.retry import RetryOption
from pydantic import ValidationError

from app.jobs.model import RetryLater

PER_PAGE = 100
T = TypeVar("T")
_calls: contextvars.ContextVar[Counter[str] | None] = contextvars.ContextVar(
    "github_calls", default=None
)


class GatewayError(RetryLater):
    """A GitHub call failed after retries. `retry_after`: how long GitHub asked us to
    wait (rate limits); otherwise the worker's own backoff applies."""

    def __init__(self, message: str, *, retry_after: float = 0.0, status: int | None = None):
        super().__init__(message, retry_after=retry_after)
        self.status = status


class TooManyFilesError(GatewayError):
    pass


P = ParamSpec("P")


def answers_checked(
    method: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """A gateway method whose GitHub answers githubkit could not validate (an API that
    drifted from its schema, a proxy's odd body) fails as a GatewayError that names
    the call, so the job is retried and then fails closed, like any GitHub error."""

    @functools.wraps(method)
    async def checked(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except ValidationError as error:
            errors = error.errors()
            where = ".".join(str(part) for part in errors[0]["loc"]) if errors else ""
            why = errors[0]["msg"] if errors else str(error)
            raise GatewayError(
                f"GitHub's answer to {method.__name__} did not have the expected shape "
                f"({error.title} {where}: {why})"
            ) from None

    return checked


def retry_policy(
    max_retries: int = 3, base_delay: float = 1.0, max_inline_wait: float = 30.0
) -> Callable[[GitHubException, int], RetryOption]:
    """Retry 5xx and network errors with backoff, and rate limits after `Retry-After`.

    A rate-limit wait longer than `max_inline_wait` is not slept here: the
    error goes up and the worker puts the job back for that long instead.
    """

    def decide(error: GitHubException, count: int) -> RetryOption:
        if count >= max_retries:
            return RetryOption(False)
        if isinstance(error, RateLimitExceeded):
            wait = error.retry_after.total_seconds()
            return RetryOption(wait <= max_inline_wait, error.retry_after)
        if isinstance(error, RequestFailed):
            if error.response.status_code >= 500:
                return RetryOption(True, timedelta(seconds=base_delay * 2**count))
            return RetryOption(False)
        if isinstance(error, RequestError):
            return RetryOption(True, timedelta(seconds=base_delay * 2**count))
        return RetryOption(False)

    return decide


def counting_calls() -> Counter[str]:
    """Start counting GitHub calls made by this task (and tasks it starts)."""
    counter: Counter[str] = Counter()
    _calls.set(counter)
    return counter


async def count_request(request: httpx.Request) -> None:
    counter = _calls.get()
    if counter is not None:
        counter[f"{request.method} {request.url.path}"] += 1


async def count_not_modified(response: httpx.Response) -> None:
    """A 304 is still a call, but one that costs no rate limit: its route is counted
    apart (`GET /repos/…/reviews [304]`) so the log shows what the ETags saved."""
    counter = _calls.get()
    if counter is not None and response.status_code == 304:
        route = f"{response.request.method} {response.request.url.path}"
        counter[route] -= 1
        if counter[route] <= 0:
            del counter[route]
        counter[f"{route} [304]"] += 1


class SharedTransport(httpx.AsyncBaseTransport):
    """One connection pool for every request.

    githubkit builds an httpx client per call (outside `async with`), and a client
    built without a transport makes a fresh SSL context each time: that was most
    of the app's CPU under load. Handing it this transport keeps one pool with
    kept-alive connections; the clients' `aclose()` must not close it, the gateway
    does at shutdown.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        pass


async def all_pages(request: Callable[[int], Awaitable[Any]], what: str) -> list[Any]:
    """Every item of a paginated list endpoint; a short page is the last one."""

    async def page_items(page: int) -> list[Any]:
        items: list[Any] = (await call(request(page), what)).parsed_data
        return items

    return await pages_until_short(page_items)


async def pages_until_short(page_items: Callable[[int], Awaitable[list[Any]]]) -> list[Any]:
    """The items of pages 1, 2, … as `page_items(page)` reads each, up to the first page
    shorter than PER_PAGE (GitHub's last)."""
    items: list[Any] = []
    page = 1
    while True:
        batch = await page_items(page)
        items.extend(batch)
        if len(batch) < PER_PAGE:
            return items
        page += 1


async def call(request: Awaitable[T], what: str) -> T:
    try:
        return await request
    except GitHubException as error:
        raise wrap(error, what) from None


def wrap(error: GitHubException, what: str) -> GatewayError:
    if isinstance(error, RateLimitExceeded):
        wait = error.retry_after.total_seconds()
        return GatewayError(
            f"GitHub rate limit while fetching {what}; retrying in {wait:.0f} s",
            retry_after=max(wait, 1.0),
            status=error.response.status_code,
        )
    if isinstance(error, RequestFailed):
        status = error.response.status_code
        return GatewayError(
            f"GitHub answered {status} for {what}: {error_message(error)}", status=status
        )
    return GatewayError(f"could not reach GitHub for {what}: {error}")


def error_message(error: RequestFailed) -> str:
    try:
        body = error.response.json()
    except Exception:
        return error.response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message", body))[:300]
    return str(body)[:300]
