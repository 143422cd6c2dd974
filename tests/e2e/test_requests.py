"""Review requests that never nag: each team is asked once in a PR's life."""

from __future__ import annotations

import asyncio
import collections

import pytest

from tests.e2e.helpers import MIGRATION, MIGRATION_TEXT, check, shop
from tests.harness import review_event, running

pytestmark = pytest.mark.anyio


async def test_over_a_prs_life_each_team_is_asked_once(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        h.fake.push(repo, "feature", {MIGRATION: MIGRATION_TEXT, "app/auth/token.py": "jwt = 1\n"})
        pull = h.fake.open_pull(repo, "feature", author="alice")

        async def event(kind: str, body: dict) -> None:
            assert (await h.deliver(kind, body)).status_code == 202
            await h.settle()

        await event("pull_request", h.pr_event("opened", repo, pull.number))
        for push in range(10):
            h.fake.push(repo, "feature", {"docs/guide.md": f"v{push}\n"})
            await event("pull_request", h.pr_event("synchronize", repo, pull.number))
            if push in (2, 4, 6, 8):  # four reviews along the way
                user, state = {
                    2: ("dana", "COMMENTED"),
                    4: ("sam", "CHANGES_REQUESTED"),
                    6: ("sam", "APPROVED"),
                    8: ("dana", "APPROVED"),
                }[push]
                h.fake.review(repo, pull, user, state)
                await event("pull_request_review", review_event(repo, pull.number))
            if push in (3, 7):  # two label changes
                h.fake.label(pull, f"label-{push}", by="bob")
                await event("pull_request", h.pr_event("labeled", repo, pull.number))
        asked = collections.Counter(
            team for body in h.fake.review_requests for team in body.get("team_reviewers", [])
        )
        assert asked == {"dba": 1, "appsec": 1}
        assert check(h.fake, repo, pull)["conclusion"] == "success"


async def test_a_graver_finding_asks_the_team_again_with_the_reason(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        h.fake.push(repo, "feature", {MIGRATION: MIGRATION_TEXT})  # medium: a new migration
        pull = h.fake.open_pull(repo, "feature", author="alice")
        await h.deliver("pull_request", h.pr_event("opened", repo, pull.number))
        await h.settle()
        h.fake.review(repo, pull, "dana", "COMMENTED")  # GitHub drops the team's request
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        drop = MIGRATION_TEXT.replace(
            "  def change\n", "  def change\n    remove_column :users, :email\n"
        )
        h.fake.push(repo, "feature", {MIGRATION: drop})
        await h.deliver("pull_request", h.pr_event("synchronize", repo, pull.number))
        await h.settle()
        asked = [body["team_reviewers"] for body in h.fake.review_requests]
        assert asked == [["dba"], ["dba"]]
        summary = check(h.fake, repo, pull)["output"]["summary"]
        assert "team dba asked again for DBA: a critical finding came up" in summary


QA = """\
version: 1
roles:
  qa:
    reviewers: {teams: [qa]}
    when: [{paths: ["**"]}]
    request_when: {labels: [ready-for-qa]}
  perf:
    reviewers: {teams: [perf]}
    when: [{paths: ["**"]}]
    request_when: {stable_for: 2s}
"""


async def test_qa_is_asked_when_the_label_says_the_build_is_ready(db: str) -> None:
    async with running(db) as h:
        repo = h.fake.repo("acme", "shop", {".github/release-roles.yml": QA, "a.py": "a\n"})
        h.fake.team("acme", "qa", {"quinn"})
        h.fake.team("acme", "perf", {"pete"})
        h.fake.push(repo, "feature", {"a.py": "b\n"})
        pull = h.fake.open_pull(repo, "feature", author="alice")
        await h.deliver("pull_request", h.pr_event("opened", repo, pull.number))
        await h.settle()
        assert h.fake.review_requests == []
        summary = check(h.fake, repo, pull)["output"]["summary"]
        assert "QA will be asked once the label 'ready-for-qa' is set" in summary
        assert "Perf will be asked when the code has been stable for 2s" in summary

        h.fake.label(pull, "ready-for-qa", by="alice")
        await h.deliver("pull_request", h.pr_event("labeled", repo, pull.number))
        await h.settle()
        assert [r["team_reviewers"] for r in h.fake.review_requests] == [["qa"]]

        # no event comes: the re-check scheduled for when the code is stable asks perf
        await asyncio.sleep(3.5)
        await h.settle()
        assert [r["team_reviewers"] for r in h.fake.review_requests] == [["qa"], ["perf"]]
