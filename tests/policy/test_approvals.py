"""Votes, freshness and separation of duties, on plain data."""

from __future__ import annotations

from app.policy.approvals import (
    Demand,
    assign,
    is_fresh,
    latest_votes,
    members,
)
from app.policy.checklist import in_description as checklist_state
from app.policy.facts import PullFacts, Review, ReviewState

HEAD = "h" * 40
OLD = "o" * 40


def test_the_latest_decisive_review_is_the_vote_and_dismissal_clears_it() -> None:
    votes = latest_votes(
        [
            Review("Dana", ReviewState.APPROVED, OLD),
            Review("dana", ReviewState.COMMENTED, HEAD),
            Review("sam", ReviewState.APPROVED, OLD),
            Review("sam", ReviewState.DISMISSED, OLD),
        ]
    )
    assert votes["dana"].state == ReviewState.APPROVED
    assert votes["sam"].state == ReviewState.DISMISSED


def test_members_of_unknown_teams_are_reported_not_guessed() -> None:
    facts = PullFacts(team_members={"dba": frozenset({"Dana"})})
    assert members(["dba", "sre"], ["Octocat"], facts) == ({"dana", "octocat"}, ["sre"])


def test_freshness_by_mode() -> None:
    old = Review("dana", ReviewState.APPROVED, OLD)
    facts = PullFacts(head_sha=HEAD, changed_since={OLD: frozenset({"README.md"})})
    assert is_fresh(old, facts, "never", frozenset())
    assert not is_fresh(old, facts, "any_push", frozenset({"db/x.sql"}))
    assert is_fresh(old, facts, "relevant", frozenset({"db/x.sql"}))
    assert not is_fresh(old, facts, "relevant", frozenset({"README.md"}))
    # unknown history is stale, never silently kept
    assert not is_fresh(old, PullFacts(head_sha=HEAD), "relevant", frozenset({"db/x.sql"}))


def test_separation_of_duties_maximises_the_roles_filled() -> None:
    demands = [
        Demand("dba", 1, frozenset({"dana", "sam"})),
        Demand("security", 1, frozenset({"sam"})),
    ]
    assert assign(demands, separate=True) == {"dba": ["dana"], "security": ["sam"]}
    assert assign(demands, separate=False) == {"dba": ["dana", "sam"], "security": ["sam"]}


def test_one_person_cannot_fill_two_seats_of_one_role() -> None:
    # shown as one of the two approvals needed: the role stays unfilled
    assert assign([Demand("dba", 2, frozenset({"dana"}))], separate=True) == {"dba": ["dana"]}
    busy = [Demand("security", 1, frozenset({"dana"})), Demand("dba", 2, frozenset({"dana"}))]
    assert assign(busy, separate=True) == {"security": ["dana"], "dba": []}


def test_checklist_items_are_ticked_in_the_body() -> None:
    body = "Plan:\n- [x] Rollback  plan tested\n- [ ] Backfill done\n"
    assert checklist_state(["Rollback plan tested", "Backfill done"], body) == [
        ("Rollback plan tested", True),
        ("Backfill done", False),
    ]
