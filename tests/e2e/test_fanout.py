"""A verdict made under rules or teams that no longer hold is made again."""

from __future__ import annotations

import pytest

from app.jobs.model import Job, JobKind
from app.service.evaluator import Evaluator
from tests.e2e.helpers import (
    MIGRATION,
    MIGRATION_TEXT,
    check,
    migration_pull,
    open_and_settle,
    shop,
)
from tests.harness import INSTALLATION_ID, fake_gateway, payload, review_event, running

pytestmark = pytest.mark.anyio


async def test_a_member_removed_from_a_team_stops_counting_in_every_process(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        h.fake.review(repo, pull, "dana", "APPROVED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        assert check(h.fake, repo, pull)["conclusion"] == "success"

        # another worker process: its own gateway, so its own membership cache
        other = Evaluator(fake_gateway(h.fake), h.app.state.journal)
        job = Job(JobKind.PULL, "acme", "shop", INSTALLATION_ID, number=pull.number)
        [seen] = await other.run(job)
        assert seen.conclusion == "success"  # it now has dana cached as a DBA member

        h.fake.team("acme", "dba", {"alice"})  # dana leaves the team
        membership = payload("membership.added")
        membership["organization"]["login"] = "acme"
        assert (await h.deliver("membership", membership)).status_code == 202
        await h.settle()
        assert check(h.fake, repo, pull)["status"] == "in_progress"  # re-evaluated here

        [again] = await other.run(job)  # and the other process does not trust its cache
        assert again.conclusion == "in_progress"


BASE = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations}]
"""


async def test_a_push_to_an_extended_config_reevaluates_the_prs_built_on_it(db: str) -> None:
    async with running(db) as h:
        org = h.fake.repo("acme", ".github", {".github/release-roles.yml": BASE})
        repo = h.fake.repo(
            "acme", "shop", {".github/release-roles.yml": "version: 1\nextends: acme/.github\n"}
        )
        h.fake.team("acme", "dba", {"dana"})
        h.fake.push(repo, "add-sku", {MIGRATION: MIGRATION_TEXT})
        pull = h.fake.open_pull(repo, "add-sku", author="alice")
        run = await open_and_settle(h, repo, pull)
        assert run["output"]["title"] == "Waiting for DBA (0/1)"

        relaxed = BASE.replace("[{detector: migrations}]", "[{labels: [never]}]")
        h.fake.push(org, "main", {".github/release-roles.yml": relaxed})
        body = payload("push")
        body["ref"] = "refs/heads/main"
        body["repository"] |= {"name": ".github", "id": org.id, "default_branch": "main"}
        body["repository"]["owner"]["login"] = "acme"
        body["commits"] = [{"added": [], "removed": [], "modified": [".github/release-roles.yml"]}]
        assert (await h.deliver("push", body)).status_code == 202
        await h.settle()
        assert check(h.fake, repo, pull)["output"]["title"] == "No release role needed"
