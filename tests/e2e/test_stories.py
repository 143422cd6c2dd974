"""End-to-end: signed webhooks -> the real app -> githubkit -> the fake GitHub."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.jobs.model import Outcome
from app.main import run_worker
from tests.e2e.helpers import (
    CONFIG,
    MIGRATION,
    MIGRATION_TEXT,
    check,
    comment_event,
    migration_pull,
    open_and_settle,
    shop,
)
from tests.fakes.github import FakeGitHub
from tests.harness import fake_gateway, payload, review_event, running, settings, sign

pytestmark = pytest.mark.anyio


async def test_migration_pr_requests_dba_and_waits_then_approval_turns_it_green(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        run = await open_and_settle(h, repo, pull)
        assert run["status"] == "in_progress"
        assert run["conclusion"] is None
        assert run["output"]["title"] == "Waiting for DBA (0/1)"
        assert MIGRATION in run["output"]["summary"]
        assert "migration.added" in run["output"]["summary"]
        assert pull.requested_teams == {"dba"}

        h.fake.review(repo, pull, "dana", "APPROVED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        run = check(h.fake, repo, pull)
        assert (run["status"], run["conclusion"]) == ("completed", "success")
        assert "approved by @dana" in run["output"]["summary"]


async def test_relevant_staleness_follows_the_files_that_triggered_the_role(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        h.fake.review(repo, pull, "dana", "APPROVED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()

        h.fake.push(repo, "add-sku", {"docs/guide.md": "v2\n"})  # unrelated file
        await h.deliver("pull_request", h.pr_event("synchronize", repo, pull.number))
        await h.settle()
        run = check(h.fake, repo, pull)
        assert run["conclusion"] == "success", run["output"]

        h.fake.push(repo, "add-sku", {MIGRATION: MIGRATION_TEXT + "# changed\n"})
        await h.deliver("pull_request", h.pr_event("synchronize", repo, pull.number))
        await h.settle()
        run = check(h.fake, repo, pull)
        assert run["status"] == "in_progress"
        assert "Stale approvals" in run["output"]["summary"]
        assert "@dana" in run["output"]["summary"]


async def test_authors_and_non_members_approvals_do_not_count(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)  # alice is the author and in the dba team
        await open_and_settle(h, repo, pull)
        h.fake.review(repo, pull, "alice", "APPROVED")
        h.fake.review(repo, pull, "mallory", "APPROVED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        run = check(h.fake, repo, pull)
        assert run["status"] == "in_progress"
        assert run["output"]["title"] == "Waiting for DBA (0/1)"
        # and the check says why neither counted
        summary = run["output"]["summary"]
        assert "@alice's approval does not count: they opened this pull request" in summary
        assert "@mallory's approval counts for no role: not a member of DBA" in summary


async def test_changes_requested_is_red(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        h.fake.review(repo, pull, "dana", "CHANGES_REQUESTED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        run = check(h.fake, repo, pull)
        assert (run["status"], run["conclusion"]) == ("completed", "failure")
        assert run["output"]["title"] == "Changes requested by DBA"


async def test_invalid_config_on_base_is_red_with_the_error(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake, CONFIG + "  frobnicate: true\n")
        pull = migration_pull(h.fake, repo)
        run = await open_and_settle(h, repo, pull)
        assert (run["status"], run["conclusion"]) == ("completed", "failure")
        assert "unknown key 'frobnicate' in options" in run["output"]["summary"]
        assert "@" in run["output"]["summary"]
        assert ":11:3: unknown key" in run["output"]["summary"]  # line and column


async def test_invalid_config_in_the_pull_request_is_red(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        h.fake.push(repo, "tweak", {".github/release-roles.yml": "version: 1\nroles: [dba]\n"})
        pull = h.fake.open_pull(repo, "tweak", author="alice")
        run = await open_and_settle(h, repo, pull)
        assert run["conclusion"] == "failure"
        assert "in this pull request" in run["output"]["summary"]
        assert "(this pull request):2:8:" in run["output"]["summary"]


async def test_duplicate_delivery_is_evaluated_once(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        body = h.pr_event("opened", repo, pull.number)
        first = await h.deliver("pull_request", body, delivery="same-id")
        second = await h.deliver("pull_request", body, delivery="same-id")
        assert (first.status_code, second.status_code) == (202, 200)
        assert second.json() == {"duplicate": True}
        await h.settle()
        assert len(h.outcomes) == 1
        assert h.fake.count("GET", r"/pulls/\d+$") == 1


async def test_server_error_then_success_turns_green_after_retry(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        h.fake.review(repo, pull, "dana", "APPROVED")
        h.fake.fail("GET", r"/pulls/\d+/files$", 502, message="Server Error")
        run = await open_and_settle(h, repo, pull)
        assert run["conclusion"] == "success"
        assert h.fake.count("GET", r"/pulls/\d+/files$") == 2


async def test_rate_limit_waits_for_retry_after_and_loses_nothing(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        h.fake.fail(
            "GET",
            r"/pulls/\d+$",
            403,
            headers={"retry-after": "1"},
            message="You have exceeded a secondary rate limit.",
        )
        import time

        started = time.monotonic()
        run = await open_and_settle(h, repo, pull)
        assert time.monotonic() - started >= 1.0
        assert run["output"]["title"] == "Waiting for DBA (0/1)"


async def test_persistent_failure_fails_closed_with_the_reason(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        h.fake.fail("GET", r"/pulls/\d+/reviews$", 500, times=100)
        run = await open_and_settle(h, repo, pull)
        assert (run["status"], run["conclusion"]) == ("completed", "failure")
        assert run["output"]["title"].startswith("Evaluation failed: GitHub answered 500")


async def test_removed_reviewer_is_not_requested_again(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        pull.requested_teams.clear()  # a human removed the dba team
        removed = h.pr_event("review_request_removed", repo, pull.number)
        removed["requested_team"] = {"slug": "dba", "name": "DBA", "id": 1}
        removed.pop("requested_reviewer", None)
        assert (await h.deliver("pull_request", removed)).status_code == 202
        await h.deliver("pull_request", h.pr_event("labeled", repo, pull.number))
        await h.settle()
        assert pull.requested_teams == set()
        assert h.fake.count("POST", "/requested_reviewers") == 1


async def test_a_refused_review_request_is_a_line_in_the_check(db: str) -> None:
    """GitHub refuses a whole request for one login it will not take: the team is
    asked after all, the login is named, and it is not tried again on every push."""
    config = CONFIG.replace("teams: [dba]", "teams: [dba], users: [outsider]")
    async with running(db) as h:
        repo = shop(h.fake, config)
        pull = migration_pull(h.fake, repo)
        run = await open_and_settle(h, repo, pull)
        assert run["status"] == "in_progress"
        assert "GitHub refused to request @outsider" in run["output"]["summary"]
        assert pull.requested_teams == {"dba"}
        before = h.fake.count("POST", "/requested_reviewers$")
        h.fake.push(repo, pull.head_ref, {"docs/guide.md": "v2\n"})
        await h.deliver("pull_request", h.pr_event("synchronize", repo, pull.number))
        await h.settle()
        assert h.fake.count("POST", "/requested_reviewers$") == before


async def test_unchanged_result_is_not_posted_again(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        await h.deliver("pull_request", h.pr_event("labeled", repo, pull.number))
        await h.settle()
        assert h.fake.count("POST", "/check-runs$") == 1
        assert h.fake.count("PATCH", "/check-runs/") == 0


async def test_config_push_reevaluates_open_pull_requests(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        new = CONFIG.replace("when: [{detector: migrations}]", "when: [{labels: [never]}]")
        h.fake.push(repo, "main", {".github/release-roles.yml": new})
        body = payload("push")
        body["ref"] = "refs/heads/main"
        body["repository"] |= {"name": "shop", "id": repo.id}
        body["repository"]["owner"]["login"] = "acme"
        body["commits"] = [{"added": [], "removed": [], "modified": [".github/release-roles.yml"]}]
        assert (await h.deliver("push", body)).status_code == 202
        await h.settle()
        run = check(h.fake, repo, pull)
        assert run["conclusion"] == "success"


async def test_recheck_comment_reevaluates(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        body = comment_event(repo, pull, "/release-roles recheck")
        assert (await h.deliver("issue_comment", body)).status_code == 202
        await h.settle()
        assert check(h.fake, repo, pull)["output"]["title"] == "Waiting for DBA (0/1)"


async def test_postgres_journal_runs_the_same_story(postgres_url: str) -> None:
    async with running(postgres_url) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        run = await open_and_settle(h, repo, pull)
        assert run["output"]["title"] == "Waiting for DBA (0/1)"


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
async def test_web_and_worker_in_separate_processes_share_the_journal(
    database: str, db: str, request: pytest.FixtureRequest
) -> None:
    """WORKER_IN_PROCESS=false: the web only records; `release-roles worker` evaluates."""
    url = db if database == "sqlite" else request.getfixturevalue("postgres_url")
    fake = FakeGitHub()
    async with running(url, fake, worker_in_process=False) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        response = await h.deliver("pull_request", h.pr_event("opened", repo, pull.number))
        assert response.status_code == 202
        assert await h.app.state.journal.pending() == 1
        assert h.fake.checks_for(repo, repo.branches[pull.head_ref]) == []  # web did not evaluate

        stop = asyncio.Event()
        outcomes: list[Outcome] = []
        worker = asyncio.create_task(
            run_worker(settings(url), stop, gateway=fake_gateway(fake), listeners=[outcomes.append])
        )
        await h.settle()
        stop.set()
        await worker
        assert [o.title for o in outcomes] == ["Waiting for DBA (0/1)"]
        assert h.outcomes == []  # the web process's own worker never ran
        assert check(h.fake, repo, pull)["status"] == "in_progress"
        assert pull.requested_teams == {"dba"}


KNEX = "db/migrations/20261101_add_sku.js"
KNEX_TEXT = """\
exports.up = function (knex) {
  return knex.schema.alterTable("orders", (table) => {
    table.string("sku");
  });
};
"""


async def test_a_migration_only_its_whole_text_reveals_is_found(db: str) -> None:
    """`db/migrations/*.js` is a Knex migration only if the file says so; the edit
    touches a line that does not, so the App must read the whole file."""
    fake = FakeGitHub()
    repo = shop(fake)
    fake.push(repo, "main", {KNEX: KNEX_TEXT})
    fake.push(repo, "longer-sku", {KNEX: KNEX_TEXT.replace('"sku"', '"sku", 64')})
    pull = fake.open_pull(repo, "longer-sku", author="alice")
    fake.push(repo, "main", {"docs/guide.md": "v2\n"})  # the base moves on after the fork
    async with running(db, fake) as h:
        run = await open_and_settle(h, repo, pull)
    assert "migration.edited" in run["output"]["summary"]
    assert pull.requested_teams == {"dba"}
    assert fake.count("GET", "/compare/") == 1  # the merge base, read once
    # the base text; the head is the base with the patch applied (its blob SHA checks it)
    assert fake.count("GET", f"/contents/{KNEX}") == 1


async def test_whole_files_beyond_the_limit_are_named_in_the_check(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.service.contents.MAX_CONTENT_FILES", 1)
    fake = FakeGitHub()
    repo = shop(fake)
    others = {f"db/migrations/2026110{i}_x.js": KNEX_TEXT for i in range(2, 5)}
    fake.push(repo, "many", {KNEX: KNEX_TEXT, **others})
    pull = fake.open_pull(repo, "many", author="alice")
    async with running(db, fake) as h:
        run = await open_and_settle(h, repo, pull)
    summary = run["output"]["summary"]
    assert "3 files were judged by their diff alone" in summary
    assert "`db/migrations/20261102_x.js`" in summary


def lockfile(helmet: str) -> str:
    return json.dumps(
        {
            "lockfileVersion": 3,
            "packages": {
                "": {"dependencies": {"helmet": helmet}},
                "node_modules/helmet": {"version": helmet},
            },
        }
    )


LOCK_BASE, LOCK_HEAD = lockfile("4.6.0"), lockfile("5.0.0")
DEPS_CONFIG = CONFIG.replace(
    "options:",
    "  supply-chain:\n"
    "    reviewers: {teams: [appsec]}\n"
    "    when: [{detector: dependencies, changes: [added, major]}]\n"
    "options:",
)


async def test_dependencies_come_from_githubs_graph_when_it_has_one(db: str) -> None:
    fake = FakeGitHub()
    repo = shop(fake, DEPS_CONFIG)
    fake.push(repo, "main", {"package-lock.json": LOCK_BASE})
    manifest = '{"dependencies": {"helmet": "^5.0.0"}}'
    fake.push(repo, "bump", {"package-lock.json": LOCK_HEAD, "package.json": manifest})
    pull = fake.open_pull(repo, "bump", author="alice")
    repo.dependency_graph = [
        {
            "change_type": "removed",
            "manifest": "package-lock.json",
            "ecosystem": "npm",
            "name": "helmet",
            "version": "4.6.0",
            "package_url": "pkg:npm/helmet@4.6.0",
            "vulnerabilities": [],
        },
        {
            "change_type": "added",
            "manifest": "package-lock.json",
            "ecosystem": "npm",
            "name": "helmet",
            "version": "5.0.0",
            "package_url": "pkg:npm/helmet@5.0.0",
            "vulnerabilities": [
                {
                    "severity": "high",
                    "advisory_ghsa_id": "GHSA-xxxx-yyyy-zzzz",
                    "advisory_summary": "x",
                    "advisory_url": "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz",
                }
            ],
        },
    ]
    async with running(db, fake) as h:
        run = await open_and_settle(h, repo, pull)
    summary = run["output"]["summary"]
    assert "dependency.major" in summary
    assert "GHSA-xxxx-yyyy-zzzz" in summary
    assert run["output"]["title"] == "Waiting for Supply Chain (0/1)"
    assert fake.count("GET", "/dependency-graph/compare/") == 1
    assert fake.count("GET", "/contents/package-lock.json") == 0  # the graph compared it
    assert summary.count("helmet") == 1  # not again from package.json beside the lockfile


async def test_without_a_dependency_graph_the_lockfiles_are_compared_here(db: str) -> None:
    fake = FakeGitHub()
    repo = shop(fake, DEPS_CONFIG)
    fake.push(repo, "main", {"package-lock.json": LOCK_BASE})
    fake.push(repo, "bump", {"package-lock.json": LOCK_HEAD})
    pull = fake.open_pull(repo, "bump", author="alice")
    async with running(db, fake) as h:
        run = await open_and_settle(h, repo, pull)
    assert "dependency.major" in run["output"]["summary"]
    assert fake.count("GET", "/dependency-graph/compare/") == 1  # asked, refused (403)
    assert fake.count("GET", "/contents/package-lock.json") == 1  # the base; the head: + patch


async def test_metrics_count_deliveries_evaluations_and_calls(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        raw = b"{not json"
        await h.client.post(
            "/webhooks",
            content=raw,
            headers={
                "X-GitHub-Event": "push",
                "X-GitHub-Delivery": "bad-1",
                "X-Hub-Signature-256": sign(raw),
            },
        )
        text = (await h.client.get("/metrics")).text
    assert (
        'release_roles_webhook_deliveries_total{event="pull_request",outcome="accepted"} 1.0'
        in text
    )
    assert 'release_roles_webhook_deliveries_total{event="push",outcome="rejected"} 1.0' in text
    assert 'release_roles_evaluations_total{conclusion="in_progress",kind="pull"} 1.0' in text
    assert "release_roles_github_calls_per_evaluation_count 1.0" in text
    assert "release_roles_jobs_pending 0.0" in text
