"""Every handled event from a real payload, signed like GitHub signs, through the app."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from pydantic import SecretStr

from tests.fuzz import swap_values
from tests.harness import SECRET, WEBHOOKS, payload, running, sign

pytestmark = pytest.mark.anyio

# fixture -> the job keys the app must queue (empty: acknowledged, nothing to do)
EXPECTED = {
    "pull_request.opened": ["pull:codertocat/hello-world#2"],
    "pull_request.reopened": ["pull:codertocat/hello-world#2"],
    "pull_request.synchronize": ["pull:codertocat/hello-world#2"],
    "pull_request.ready_for_review": ["pull:codertocat/hello-world#2"],
    "pull_request.converted_to_draft": ["pull:codertocat/hello-world#2"],
    "pull_request.labeled": ["pull:codertocat/hello-world#2"],
    "pull_request.unlabeled": ["pull:codertocat/hello-world#2"],
    "pull_request.review_request_removed": [],
    "pull_request.closed": [],
    "pull_request_review.submitted": ["pull:codertocat/hello-world#2"],
    "pull_request_review.dismissed": ["pull:codertocat/hello-world#2"],
    "check_run.rerequested": [],  # another app's check run
    "check_run.completed": [],
    "check_suite.rerequested": [],  # another app's suite
    "check_suite.completed": [],  # kept for the board, nothing to evaluate
    "status": [],  # likewise
    "merge_group.checks_requested": [
        "merge_group:octo-org/octo-repo@2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d"
    ],
    "push": [],  # a tag push
    "membership.added": ["teams:codertocat"],
    "team.edited": ["teams:codertocat"],
    "installation.created": [],
    "installation_repositories.added": [],
    "issue_comment.created": [],  # an issue, not a pull request
}


def test_every_vendored_payload_has_an_expectation() -> None:
    assert {p.stem for p in WEBHOOKS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_each_event_is_accepted_and_routed(db: str, name: str) -> None:
    event = name.split(".")[0]
    body = payload(name)
    async with running(db) as h:
        await h.app.state.worker.stop()  # only the routing is under test here
        response = await h.deliver(event, body)
        assert response.status_code == 202, response.text
        queued = response.json()["queued"]
        if event in ("membership", "team"):
            org = body["organization"]["login"].lower()
            assert queued == [f"teams:{org}"]
        else:
            assert queued == EXPECTED[name]


async def test_our_own_rerequested_check_run_queues_its_pull_requests(db: str) -> None:
    body = payload("check_run.rerequested")
    body["check_run"]["app"]["id"] = 4242
    body["check_run"]["pull_requests"] = [
        {"number": 5, "base": {"repo": {"id": body["repository"]["id"]}}},
        {"number": 6, "base": {"repo": {"id": 999999}}},  # a fork's PR into another repo
    ]
    async with running(db) as h:
        await h.app.state.worker.stop()
        response = await h.deliver("check_run", body)
    assert response.json()["queued"] == ["pull:github/hello-world#5"]


async def test_a_finished_check_suite_is_kept_for_the_board(db: str) -> None:
    body = payload("check_suite.completed")
    suite = body["check_suite"]
    async with running(db) as h:
        await h.app.state.worker.stop()
        response = await h.deliver("check_suite", body)
        assert response.json()["note"] == "checks kept"
        kept = await h.app.state.journal.suites("codertocat", [suite["head_sha"]])
    assert kept == {("codertocat/hello-world", suite["head_sha"]): {"octocoders-linter": "success"}}


async def test_a_finished_check_suite_naming_no_commit_is_refused(db: str) -> None:
    body = payload("check_suite.completed")
    body["check_suite"]["head_sha"] = "../../etc"
    async with running(db) as h:
        response = await h.deliver("check_suite", body)
    assert response.status_code == 400


async def test_bad_signatures_are_401(db: str) -> None:
    raw = json.dumps(payload("pull_request.opened")).encode()
    async with running(db) as h:
        for signature in (
            None,
            "sha256=" + "0" * 64,
            sign(raw, "wrong secret"),
            sign(raw).replace("sha256=", "sha1="),
        ):
            headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "x"}
            if signature:
                headers["X-Hub-Signature-256"] = signature
            response = await h.client.post("/webhooks", content=raw, headers=headers)
            assert response.status_code == 401
        assert await h.app.state.journal.pending() == 0


async def test_a_rotation_accepts_the_previous_secret_until_it_is_unset(db: str) -> None:
    """Rotating: GITHUB_WEBHOOK_SECRET is the new secret, _PREVIOUS the old one; both
    sign valid deliveries until GitHub has the new one (nothing lost in between)."""
    raw = json.dumps(payload("pull_request.opened")).encode()
    base = {"X-GitHub-Event": "pull_request", "Content-Type": "application/json"}
    rotating = {"github_webhook_secret_previous": SecretStr("the old secret")}
    async with running(db, **rotating) as h:
        await h.app.state.worker.stop()
        for n, secret in enumerate((SECRET, "the old secret")):
            headers = base | {
                "X-GitHub-Delivery": f"r{n}",
                "X-Hub-Signature-256": sign(raw, secret),
            }
            response = await h.client.post("/webhooks", content=raw, headers=headers)
            assert response.status_code == 202, response.text
        other = base | {"X-GitHub-Delivery": "r2", "X-Hub-Signature-256": sign(raw, "neither")}
        assert (await h.client.post("/webhooks", content=raw, headers=other)).status_code == 401
    async with running(db) as h:  # the rotation over: the old secret is refused again
        await h.app.state.worker.stop()
        old = base | {"X-GitHub-Delivery": "r3", "X-Hub-Signature-256": sign(raw, "the old secret")}
        assert (await h.client.post("/webhooks", content=raw, headers=old)).status_code == 401


async def test_malformed_json_and_missing_headers_are_400(db: str) -> None:
    async with running(db) as h:
        raw = b"{not json"
        headers = {
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": "d",
            "X-Hub-Signature-256": sign(raw),
        }
        response = await h.client.post("/webhooks", content=raw, headers=headers)
        assert response.status_code == 400
        assert "not JSON" in response.json()["error"]
        raw = b"{}"
        response = await h.client.post(
            "/webhooks", content=raw, headers={"X-Hub-Signature-256": sign(raw)}
        )
        assert response.status_code == 400


async def test_oversized_payload_is_413(db: str) -> None:
    raw = b"x" * (25 * 1024 * 1024 + 1)
    async with running(db) as h:
        response = await h.client.post(
            "/webhooks",
            content=raw,
            headers={
                "X-GitHub-Event": "push",
                "X-GitHub-Delivery": "big",
                "X-Hub-Signature-256": sign(raw),
            },
        )
    assert response.status_code == 413


async def test_ping_and_healthz(db: str) -> None:
    async with running(db) as h:
        response = await h.deliver("ping", {"zen": "Keep it logically awesome.", "hook_id": 1})
        assert response.status_code == 200
        health = await h.client.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"ok": True, "pending_jobs": 0}


async def test_a_payload_without_installation_is_acknowledged_not_queued(db: str) -> None:
    body = payload("pull_request.opened")
    del body["installation"]
    async with running(db) as h:
        response = await h.deliver("pull_request", body)
    assert response.status_code == 202
    assert response.json()["queued"] == []
    assert "installation" in response.json()["note"]


def _mutations(body: object, rng: random.Random, count: int) -> list[object]:
    """Copies of a payload with one nested value swapped for a value of another type."""
    return [swap_values(body, rng) for _ in range(count)]


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_odd_payloads_are_answered_never_a_server_error(db: str, name: str) -> None:
    """A payload of a shape we do not expect is answered, never a 500: recorded when
    nothing in it is routed on, refused with the reason (400) when a field a job would
    be built from is missing or of the wrong type, so no job that cannot run is queued."""
    event = name.split(".")[0]
    rng = random.Random(name)
    async with running(db) as h:
        for body in _mutations(payload(name), rng, 25):
            raw = json.dumps(body).encode()
            response = await h.client.post(
                "/webhooks",
                content=raw,
                headers={
                    "X-GitHub-Event": event,
                    "X-GitHub-Delivery": str(rng.random()),
                    "X-Hub-Signature-256": sign(raw),
                },
            )
            assert response.status_code in (200, 202, 400), (body, response.text)
            if response.status_code == 400:
                assert response.json()["error"].startswith(f"{event} payload: ")


async def post_raw(h: Any, raw: bytes, headers: list[tuple[str, str | bytes]]) -> Any:
    base = [("X-GitHub-Event", "pull_request"), ("X-GitHub-Delivery", str(random.random()))]
    return await h.client.post("/webhooks", content=raw, headers=base + headers)


async def test_a_signature_header_must_be_one_and_well_formed(db: str) -> None:
    raw = json.dumps(payload("pull_request.opened")).encode()
    async with running(db) as h:
        good = sign(raw)
        twice = await post_raw(
            h, raw, [("X-Hub-Signature-256", good), ("X-Hub-Signature-256", "sha256=" + "0" * 64)]
        )
        assert twice.status_code == 401
        # a byte that is not ASCII, as a client could send it (latin-1 on the wire)
        odd = await post_raw(
            h, raw, [("X-Hub-Signature-256", (good[:-1] + "\u00e9").encode("latin-1"))]
        )
        assert odd.status_code == 401
        upper = await post_raw(h, raw, [("X-Hub-Signature-256", good.upper())])
        assert upper.status_code == 401
        assert await h.app.state.journal.pending() == 0


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"number": ' + b"9" * 5000 + b"}", "body is not JSON GitHub sends"),
        (b'{"id": Infinity}', "Infinity is not a JSON number"),
        (b'{"id": NaN}', "NaN is not a JSON number"),
        (b'{"id": 1e999}', "1e999 does not fit a number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
        (b'{"a": "\xff"}', "body is not JSON GitHub sends"),
        (b"[1, 2]", "body is not a JSON object"),
    ],
    ids=["huge-int", "infinity", "nan", "1e999", "deep", "not-utf8", "array"],
)
async def test_json_github_would_not_send_is_a_400_with_the_reason(
    db: str, raw: bytes, reason: str
) -> None:
    async with running(db) as h:
        response = await post_raw(h, raw, [("X-Hub-Signature-256", sign(raw))])
        assert response.status_code == 400
        assert reason in response.json()["error"]
        assert await h.app.state.journal.pending() == 0


async def test_a_name_with_a_nul_is_refused_not_queued(db: str) -> None:
    body = payload("pull_request.opened")
    body["repository"]["owner"]["login"] = "acme\u0000"
    raw = json.dumps(body).encode()
    async with running(db) as h:
        response = await post_raw(h, raw, [("X-Hub-Signature-256", sign(raw))])
        assert response.status_code == 400
        assert "is not a GitHub account name" in response.json()["error"]
        assert await h.app.state.journal.pending() == 0


def test_the_fast_parser_and_the_strict_one_agree_on_what_github_sends() -> None:
    """orjson reads every vendored payload as the standard library does; what it refuses
    goes to the standard library (lone surrogate escapes are one such thing)."""
    import json

    from app.api.webhooks import _parse
    from tests.harness import WEBHOOKS

    for path in sorted(WEBHOOKS.glob("*.json")):
        body = path.read_bytes()
        assert _parse(body) == json.loads(body), path.name
    assert _parse(b'{"title": "\\ud800"}') == {"title": "\ud800"}


async def test_deliveries_are_answered_before_the_frameworks_layers(db: str) -> None:
    """The error, telemetry and body-limit layers wrapped each delivery's send and
    receive (about a tenth of the receiver's CPU); the pages still go through them."""
    from app.api.webhooks import WebhookReceiver

    async with running(db) as h:
        stack = h.app.build_middleware_stack()
        assert isinstance(stack, WebhookReceiver)
        assert type(stack.app).__name__ == "ServerErrorMiddleware"
        assert (await h.deliver("ping", {"zen": "z", "hook_id": 1})).status_code == 200
        assert (await h.client.get("/healthz")).status_code == 200
