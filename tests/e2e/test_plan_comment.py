"""The release plan as one comment: created once, edited in place, mentioning nobody."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import (
    CONFIG,
    MIGRATION,
    MIGRATION_TEXT,
    migration_pull,
    open_and_settle,
    shop,
)
from tests.harness import review_event, running

pytestmark = pytest.mark.anyio


async def test_one_comment_edited_in_place_over_the_prs_life(db: str) -> None:
    config = CONFIG.replace("teams: [dba]}", "teams: [dba], users: [octocat]}")
    async with running(db) as h:
        repo = shop(h.fake, config)
        repo.collaborators.add("octocat")
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        [body] = h.fake.comments_on(repo, pull)
        assert body.startswith("<!-- release-roles: release plan -->\n### Release plan")
        assert "Waiting for" in body or "must review" in body
        assert "/release-roles recheck" in body
        assert "`@octocat`" in body  # shown as code: a comment must not ping anyone
        assert " @octocat" not in body.replace("`@octocat`", "")

        for n in range(3):  # pushes that change nothing of the plan: no edit
            h.fake.push(repo, pull.head_ref, {"docs/guide.md": f"v{n}\n"})
            await h.deliver("pull_request", h.pr_event("synchronize", repo, pull.number))
            await h.settle()
        [comment] = h.fake.comments.values()
        assert comment.get("edits", 0) == 0

        h.fake.review(repo, pull, "dana", "APPROVED")
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        [comment] = h.fake.comments.values()  # still one
        assert comment["edits"] == 1
        assert "approved by `@dana`" in comment["body"]


async def test_no_comment_when_no_role_is_required(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        h.fake.push(repo, "docs", {"docs/guide.md": "v2\n"})
        pull = h.fake.open_pull(repo, "docs", author="alice")
        await open_and_settle(h, repo, pull)
        assert h.fake.comments_on(repo, pull) == []


async def test_summary_comment_false_posts_none(db: str) -> None:
    config = CONFIG.replace("options:\n", "options:\n  summary_comment: false\n")
    async with running(db) as h:
        repo = shop(h.fake, config)
        h.fake.push(repo, "add-sku", {MIGRATION: MIGRATION_TEXT})
        pull = h.fake.open_pull(repo, "add-sku", author="alice")
        await open_and_settle(h, repo, pull)
        assert h.fake.comments_on(repo, pull) == []


async def test_a_deleted_comment_is_posted_again(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        h.fake.comments.clear()  # a person deleted it
        h.fake.review(repo, pull, "dana", "APPROVED")  # the plan changes: it is noticed
        await h.deliver("pull_request_review", review_event(repo, pull.number))
        await h.settle()
        [body] = h.fake.comments_on(repo, pull)
        assert "Every required release role has approved" in body


async def test_a_draft_gives_its_teams_a_heads_up_and_asks_for_review_when_ready(
    db: str,
) -> None:
    async with running(db) as h:
        repo = shop(h.fake)
        h.fake.push(repo, "add-sku", {MIGRATION: MIGRATION_TEXT})
        pull = h.fake.open_pull(repo, "add-sku", author="alice", draft=True)
        await open_and_settle(h, repo, pull)
        [body] = h.fake.comments_on(repo, pull)
        assert "**Heads-up, DBA** @acme/dba: " in body  # a real mention: they hear it now
        assert "nothing is asked of you yet" in body
        assert h.fake.review_requests == []

        pull.draft = False
        await h.deliver("pull_request", h.pr_event("ready_for_review", repo, pull.number))
        await h.settle()
        assert [r["team_reviewers"] for r in h.fake.review_requests] == [["dba"]]
        [body] = h.fake.comments_on(repo, pull)  # the same comment, edited
        assert "Heads-up" not in body
