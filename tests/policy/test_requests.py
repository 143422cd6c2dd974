"""Whom to ask for review: pure, over a Decision and the people around the PR."""

from __future__ import annotations

from app.detect.base import Finding, Kind, Severity
from app.policy.evaluate import Conclusion, Decision, RoleDecision, RoleState
from app.policy.requests import People, reviewers_to_request


def role(
    key: str,
    state: RoleState,
    teams: tuple[str, ...] = (),
    users: tuple[str, ...] = (),
    worst: Severity = Severity.MEDIUM,
) -> RoleDecision:
    required = state != RoleState.NOT_REQUIRED
    why = (Finding.for_change(Kind.MIGRATION, worst, "migration.x", "x"),)
    return RoleDecision(key, key, None, required, state, why, teams=teams, users=users)


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
    assert (asked.users, asked.teams) == ({"octocat"}, {"dba", "appsec"})
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
    assert (asked.users, asked.teams) == ({"ana"}, {"qa"})


def test_teams_of_another_org_cannot_be_requested() -> None:
    asked = reviewers_to_request(
        decision(role("security", RoleState.WAITING, teams=("other-org/appsec", "ACME/dba"))),
        PEOPLE,
    )
    assert asked.teams == frozenset({"dba"})


def test_a_team_asked_before_is_not_asked_again_though_github_dropped_its_request() -> None:
    """GitHub drops a team's request once a member reviews; asking again would ping
    the whole team for a review one of them already gave."""
    people = People(owner="acme", author="sam", asked_before={"team:dba": int(Severity.MEDIUM)})
    asked = reviewers_to_request(decision(role("dba", RoleState.WAITING, teams=("dba",))), people)
    assert not asked


def test_a_graver_finding_asks_again_and_says_why() -> None:
    people = People(owner="acme", author="sam", asked_before={"team:dba": int(Severity.MEDIUM)})
    grave = role("dba", RoleState.WAITING, teams=("dba",), worst=Severity.CRITICAL)
    asked = reviewers_to_request(decision(grave), people)
    assert asked.teams == {"dba"}
    assert asked.levels == {"team:dba": int(Severity.CRITICAL)}
    assert asked.again == (
        "team dba asked again for dba: a critical finding came up since they were first asked",
    )


def test_someone_github_refused_is_not_asked_again() -> None:
    people = People(owner="acme", author="sam", asked_before={"outsider": 99})
    grave = role("dba", RoleState.WAITING, users=("outsider",), worst=Severity.CRITICAL)
    assert not reviewers_to_request(decision(grave), people)
