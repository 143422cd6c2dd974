"""Fail closed always: whatever goes wrong, the check the repository requires ends red
with the reason, and the worker goes on with the next job."""

from __future__ import annotations

import pytest

from app.jobs.model import Job, JobKind
from tests.e2e.helpers import CONFIG, check, migration_pull, open_and_settle, shop
from tests.harness import INSTALLATION_ID, review_event, running

pytestmark = pytest.mark.anyio

NAMED = CONFIG.replace("options:\n", "options:\n  check_name: Merge gate\n")


async def test_an_evaluation_error_fails_the_check_the_config_names(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake, NAMED)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        h.fake.review(repo, pull, "dana", "APPROVED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        assert check(h.fake, repo, pull)["conclusion"] == "success"

        h.fake.fail("GET", r"/pulls/\d+/reviews$", 500, times=100)
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        [run] = h.fake.checks_for(repo, repo.branches[pull.head_ref])
        assert run["name"] == "Merge gate"  # not a second check under the default name
        assert (run["status"], run["conclusion"]) == ("completed", "failure")
        assert run["output"]["title"].startswith("Evaluation failed: GitHub answered 500")


async def test_when_github_will_not_name_the_head_the_events_head_is_failed(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake, NAMED)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        head = h.fake.push(repo, pull.head_ref, {"db/migrate/2_more.rb": "class More\nend\n"})
        h.fake.fail("GET", r"/pulls/\d+$", 502, times=1000)
        event = h.pr_event("synchronize", repo, pull.number)
        event["pull_request"]["head"]["sha"] = head
        await h.deliver("pull_request", event)
        await h.settle()
        [run] = h.fake.checks_for(repo, head)
        assert (run["name"], run["conclusion"]) == ("Merge gate", "failure")


async def test_an_answer_githubkit_cannot_validate_fails_closed_and_the_worker_goes_on(
    db: str,
) -> None:
    async with running(db, worker_concurrency=1) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        # a 200 whose body is not a pull request: a schema drift, a proxy's page
        h.fake.fail("GET", rf"/pulls/{pull.number}$", 200, times=1000, message="odd")
        await h.deliver("pull_request", h.pr_event("opened", repo, pull.number))
        await h.settle()
        run = check(h.fake, repo, pull)
        assert run["conclusion"] == "failure"
        assert "did not have the expected shape" in run["output"]["title"]
        # the only worker loop is still alive: the next PR is evaluated
        other = h.fake.open_pull(repo, pull.head_ref, author="bob")
        await open_and_settle(h, repo, other)
        assert h.app.state.worker.running_loops == 1
        assert [o.job.number for o in h.outcomes] == [other.number]


async def test_a_merge_group_that_cannot_be_evaluated_is_red_not_left_waiting(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        sha = h.fake.push(repo, "gh-readonly-queue/main/pr-1-" + "a" * 40, {"x.txt": "x\n"})
        evaluator = h.app.state.worker.handler
        job = Job(JobKind.MERGE_GROUP, "acme", "shop", INSTALLATION_ID, sha=sha, ref="main")
        await evaluator.fail_closed(job, "GitHub answered 502 for the merge group")
        [run] = h.fake.checks_for(repo, sha)
        assert run["conclusion"] == "failure"


async def test_a_404_of_a_moment_on_the_config_is_not_taken_for_no_config(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake, NAMED)
        pull = migration_pull(h.fake, repo)
        h.fake.fail("GET", r"/contents/\.github/release-roles\.yml$", 404, times=1)
        run = await open_and_settle(h, repo, pull)
        # the defaults would have asked team "dba" too, but under the default name;
        # the repository's own rules were read on the retry
        assert run["name"] == "Merge gate"
        assert run["output"]["title"] == "Waiting for DBA (0/1)"


async def test_a_repository_without_a_config_gets_the_defaults(db: str) -> None:
    async with running(db) as h:
        repo = h.fake.repo("acme", "plain", {"README.md": "x\n", ".github/CODEOWNERS": "* @a\n"})
        h.fake.push(repo, "change", {"db/migrate/1_x.rb": "class X\nend\n"})
        pull = h.fake.open_pull(repo, "change", author="alice")
        run = await open_and_settle(h, repo, pull)
        assert run["name"] == "Release roles"
        assert "DBA" in run["output"]["title"]
        assert h.fake.count("GET", r"/git/trees/") == 2  # the root, then .github
