"""The gateway against the fake GitHub, over githubkit's real HTTP stack."""

from __future__ import annotations

import httpx
import pytest

from app.detect.base import FileStatus
from app.github.client import counting_calls
from app.github.gateway import Gateway, GatewayError, TooManyFilesError, retry_policy
from tests.fakes.github import FakeGitHub
from tests.harness import APP_ID, INSTALLATION_ID, private_key

pytestmark = pytest.mark.anyio


def gateway(fake: FakeGitHub, **kwargs: object) -> Gateway:
    return Gateway(
        app_id=APP_ID,
        private_key=private_key(),
        transport=httpx.ASGITransport(app=fake.app),
        retry=retry_policy(max_retries=2, base_delay=0.0, max_inline_wait=1.0),
        **kwargs,  # type: ignore[arg-type]
    )


async def test_files_are_paginated_and_parsed_like_a_git_diff() -> None:
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {"keep.txt": "a\nb\n", "gone.txt": "x\n"})
    files = {f"src/f{i:03}.py": f"print({i})\n" for i in range(150)}
    fake.push(repo, "big", files | {"keep.txt": "a\nB\n", "gone.txt": None})
    pull = fake.open_pull(repo, "big", author="alice")
    found = await gateway(fake).files(INSTALLATION_ID, "acme", "shop", pull.number)
    assert len(found) == 152
    assert fake.count("GET", "/files$") == 2
    by_path = {f.path: f for f in found}
    assert by_path["keep.txt"].added == [(2, "B")]
    assert by_path["keep.txt"].removed == [(2, "b")]
    assert by_path["gone.txt"].status == FileStatus.REMOVED
    assert by_path["src/f007.py"].added == [(1, "print(7)")]


async def test_three_thousand_files_fail_closed() -> None:
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {"a": "a\n"})
    fake.push(repo, "huge", {f"f{i}": "x\n" for i in range(3000)})
    pull = fake.open_pull(repo, "huge", author="alice")
    with pytest.raises(TooManyFilesError, match="3000 or more files"):
        await gateway(fake).files(INSTALLATION_ID, "acme", "shop", pull.number)


async def test_team_membership_is_cached_until_forgotten() -> None:
    fake = FakeGitHub()
    fake.team("acme", "dba", {"Dana"})
    gw = gateway(fake)
    assert await gw.team_members(INSTALLATION_ID, "acme", "dba") == frozenset({"dana"})
    assert await gw.team_members(INSTALLATION_ID, "acme", "dba") == frozenset({"dana"})
    assert fake.count("GET", "/members$") == 1
    gw.forget_teams("ACME")
    fake.team("acme", "dba", {"dana", "sam"})
    assert await gw.team_members(INSTALLATION_ID, "acme", "dba") == frozenset({"dana", "sam"})
    assert await gw.team_members(INSTALLATION_ID, "acme", "ghosts") is None


async def test_missing_files_and_commits_are_none_not_errors() -> None:
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {"a": "a\n"})
    gw = gateway(fake)
    assert await gw.file_text(INSTALLATION_ID, "acme", "shop", "nope.yml", "main") is None
    assert await gw.file_text(INSTALLATION_ID, "acme", "shop", "a", None) == "a\n"
    head = repo.branches["main"]
    assert await gw.changed_since(INSTALLATION_ID, "acme", "shop", "0" * 40, head) is None


async def test_a_long_rate_limit_is_handed_back_to_the_worker() -> None:
    fake = FakeGitHub()
    fake.repo("acme", "shop", {"a": "a\n"})
    fake.fail("GET", "/contents/", 429, headers={"retry-after": "120"}, times=5)
    with pytest.raises(GatewayError) as caught:
        await gateway(fake).file_text(INSTALLATION_ID, "acme", "shop", "a", None)
    assert caught.value.retry_after == 120
    assert fake.count("GET", "/contents/") == 1  # not slept on inline


