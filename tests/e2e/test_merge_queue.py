"""Merge queues: a group is checked, never trusted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import (
    MIGRATION,
    MIGRATION_TEXT,
    approve,
    migration_pull,
    open_and_settle,
    shop,
)
from tests.fakes.github import Pull, Repo
from tests.harness import Harness, payload, running

pytestmark = pytest.mark.anyio
DROP = (
    "class DropEmail < ActiveRecord::Migration[7.1]\n"
    "  def change\n    remove_column :users, :email\n  end\nend\n"
)


def enqueue(h: Harness, repo: Repo, pulls: list[Pull], extra: dict[str, str] | None = None) -> str:
    """Build the group branch GitHub would (squash commits on the base), deliver
    merge_group.checks_requested for it, and return its head sha."""
    base = repo.branches["main"]
    branch = f"gh-readonly-queue/main/pr-{pulls[-1].number}-{base}"
    head = base
    for pull in pulls:
        tip = repo.commits[repo.branches[pull.head_ref]]
        changed = {p: c for p, c in tip.items() if repo.commits[base].get(p) != c}
        head = h.fake.push(
            repo, branch, changed, message=f"{pull.title} (#{pull.number})", parent=base
        )
    if extra:
        head = h.fake.push(repo, branch, extra, message="Smuggled in", parent=base)
    return head


async def deliver_group(h: Harness, repo: Repo, head: str, pull: Pull) -> dict[str, Any]:
    body = payload("merge_group.checks_requested")
    body["repository"] |= {"name": repo.name, "id": repo.id}
    body["repository"]["owner"]["login"] = repo.owner
    base = repo.branches["main"]
    body["merge_group"] |= {
        "head_sha": head,
        "head_ref": f"refs/heads/gh-readonly-queue/main/pr-{pull.number}-{base}",
        "base_sha": base,
        "base_ref": "refs/heads/main",
    }
    response = await h.deliver("merge_group", body)
    assert response.status_code == 202, response.text
    await h.settle()
    [run] = h.fake.checks_for(repo, head)
    return run


async def test_a_group_of_approved_pull_requests_passes(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        await approve(h, repo, pull)
        run = await deliver_group(h, repo, enqueue(h, repo, [pull]), pull)
        assert (run["name"], run["conclusion"]) == ("Release roles", "success")
        assert run["output"]["title"] == "Every pull request in this merge group passes now: #1"


async def test_an_unapproved_drop_column_holds_the_group(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        h.fake.push(repo, "drop-email", {"db/migrate/2_drop_email.rb": DROP})
        pull = h.fake.open_pull(repo, "drop-email", author="alice", title="Drop email")
        await open_and_settle(h, repo, pull)
        run = await deliver_group(h, repo, enqueue(h, repo, [pull]), pull)
        assert run["conclusion"] == "failure"
        assert run["output"]["title"] == "Held by #1: Waiting for DBA (0/1)"


async def test_an_approval_dismissed_while_queued_turns_the_group_red(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        await approve(h, repo, pull)
        head = enqueue(h, repo, [pull])
        h.fake.review(repo, pull, "dana", "DISMISSED")  # no event reaches us: the queue does
        run = await deliver_group(h, repo, head, pull)
        assert run["conclusion"] == "failure"
        assert "#1: Waiting for DBA" in run["output"]["summary"]


async def test_every_pull_request_ahead_in_the_queue_is_checked_too(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        first = migration_pull(h.fake, repo)  # approved below
        h.fake.push(repo, "drop-email", {"db/migrate/2_drop_email.rb": DROP})
        second = h.fake.open_pull(repo, "drop-email", author="bob", title="Drop email")
        for pull in (first, second):
            await open_and_settle(h, repo, pull)
        await approve(h, repo, first)
        head = enqueue(h, repo, [second, first])  # the group is named after the last: #1
        run = await deliver_group(h, repo, head, first)
        assert run["output"]["title"] == "Held by #2: Waiting for DBA (0/1)"


async def test_a_change_no_pull_request_brought_keeps_the_group_red(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        await approve(h, repo, pull)
        head = enqueue(h, repo, [pull], extra={"db/migrate/9_sneak.rb": DROP})
        run = await deliver_group(h, repo, head, pull)
        assert run["conclusion"] == "failure"
        assert "`db/migrate/9_sneak.rb`" in run["output"]["summary"]
        assert MIGRATION not in run["output"]["summary"]


async def test_a_group_that_cannot_be_read_is_red_not_left_waiting(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        await approve(h, repo, pull)
        head = enqueue(h, repo, [pull])
        h.fake.fail("GET", r"/compare/", 404, times=1000, message="Not Found")
        run = await deliver_group(h, repo, head, pull)
        assert run["conclusion"] == "failure"
        assert "could not be read" in run["output"]["summary"]


async def test_an_invalid_config_on_the_base_fails_the_group(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake, config="version: 1\nroles: {dba: {when: nope}}\n")
        h.fake.push(repo, "add-sku", {MIGRATION: MIGRATION_TEXT})
        pull = h.fake.open_pull(repo, "add-sku", author="alice")
        run = await deliver_group(h, repo, enqueue(h, repo, [pull]), pull)
        assert run["conclusion"] == "failure"
        assert run["output"]["title"].startswith("Invalid config")
