"""Whom to ask for review: a pure decision over the Decision and the PR's people.

Only roles still waiting (or blocked) ask. Never asked: the author, anyone already
asked or who already reviewed (GitHub drops a team's request once a member reviews:
the team is not asked again for that), anyone a human removed from the request, and
anyone GitHub refused. A team or person we asked before is asked again only when its
role's worst finding became more severe than when we asked (a new critical finding),
and the check says why. GitHub can only request teams of the repository's own org.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.detect.base import Severity
from app.policy.config import Config, display_name, seconds
from app.policy.evaluate import Decision, RoleDecision, RoleState
from app.policy.facts import PullFacts

_ASKING = (RoleState.WAITING, RoleState.BLOCKED)


@dataclass(frozen=True, slots=True)
class People:
    """Who is around the PR already, as GitHub and the journal know it (logins and
    team slugs lower-cased; a team is `team:<slug>` in `removed` and `asked_before`)."""

    owner: str  # the repository's owner: the only org whose teams can be requested
    author: str
    reviewed: frozenset[str] = frozenset()
    requested_users: frozenset[str] = frozenset()
    requested_teams: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    # login or team:slug -> the worst severity its role had when we asked it
    asked_before: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    users: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()  # slugs in the repository's org
    # login or team:slug -> the severity it is asked at (what the journal remembers)
    levels: Mapping[str, int] = field(default_factory=dict)
    again: tuple[str, ...] = ()  # asked before, asked again: why, for the check

    def __bool__(self) -> bool:
        return bool(self.users or self.teams)

    def names(self) -> list[str]:
        """'@login' and 'team slug', for logs and outcomes."""
        return sorted(f"@{u}" for u in self.users) + sorted(f"team {t}" for t in self.teams)


@dataclass(frozen=True, slots=True)
class Hold:
    """A required role whose reviewers are not asked yet (`request_when`)."""

    role: str
    why: str  # for the check: when they will be asked
    until: float | None = None  # when a re-check should ask them (stable_for)


def holds(config: Config, facts: PullFacts) -> dict[str, Hold]:
    """The roles `request_when` holds back now, by key."""
    out: dict[str, Hold] = {}
    labels = {label.lower() for label in facts.labels}
    for key, role in config.roles.items():
        when = role.request_when
        if when is None:
            continue
        name = display_name(key, role)
        if when.labels is not None and not labels & {lab.lower() for lab in when.labels}:
            wanted = " or ".join(repr(lab) for lab in when.labels)
            out[key] = Hold(key, f"{name} will be asked once the label {wanted} is set")
        elif when.stable_for is not None:
            since = facts.head_committed_at
            due = since + seconds(when.stable_for) if since is not None else None
            if due is None or facts.now < due:
                at = f" (at {_utc(due)})" if due is not None else ""
                stable = f"the code has been stable for {when.stable_for}"
                out[key] = Hold(key, f"{name} will be asked when {stable}{at}", due)
    return out


def _utc(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M UTC")


def reviewers_to_request(
    decision: Decision, people: People, held: Mapping[str, Hold] | None = None
) -> ReviewRequest:
    users: set[str] = set()
    teams: set[str] = set()
    levels: dict[str, int] = {}
    again: list[str] = []
    for role in decision.required:
        if role.state not in _ASKING or role.key in (held or {}):
            continue
        worst = _worst(role)
        for kind, name in [
            *(("user", u) for u in _users(role.users, people)),
            *(("team", t) for t in _teams(role.teams, people)),
        ]:
            target = name.lower() if kind == "user" else f"team:{name.lower()}"
            before = people.asked_before.get(target)
            if before is not None and worst <= before:
                continue  # asked already, and nothing graver came up since
            (users if kind == "user" else teams).add(name)
            levels[target] = max(worst, levels.get(target, 0))
            if before is not None:
                again.append(_again(kind, name, role, worst))
    return ReviewRequest(frozenset(users), frozenset(teams), levels, tuple(again))


def _worst(role: RoleDecision) -> int:
    return int(max((f.severity for f in role.reasons), default=Severity.INFO))


def _again(kind: str, name: str, role: RoleDecision, worst: int) -> str:
    who = f"@{name}" if kind == "user" else f"team {name}"
    return (
        f"{who} asked again for {role.name}: a {Severity(worst).label} finding came up "
        "since they were first asked"
    )


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
