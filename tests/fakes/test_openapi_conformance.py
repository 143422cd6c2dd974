"""Whatever the fake GitHub returns must be something GitHub's REST API can return:
every response recorded during a full story is validated against the response
schema of its operation in GitHub's OpenAPI description."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from tests.e2e.test_stories import MIGRATION, MIGRATION_TEXT, shop
from tests.fakes.github import SUBSET, FakeGitHub
from tests.harness import review_event, running

pytestmark = pytest.mark.anyio
GRAPH = "GET /repos/{owner}/{repo}/dependency-graph/compare/{basehead}"
REVIEWS = "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"


def openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` is JSON Schema's `type: [..., "null"]`."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
        for combinator in ("anyOf", "oneOf"):
            if combinator in out:
                out[combinator] = [*out[combinator], {"type": "null"}]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


async def test_every_fake_response_matches_githubs_schema(tmp_path: Path) -> None:
    fake = FakeGitHub()
    fake.attempt("0b989ba4-242f-11e5-81e1-c7b6966d2516", 0, time.time() - 60)  # one lost
    async with running(f"sqlite:///{tmp_path / 'j.db'}", fake) as h:
        for _ in range(200):  # the workers look for lost deliveries as they start
            if fake.redelivered:
                break
            await asyncio.sleep(0.01)
        repo = shop(h.fake)
        # a migration only its content confirms, over 1 MB: read through the blob API
        big = "exports.up = (knex) => knex.schema;\n" + "// padding\n" * 100_000
        h.fake.push(
            repo,
            "add-sku",
            {MIGRATION: MIGRATION_TEXT, "db/migrations/2_big.js": big, "package.json": "{}"},
        )
        repo.dependency_graph = SUBSET[GRAPH]["examples"]["default"]
        pull = h.fake.open_pull(repo, "add-sku", author="alice")
        await h.deliver("pull_request", h.pr_event("opened", repo, pull.number))
        await h.settle()
        h.fake.review(repo, pull, "dana", "APPROVED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()  # the same head: the check run is updated
        h.fake.push(repo, "add-sku", {"docs/guide.md": "v2\n"})
        await h.deliver("pull_request", h.pr_event("synchronize", repo, pull.number))
        await h.settle()  # the approval is on an older commit: a compare
        h.fake.push(repo, "main", {".github/release-roles.yml": "version: 1\n"})
        numbers = await h.app.state.gateway.open_pulls(77, "acme", "shop", "main")
        assert numbers == [pull.number]
    seen = {operation for operation, _, _ in h.fake.responses}
    assert seen >= {
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
        "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
        "GET /repos/{owner}/{repo}/contents/{path}",
        "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
        GRAPH,
        "GET /repos/{owner}/{repo}/compare/{basehead}",
        "GET /orgs/{org}/teams/{team_slug}/members",
        "POST /repos/{owner}/{repo}/check-runs",
        "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
        "POST /app/installations/{installation_id}/access_tokens",
        "GET /repos/{owner}/{repo}/pulls",
        "GET /app/hook/deliveries",
        "POST /app/hook/deliveries/{delivery_id}/attempts",
    }
    # the reviews, read again at the push with the ETag of the read before: unchanged
    assert (REVIEWS, 304, None) in h.fake.responses
    for operation, status, body in h.fake.responses:
        spec = SUBSET[operation]
        if (status, body) == (304, None) and operation.startswith("GET "):
            # a conditional GET answered Not Modified, no body: GitHub's "Best practices
            # for using the REST API" (use conditional requests) for any endpoint that
            # sends an ETag, which the OpenAPI description lists for only some
            continue
        assert status == spec["status"], operation
        validator = Draft7Validator(openapi_to_jsonschema(spec["schema"]))
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        assert not errors, f"{operation}: {errors[0].message} at {list(errors[0].path)}"
