"""Waivers are never self-service: who may waive is configured, and the check says
who waived what and why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import check, comment_event, migration_pull, open_and_settle, shop
from tests.fakes.github import Pull, Repo
from tests.harness import Harness, review_event, running

pytestmark = pytest.mark.anyio

WAIVABLE = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations}]
    unless: [{labels: [emergency]}]
"""
GOVERNED = (
    WAIVABLE
    + """\
overrides:
  by: {teams: [release-managers]}
"""
)


def setup(h: Harness, config: str) -> tuple[Repo, Pull]:
    repo = shop(h.fake, config)
    h.fake.team("acme", "release-managers", {"rita"})
    repo.collaborators |= {"rita", "bob"}
    return repo, migration_pull(h.fake, repo)  # alice's PR


async def comment(h: Harness, repo: Repo, pull: Pull, by: str, text: str) -> dict[str, Any]:
    response = await h.deliver("issue_comment", comment_event(repo, pull, text, by))
    assert response.status_code == 202, response.text
    await h.settle()
    return check(h.fake, repo, pull)


async def relabel(h: Harness, repo: Repo, pull: Pull) -> dict[str, Any]:
    await h.deliver("pull_request", h.pr_event("labeled", repo, pull.number))
    await h.settle()
    return check(h.fake, repo, pull)


async def test_the_author_cannot_waive_with_a_label(db: str) -> None:
    async with running(db) as h:
        repo, pull = setup(h, GOVERNED)
        await open_and_settle(h, repo, pull)
        h.fake.label(pull, "emergency", by="alice")
        run = await relabel(h, repo, pull)
        assert run["output"]["title"] == "Waiting for DBA (0/1)"
        assert (
            "label 'emergency' was set by @alice, who may not waive DBA"
            in (run["output"]["summary"])
        )


async def test_a_label_set_by_someone_allowed_waives(db: str) -> None:
    async with running(db) as h:
        repo, pull = setup(h, GOVERNED)
        await open_and_settle(h, repo, pull)
        h.fake.label(pull, "emergency", by="rita")
        run = await relabel(h, repo, pull)
        assert (run["conclusion"], run["output"]["title"]) == ("success", "No release role needed")
        assert "waived" in run["output"]["summary"]


async def test_without_overrides_only_someone_else_can_set_the_waiver_label(db: str) -> None:
    async with running(db) as h:
        repo, pull = setup(h, WAIVABLE)
        await open_and_settle(h, repo, pull)
        h.fake.label(pull, "emergency", by="alice")
        assert (await relabel(h, repo, pull))["status"] == "in_progress"
        h.fake.label(pull, "emergency", by="bob")  # bob set it again, last
        assert (await relabel(h, repo, pull))["conclusion"] == "success"


async def test_an_allowed_override_by_comment_is_shown_with_who_when_and_why(db: str) -> None:
    async with running(db) as h:
        repo, pull = setup(h, GOVERNED)
        await open_and_settle(h, repo, pull)
        run = await comment(
            h, repo, pull, "rita", '/release-roles override dba --reason "Outage fix, DBA paged"'
        )
        assert run["conclusion"] == "success"
        assert (
            run["output"]["title"] == "Approved by every required role: DBA (overridden by @rita)"
        )
        assert "Overridden by @rita at " in run["output"]["summary"]
        assert "Outage fix, DBA paged" in run["output"]["summary"]

        run = await comment(h, repo, pull, "bob", "/release-roles override --revoke dba")
        assert run["output"]["title"] == "Waiting for DBA (0/1)"


@pytest.mark.parametrize(
    ("by", "text", "why"),
    [
        ("alice", '/release-roles override dba --reason "mine"', "may not override roles"),
        ("bob", '/release-roles override dba --reason "x"', "may not override roles"),
        ("rita", "/release-roles override dba", "a reason is required"),
        ("rita", '/release-roles override dbx --reason "x"', "there is no role 'dbx'"),
    ],
)
async def test_overrides_that_do_not_count_say_why(db: str, by: str, text: str, why: str) -> None:
    async with running(db) as h:
        repo, pull = setup(h, GOVERNED)
        await open_and_settle(h, repo, pull)
        run = await comment(h, repo, pull, by, text)
        assert run["status"] == "in_progress"
        assert why in run["output"]["summary"]


async def test_without_an_overrides_block_no_comment_override_counts(db: str) -> None:
    async with running(db) as h:
        repo, pull = setup(h, WAIVABLE)
        await open_and_settle(h, repo, pull)
        run = await comment(h, repo, pull, "rita", '/release-roles override dba --reason "x"')
        assert run["status"] == "in_progress"
        assert "names nobody who may override" in run["output"]["summary"]


async def test_an_override_does_not_answer_changes_requested(db: str) -> None:
    async with running(db) as h:
        repo, pull = setup(h, GOVERNED)
        await open_and_settle(h, repo, pull)
        h.fake.review(repo, pull, "dana", "CHANGES_REQUESTED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        run = await comment(h, repo, pull, "rita", '/release-roles override dba --reason "x"')
        assert run["conclusion"] == "failure"
