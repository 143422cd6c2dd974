"""Whom to ask for review: pure, over a Decision and the people around the PR."""

from __future__ import annotations

from app.policy.evaluate import Conclusion, Decision, RoleDecision, RoleState
from app.policy.requests import People, ReviewRequest, reviewers_to_request


def role(
    key: str, state: RoleState, teams: tuple[str, ...] = (), users: tuple[str, ...] = ()
) -> RoleDecision:
    required = state != RoleState.NOT_REQUIRED
    return RoleDecision(key, key, None, required, state, (), teams=teams, users=users)


def decision(*roles: RoleDecision) -> Decision:
    return Decision(roles, (), 1, 1, Conclusion.WAITING)


PEOPLE = People(owner="acme", author="sam")


def test_waiting_and_blocked_roles_ask_their_teams_and_people() -> None:
    asked = reviewers_to_request(
        decision(
            role("dba", RoleState.WAITING, teams=("dba",), users=("octocat",)),
            role("security", RoleState.BLOCKED, teams=("acme/appsec",)),
        ),
        PEOPLE,
    )
    assert asked == ReviewRequest(frozenset({"octocat"}), frozenset({"dba", "appsec"}))
    assert asked.names() == ["@octocat", "team appsec", "team dba"]


def test_approved_and_unrequired_roles_ask_nobody() -> None:
    asked = reviewers_to_request(
        decision(
            role("dba", RoleState.APPROVED, teams=("dba",)),
            role("qa", RoleState.NOT_REQUIRED, teams=("qa",)),
        ),
        PEOPLE,
    )
    assert not asked
    assert asked.names() == []


def test_the_author_reviewers_requested_and_removed_are_skipped() -> None:
    people = People(
        owner="acme",
        author="Sam",
        reviewed=frozenset({"kim"}),
        requested_users=frozenset({"lee"}),
        requested_teams=frozenset({"dba"}),
        removed=frozenset({"max", "team:sre"}),
    )
    asked = reviewers_to_request(
        decision(
            role(
                "dba",
                RoleState.WAITING,
                teams=("dba", "sre", "qa"),
                users=("sam", "KIM", "lee", "max", "ana"),
            )
        ),
        people,
    )
    assert asked == ReviewRequest(frozenset({"ana"}), frozenset({"qa"}))


def test_teams_of_another_org_cannot_be_requested() -> None:
    asked = reviewers_to_request(
        decision(role("security", RoleState.WAITING, teams=("other-org/appsec", "ACME/dba"))),
        PEOPLE,
    )
    assert asked.teams == frozenset({"dba"})
