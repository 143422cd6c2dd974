"""Four eyes: whoever wrote the change cannot approve it for a role."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import (
    CONFIG,
    MIGRATION,
    approve,
    migration_pull,
    open_and_settle,
    shop,
)
from tests.harness import running

pytestmark = pytest.mark.anyio


async def test_a_member_who_pushed_to_the_pr_cannot_approve_it(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)  # alice's PR
        h.fake.push(repo, pull.head_ref, {MIGRATION: "# dana's fix\n"}, author="dana")
        await open_and_settle(h, repo, pull)
        run = await approve(h, repo, pull, "dana")
        assert run["output"]["title"] == "Waiting for DBA (0/1)"
        assert (
            "@dana pushed to this pull request; their approval does not count."
            in (run["output"]["summary"])
        )
        h.fake.team("acme", "dba", {"dana", "alice", "erin"})
        repo.collaborators.add("erin")
        h.app.state.gateway.forget_teams("acme")
        run = await approve(h, repo, pull, "erin")
        assert run["conclusion"] == "success"


async def test_a_committer_counts_as_a_contributor_too(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        h.fake.push(repo, pull.head_ref, {"README.md": "x\n"}, author="alice", committer="dana")
        await open_and_settle(h, repo, pull)
        assert (await approve(h, repo, pull, "dana"))["status"] == "in_progress"


async def test_githubs_update_branch_merge_and_bots_are_not_contributors(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        h.fake.push(repo, pull.head_ref, {"a.txt": "a\n"}, author="renovate[bot]")
        main = h.fake.push(repo, "main", {"docs/guide.md": "v2\n"}, author="bob")
        h.fake.push(
            repo,
            pull.head_ref,
            {"docs/guide.md": "v2\n"},
            message="Merge branch 'main' into add-sku",
            author="dana",  # she pressed "Update branch"
            committer="web-flow",
            merged=main,
            signed=True,
        )
        await open_and_settle(h, repo, pull)
        assert (await approve(h, repo, pull, "dana"))["conclusion"] == "success"


async def test_an_unsigned_merge_claiming_to_be_githubs_is_a_contribution(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        main = h.fake.push(repo, "main", {"docs/guide.md": "v2\n"}, author="bob")
        h.fake.push(
            repo,
            pull.head_ref,
            {"db/migrate/3_evil.rb": "drop_table :users\n"},
            author="dana",
            committer="web-flow",
            merged=main,
            signed=False,  # git lets anyone write web-flow's address; only GitHub signs
        )
        await open_and_settle(h, repo, pull)
        assert (await approve(h, repo, pull, "dana"))["status"] == "in_progress"


async def test_allow_contributors_counts_them(db: str) -> None:
    config = CONFIG.replace("options:\n", "options:\n  allow_contributors: true\n")
    async with running(db) as h:
        repo = shop(h.fake, config)
        pull = migration_pull(h.fake, repo)
        h.fake.push(repo, pull.head_ref, {"README.md": "x\n"}, author="dana", committer="bob")
        await open_and_settle(h, repo, pull)
        assert (await approve(h, repo, pull, "dana"))["conclusion"] == "success"


async def test_the_last_pushers_approval_never_counts_when_required(db: str) -> None:
    config = CONFIG.replace(
        "options:\n",
        "options:\n  allow_contributors: true\n  require_last_push_approval: true\n",
    )
    async with running(db) as h:
        repo = shop(h.fake, config)
        pull = migration_pull(h.fake, repo)
        h.fake.push(repo, pull.head_ref, {"README.md": "x\n"}, author="bob", committer="dana")
        await open_and_settle(h, repo, pull)
        run = await approve(h, repo, pull, "dana")
        assert run["status"] == "in_progress"
        assert "@dana pushed to this pull request" in run["output"]["summary"]