async def test_files_over_a_megabyte_are_read_through_the_blob_api() -> None:
    fake = FakeGitHub()
    lockfile = '{"lockfileVersion": 3, "packages": {}}\n' + " " * (2 * 1024 * 1024)
    repo = fake.repo("acme", "shop", {"package-lock.json": lockfile, "small.txt": "hi\n"})
    gw = gateway(fake)
    assert await gw.file_text(INSTALLATION_ID, "acme", "shop", "package-lock.json", None) == (
        lockfile
    )
    assert fake.count("GET", "/git/blobs/") == 1
    assert await gw.file_text(INSTALLATION_ID, "acme", "shop", "small.txt", "main") == "hi\n"
    assert await gw.file_text(INSTALLATION_ID, "acme", "shop", "absent", "main") is None
    assert fake.count("GET", "/git/blobs/") == 1  # small files come inline
    assert repo.default_branch == "main"


async def test_merge_base_is_where_the_branch_left_the_base_not_the_base_tip() -> None:
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {"a.txt": "1\n"})
    fork_point = repo.branches["main"]
    head = fake.push(repo, "feature", {"b.txt": "2\n"})
    tip = fake.push(repo, "main", {"a.txt": "moved on\n"})
    found = await gateway(fake).merge_base(INSTALLATION_ID, "acme", "shop", tip, head)
    assert found == fork_point != tip


async def test_a_repository_without_a_dependency_graph_is_asked_once_an_hour() -> None:
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {"a.txt": "1\n"})
    head = fake.push(repo, "f", {"b.txt": "2\n"})
    base = repo.branches["main"]
    now = [1000.0]
    gw = gateway(fake, clock=lambda: now[0])
    assert await gw.dependency_changes(INSTALLATION_ID, "acme", "shop", base, head) is None
    assert await gw.dependency_changes(INSTALLATION_ID, "acme", "shop", base, head) is None
    assert fake.count("GET", "/dependency-graph/compare/") == 1
    now[0] += 3601
    repo.dependency_graph = []
    assert await gw.dependency_changes(INSTALLATION_ID, "acme", "shop", base, head) == []
    assert fake.count("GET", "/dependency-graph/compare/") == 2


async def test_reviews_are_read_again_with_their_etag_and_a_304_answers_the_same() -> None:
    """A 304 costs no rate limit; it is GitHub's word that the list has not moved, and a
    dismissal or a new review changes the ETag, so the next read is a full one."""
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {"a": "a\n"})
    fake.push(repo, "topic", {"a": "b\n"})
    pull = fake.open_pull(repo, "topic", author="alice")
    fake.review(repo, pull, "dana", "APPROVED")
    gw = gateway(fake)
    calls = counting_calls()
    first = await gw.reviews(INSTALLATION_ID, "acme", "shop", pull.number)
    again = await gw.reviews(INSTALLATION_ID, "acme", "shop", pull.number)
    assert again == first
    route = f"GET /repos/acme/shop/pulls/{pull.number}/reviews"
    assert {k: v for k, v in calls.items() if "reviews" in k} == {route: 1, f"{route} [304]": 1}
    assert [r.user for r in first] == ["dana"]
    statuses = [s for op, s, _ in fake.responses if op.endswith("/reviews")]
    assert statuses == [200, 304]
    pull.reviews[0]["state"] = "DISMISSED"  # GitHub keeps the review, dismissed
    fake.review(repo, pull, "sam", "APPROVED")
    after = await gw.reviews(INSTALLATION_ID, "acme", "shop", pull.number)
    assert [(r.user, r.state.value) for r in after] == [("dana", "DISMISSED"), ("sam", "APPROVED")]
    assert [s for op, s, _ in fake.responses if op.endswith("/reviews")] == [200, 304, 200]


async def test_a_pull_request_unchanged_is_answered_304_and_a_new_head_in_full() -> None:
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {"a": "a\n"})
    fake.push(repo, "topic", {"a": "b\n"})
    pull = fake.open_pull(repo, "topic", author="alice")
    gw = gateway(fake)
    first = await gw.pull(INSTALLATION_ID, "acme", "shop", pull.number)
    assert await gw.pull(INSTALLATION_ID, "acme", "shop", pull.number) == first
    fake.push(repo, "topic", {"a": "c\n"})
    moved = await gw.pull(INSTALLATION_ID, "acme", "shop", pull.number)
    assert moved.head_sha != first.head_sha
    statuses = [
        s for op, s, _ in fake.responses if op == "GET /repos/{owner}/{repo}/pulls/{pull_number}"
    ]
    assert statuses == [200, 304, 200]
