"""What the gateway's HTTP layer retries, and how its errors read."""

from __future__ import annotations

from datetime import timedelta

import httpx
from githubkit.exception import RequestError, RequestFailed
from githubkit.response import Response

from app.github.client import GatewayError, retry_policy, wrap
from app.jobs.model import RetryLater


def failed(status: int, body: bytes = b'{"message": "Validation Failed"}') -> RequestFailed:
    request = httpx.Request("GET", "https://api.github.com/repos/acme/shop")
    raw = httpx.Response(status, content=body, request=request)
    return RequestFailed(Response(raw, object))


def test_server_errors_and_network_errors_are_retried_with_backoff() -> None:
    decide = retry_policy(max_retries=3, base_delay=1.0)
    assert decide(failed(502), 0).do_retry
    assert decide(failed(502), 2).retry_after == timedelta(seconds=4)
    assert not decide(failed(502), 3).do_retry
    assert decide(RequestError(httpx.ConnectError("refused")), 0).do_retry


def test_client_errors_are_not_retried() -> None:
    decide = retry_policy()
    assert not decide(failed(404), 0).do_retry
    assert not decide(failed(422), 0).do_retry


def test_errors_are_sentences_the_worker_retries() -> None:
    error = wrap(failed(422), "requesting reviewers")
    assert isinstance(error, GatewayError)
    assert isinstance(error, RetryLater)
    assert str(error) == "GitHub answered 422 for requesting reviewers: Validation Failed"
    assert error.status == 422
