"""A shop repository with a DBA and a security role, and the steps every story takes."""

from __future__ import annotations

from typing import Any

from tests.fakes.github import FakeGitHub, Pull, Repo
from tests.harness import Harness, payload, review_event

CONFIG = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations}]
  security:
    reviewers: {teams: [appsec]}
    when: [{detector: auth}]
options:
  stale_approvals: relevant
"""
MIGRATION = "db/migrate/20261101_add_sku.rb"
MIGRATION_TEXT = "class AddSku < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n"


def shop(fake: FakeGitHub, config: str = CONFIG) -> Repo:
    repo = fake.repo(
        "acme",
        "shop",
        {
            ".github/release-roles.yml": config,
            "README.md": "shop\n",
            "docs/guide.md": "v1\n",
        },
    )
    fake.team("acme", "dba", {"dana", "alice"})
    fake.team("acme", "appsec", {"sam"})
    repo.collaborators |= {"dana", "alice", "mallory", "sam"}
    return repo


def migration_pull(fake: FakeGitHub, repo: Repo) -> Pull:
    fake.push(repo, "add-sku", {MIGRATION: MIGRATION_TEXT})
    return fake.open_pull(repo, "add-sku", author="alice")


def check(fake: FakeGitHub, repo: Repo, pull: Pull) -> dict:
    [run] = fake.checks_for(repo, repo.branches[pull.head_ref])
    return run


async def open_and_settle(h: Harness, repo: Repo, pull: Pull) -> dict:
    response = await h.deliver("pull_request", h.pr_event("opened", repo, pull.number))
    assert response.status_code == 202, response.text
    await h.settle()
    return check(h.fake, repo, pull)


async def approve(h: Harness, repo: Repo, pull: Pull, user: str = "dana") -> dict:
    """`user` approves the PR's head, GitHub tells us, and the check it settles on."""
    h.fake.review(repo, pull, user, "APPROVED")
    await h.deliver("pull_request_review", review_event(repo, pull.number))
    await h.settle()
    return check(h.fake, repo, pull)


async def pushed(h: Harness, repo: Repo, pull: Pull) -> dict:
    """GitHub tells us of a push to the PR; the check it settles on."""
    await h.deliver("pull_request", h.pr_event("synchronize", repo, pull.number))
    await h.settle()
    return check(h.fake, repo, pull)


def comment_event(repo: Repo, pull: Pull, text: str, by: str = "alice") -> dict[str, Any]:
    """`issue_comment.created` by `by` on the PR, from the vendored payload."""
    body = payload("issue_comment.created")
    body["repository"] |= {"name": repo.name, "id": repo.id}
    body["repository"]["owner"]["login"] = repo.owner
    body["issue"]["number"] = pull.number
    body["issue"]["pull_request"] = {
        "url": f"https://api.github.com/repos/{repo.owner}/{repo.name}/pulls/{pull.number}"
    }
    body["comment"]["body"] = text
    body["comment"]["user"]["login"] = by
    return body
