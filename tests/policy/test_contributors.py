"""Who contributed, from commits: plain data in, logins out."""

from __future__ import annotations

from app.policy.contributors import Contribution, contributors, last_pusher


def test_authors_and_committers_are_contributors_bots_and_github_are_not() -> None:
    commits = [
        Contribution("Alice", "web-flow"),  # a web edit: GitHub committed it
        Contribution("dependabot[bot]", "dependabot[bot]"),
        Contribution("bob", "Carol"),
        Contribution(None, None),  # an author with no GitHub account
    ]
    assert contributors(commits) == {"alice", "bob", "carol"}


def test_githubs_own_update_branch_merge_brings_nothing_of_its_author() -> None:
    merge = Contribution("dana", "web-flow", merge_by_github=True)
    assert contributors([merge]) == frozenset()
    assert last_pusher([Contribution("alice", "alice"), merge]) is None


def test_the_last_pusher_is_the_head_commits_committer_else_its_author() -> None:
    assert last_pusher([Contribution("alice", "alice"), Contribution("bob", "Carol")]) == "carol"
    assert last_pusher([Contribution("Bob", "web-flow")]) == "bob"
    assert last_pusher([]) is None
