"""Approvals go stale exactly when what they approved changed, never later, never less."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.helpers import (
    MIGRATION,
    MIGRATION_TEXT,
    approve,
    check,
    migration_pull,
    open_and_settle,
    pushed,
    shop,
)
from tests.harness import running

pytestmark = pytest.mark.anyio


async def test_a_force_push_back_to_an_earlier_commit_stales_the_approval(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        first = repo.branches[pull.head_ref]
        await open_and_settle(h, repo, pull)
        h.fake.push(repo, pull.head_ref, {MIGRATION: MIGRATION_TEXT + "# reviewed fix\n"})
        await pushed(h, repo, pull)
        reviewed = repo.branches[pull.head_ref]
        assert (await approve(h, repo, pull, "dana"))["conclusion"] == "success"
        repo.branches[pull.head_ref] = first  # git push --force to the earlier commit
        run = await pushed(h, repo, pull)
        assert run["status"] == "in_progress"
        assert "Stale approvals" in run["output"]["summary"]
        # the reviewer is shown what changed since the commit she approved
        since = f"/pull/{pull.number}/files/{reviewed}..{first})"
        assert "@dana ([changes since](" in run["output"]["summary"]
        assert since in run["output"]["summary"]


LOCKED = """\
version: 1
roles:
  security:
    reviewers: {teams: [appsec]}
    when: [{detector: dependencies}]
"""
GEMFILE = 'source "https://rubygems.org"\ngem "rails", "~> 8.0"\n'


def gemfile_lock(rails: str) -> str:
    return (
        "GEM\n  remote: https://rubygems.org/\n  specs:\n"
        f"    rails ({rails})\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rails (~> 8.0)\n"
    )


async def test_a_push_to_the_lockfile_alone_stales_a_dependency_approval(db: str) -> None:
    async with running(db) as h:
        repo = h.fake.repo(
            "acme",
            "shop",
            {
                ".github/release-roles.yml": LOCKED,
                "Gemfile": GEMFILE.replace("8.0", "7.2"),
                "Gemfile.lock": gemfile_lock("7.2.1").replace("8.0", "7.2"),
            },
        )
        h.fake.team("acme", "appsec", {"sam"})
        repo.collaborators |= {"sam"}
        h.fake.push(repo, "rails-8", {"Gemfile": GEMFILE, "Gemfile.lock": gemfile_lock("8.0.1")})
        pull = h.fake.open_pull(repo, "rails-8", author="alice")
        run = await open_and_settle(h, repo, pull)
        assert "Gemfile:2" in run["output"]["summary"]  # the finding names the manifest
        assert (await approve(h, repo, pull, "sam"))["conclusion"] == "success"
        h.fake.push(repo, "rails-8", {"Gemfile.lock": gemfile_lock("8.0.9")})
        run = await pushed(h, repo, pull)
        assert run["status"] == "in_progress", run["output"]
        assert "@sam" in run["output"]["summary"]


PATHS = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{paths: ["db/**"]}]
"""


async def test_moving_a_file_out_of_a_watched_path_is_a_change_to_that_path(db: str) -> None:
    async with running(db) as h:
        repo = h.fake.repo(
            "acme", "shop", {".github/release-roles.yml": PATHS, "db/seed.sql": "SELECT 1;\n"}
        )
        h.fake.team("acme", "dba", {"dana"})
        h.fake.push(repo, "move", {"db/seed.sql": None, "legacy/seed.sql": "SELECT 1;\n"})
        pull = h.fake.open_pull(repo, "move", author="alice")
        run = await open_and_settle(h, repo, pull)
        assert run["output"]["title"] == "Waiting for DBA (0/1)"


QA = """\
version: 1
roles:
  qa:
    reviewers: {teams: [qa]}
    when: [{labels: [needs-qa]}]
options:
  stale_approvals: relevant
"""


async def test_a_label_triggered_approval_survives_a_merge_of_the_base_alone(db: str) -> None:
    async with running(db) as h:
        repo = h.fake.repo("acme", "shop", {".github/release-roles.yml": QA, "a.py": "a\n"})
        h.fake.team("acme", "qa", {"quinn"})
        h.fake.push(repo, "feature", {"a.py": "b\n"})
        pull = h.fake.open_pull(repo, "feature", author="alice", labels={"needs-qa"})
        await open_and_settle(h, repo, pull)
        assert (await approve(h, repo, pull, "quinn"))["conclusion"] == "success"
        main = h.fake.push(repo, "main", {"docs/new.md": "from main\n"}, author="bob")
        h.fake.push(
            repo,
            "feature",
            {"docs/new.md": "from main\n"},
            message="Merge branch 'main' into feature",
            merged=main,
            signed=True,
        )
        assert (await pushed(h, repo, pull))["conclusion"] == "success"
        h.fake.push(repo, "feature", {"a.py": "c\n"})
        assert (await pushed(h, repo, pull))["status"] == "in_progress"


async def test_retargeting_the_pr_stales_every_earlier_review(db: str) -> None:
    """A PR from a branch cut from `release`, retargeted to `main`: its diff now brings
    release's drop-column too, on the very head the DBA approved."""
    drop = (
        "class DropEmail < ActiveRecord::Migration[7.1]\n"
        "  def change\n    remove_column :users, :email\n  end\nend\n"
    )
    async with running(db) as h:
        repo = shop(h.fake)
        h.fake.push(repo, "release", {"db/migrate/1_drop_email.rb": drop})
        h.fake.push(repo, "feature", {MIGRATION: MIGRATION_TEXT}, parent=repo.branches["release"])
        pull = h.fake.open_pull(repo, "feature", author="alice", base="release")
        await open_and_settle(h, repo, pull)
        assert (await approve(h, repo, pull, "dana"))["conclusion"] == "success"

        pull.base_ref = "main"
        edited = h.pr_event("edited", repo, pull.number)
        edited["changes"] = {"base": {"ref": {"from": "release"}, "sha": {"from": "0" * 40}}}
        await h.deliver("pull_request", edited)
        await h.settle()
        run = check(h.fake, repo, pull)
        assert run["status"] == "in_progress"
        assert "db/migrate/1_drop_email.rb" in run["output"]["summary"]
        assert "@dana" in run["output"]["summary"]  # shown as stale
        await asyncio.sleep(1.1)  # GitHub stamps reviews to the second: a later one
        assert (await approve(h, repo, pull, "dana"))["conclusion"] == "success"


async def test_a_rebase_that_leaves_the_roles_files_as_they_were_keeps_the_approval(
    db: str,
) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        assert (await approve(h, repo, pull, "dana"))["conclusion"] == "success"

        main = h.fake.push(repo, "main", {"docs/guide.md": "v2\n"}, author="bob")
        del repo.branches[pull.head_ref]  # git rebase main && git push --force
        h.fake.push(repo, pull.head_ref, {MIGRATION: MIGRATION_TEXT}, parent=main)
        assert (await pushed(h, repo, pull))["conclusion"] == "success"

        del repo.branches[pull.head_ref]  # rebased again, and the migration changed
        h.fake.push(repo, pull.head_ref, {MIGRATION: MIGRATION_TEXT + "# more\n"}, parent=main)
        run = await pushed(h, repo, pull)
        assert run["status"] == "in_progress"
        assert "Stale approvals" in run["output"]["summary"]
