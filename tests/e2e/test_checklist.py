"""A role's checklist, ticked in the release-plan comment by the role's reviewers:
the author's tick (or anyone else's) does not make the check green."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import (
    CONFIG,
    approve,
    check,
    comment_event,
    migration_pull,
    open_and_settle,
    shop,
)
from tests.fakes.github import Pull, Repo
from tests.harness import Harness, running

pytestmark = pytest.mark.anyio

ITEM = "Rollback plan tested"
WITH_CHECKLIST = CONFIG.replace(
    "    when: [{detector: migrations}]\n",
    f"    when: [{{detector: migrations}}]\n    checklist: [{ITEM!r}]\n",
    1,
)


def plan(h: Harness, repo: Repo, pull: Pull) -> tuple[int, str]:
    [(comment_id, comment)] = [(i, c) for i, c in h.fake.comments.items() if c["repo"] == repo.id]
    return comment_id, comment["body"]


async def edit(
    h: Harness, repo: Repo, pull: Pull, by: str, box: str, *, bot: bool = False
) -> dict[str, Any]:
    """`by` clicks the box (GitHub rewrites the comment and sends issue_comment.edited
    with the body before in changes.body.from)."""
    comment_id, before = plan(h, repo, pull)
    after = before.replace(f"- [ ] {ITEM}", f"- [{box}] {ITEM}").replace(
        f"- [x] {ITEM}", f"- [{box}] {ITEM}"
    )
    h.fake.comments[comment_id]["body"] = after
    body = comment_event(repo, pull, after, by="release-roles[bot]") | {"action": "edited"}
    body["changes"] = {"body": {"from": before}}
    body["comment"]["id"] = comment_id
    body["sender"] |= {"login": by, "type": "Bot" if bot else "User"}
    response = await h.deliver("issue_comment", body)
    assert response.status_code in (200, 202), response.text
    await h.settle()
    return response.json()


async def test_only_the_roles_reviewer_ticks_the_checklist(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake, WITH_CHECKLIST)
        pull = migration_pull(h.fake, repo)  # alice's PR; alice is also in team dba
        await open_and_settle(h, repo, pull)
        _, body = plan(h, repo, pull)
        assert f"- [ ] {ITEM} <!-- release-roles:tick dba " in body

        pull.body = f"- [x] {ITEM}\n"  # the author ticks it in the description: not there
        run = await approve(h, repo, pull, "dana")
        assert run["conclusion"] != "success"  # approved, the checklist not ticked
        assert "tick in the release-plan comment" in run["output"]["summary"]

        await edit(h, repo, pull, "alice", "x")  # the author ticks for the DBA
        run = check(h.fake, repo, pull)
        assert run["conclusion"] != "success"
        assert "@alice" in run["output"]["summary"]
        assert "they wrote the pull request" in run["output"]["summary"]
        assert f"- [ ] {ITEM}" in plan(h, repo, pull)[1]  # shown unticked again

        await edit(h, repo, pull, "mallory", "x")  # a collaborator outside the DBA
        run = check(h.fake, repo, pull)
        assert run["conclusion"] != "success"
        assert "they are not a reviewer of DBA" in run["output"]["summary"]

        await edit(h, repo, pull, "dana", "x")
        run = check(h.fake, repo, pull)
        assert run["conclusion"] == "success"
        assert f"- [x] {ITEM}" in plan(h, repo, pull)[1]

        await edit(h, repo, pull, "dana", " ")  # she clears it: not done any more
        assert check(h.fake, repo, pull)["conclusion"] != "success"


async def test_an_apps_edit_and_a_copy_of_the_boxes_tick_nothing(db: str) -> None:
    async with running(db) as h:
        repo = shop(h.fake, WITH_CHECKLIST)
        pull = migration_pull(h.fake, repo)
        await open_and_settle(h, repo, pull)
        await approve(h, repo, pull, "dana")
        answer = await edit(h, repo, pull, "release-roles[bot]", "x", bot=True)
        assert answer["queued"] == []
        assert check(h.fake, repo, pull)["conclusion"] != "success"

        # dana ticks a copy of the plan posted as another comment: not the plan
        comment_id, body = plan(h, repo, pull)
        h.fake.comments[comment_id + 1000] = dict(h.fake.comments[comment_id])
        original = h.fake.comments.pop(comment_id)
        h.fake.comments[comment_id + 1000]["body"] = body.replace(f"- [x] {ITEM}", f"- [ ] {ITEM}")
        answer = await edit(h, repo, pull, "dana", "x")
        assert "not the release-plan comment" in answer["note"]
        h.fake.comments[comment_id] = original
        assert check(h.fake, repo, pull)["conclusion"] != "success"


async def test_without_the_comment_the_pr_body_ticks_it(db: str) -> None:
    config = WITH_CHECKLIST.replace("options:\n", "options:\n  summary_comment: false\n")
    async with running(db) as h:
        repo = shop(h.fake, config)
        pull = migration_pull(h.fake, repo)
        pull.body = f"- [x] {ITEM}\n"
        await open_and_settle(h, repo, pull)
        assert (await approve(h, repo, pull, "dana"))["conclusion"] == "success"
