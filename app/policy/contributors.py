"""Who contributed to a pull request, from its commits: their approvals are not review.

A person who authored or committed any commit of the PR does not count for any role
(unless `options.allow_contributors`): four eyes means someone who did not write it.
Bots are not contributors (`dependabot[bot]`), nor is GitHub itself (`web-flow`, the
committer of web edits); the author of GitHub's own "Update branch" merge commit (a
merge that GitHub committed and signed) brought nothing of theirs, so is not one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GITHUB = "web-flow"


@dataclass(frozen=True, slots=True)
class Contribution:
    """One commit, as far as authorship goes (GitHub logins; None: no GitHub user)."""

    author: str | None
    committer: str | None
    merge_by_github: bool = False  # a merge commit GitHub committed and signed


def contributors(commits: Iterable[Contribution]) -> frozenset[str]:
    found: set[str] = set()
    for commit in commits:
        people = [commit.committer] if commit.merge_by_github else [commit.author, commit.committer]
        found |= {login.lower() for login in people if login and _person(login)}
    return frozenset(found)


def last_pusher(commits: list[Contribution]) -> str | None:
    """Who made the head commit: its committer, or its author where GitHub committed it
    (a web edit). The REST API does not say who pushed; this is the nearest it tells."""
    if not commits:
        return None
    head = commits[-1]
    for login in (head.committer, head.author):
        if login and _person(login) and not (head.merge_by_github and login == head.author):
            return login.lower()
    return None


def _person(login: str | None) -> bool:
    return bool(login) and login != GITHUB and not (login or "").endswith("[bot]")
