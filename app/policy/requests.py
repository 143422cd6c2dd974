"""Whom to ask for review: a pure decision over the Decision and the PR's people.

Only roles still waiting (or blocked) ask; the author, anyone already asked, anyone
who already reviewed and anyone a human removed from the request are skipped. GitHub
can only request teams of the repository's own organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.policy.evaluate import Decision, RoleState

_ASKING = (RoleState.WAITING, RoleState.BLOCKED)


@dataclass(frozen=True, slots=True)
class People:
    """Who is around the PR already, as GitHub and the journal know it (logins and
    team slugs lower-cased; a removed team is `team:<slug>`)."""

    owner: str  # the repository's owner: the only org whose teams can be requested
    author: str
    reviewed: frozenset[str] = frozenset()
    requested_users: frozenset[str] = frozenset()
    requested_teams: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    users: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()  # slugs in the repository's org

    def __bool__(self) -> bool:
        return bool(self.users or self.teams)

    def names(self) -> list[str]:
        """'@login' and 'team slug', for logs and outcomes."""
        return sorted(f"@{u}" for u in self.users) + sorted(f"team {t}" for t in self.teams)


def reviewers_to_request(decision: Decision, people: People) -> ReviewRequest:
    asking = [role for role in decision.required if role.state in _ASKING]
    users = _users((u for role in asking for u in role.users), people)
    teams = _teams((t for role in asking for t in role.teams), people)
    return ReviewRequest(frozenset(users), frozenset(teams))


def _users(logins: Iterable[str], people: People) -> set[str]:
    skip = {people.author.lower()} | people.reviewed | people.requested_users | people.removed
    return {login for login in logins if login.lower() not in skip}


def _teams(teams: Iterable[str], people: People) -> set[str]:
    out: set[str] = set()
    for team in teams:
        org, slug = team.split("/", 1) if "/" in team else (people.owner, team)
        if org.lower() != people.owner.lower():
            continue  # GitHub can only request teams of the repository's org
        if slug.lower() in people.requested_teams or f"team:{slug.lower()}" in people.removed:
            continue
        out.add(slug)
    return out
