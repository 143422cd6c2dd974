"""Who has approved, for which role, and is it still valid?

- Each person's latest decisive review counts (APPROVED, CHANGES_REQUESTED or
  DISMISSED); a later COMMENTED review does not undo an approval, as on GitHub.
  A dismissed review leaves that person with no vote: an older approval does
  not come back (policy-bot #119).
- The author never counts.
- Stale approvals: `never` keeps them; `any_push` keeps only those given on the
  head commit; `relevant` keeps those given on a commit after which none of
  the files that triggered the role changed (for a role no file triggered: none
  of the PR's files). Unknown history means stale. In every mode, a review given
  before the PR was retargeted to another base branch is stale.
- Separation of duties: people are assigned to roles so each fills at most one,
  maximising the number of fully approved roles.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.policy.facts import PullFacts, Review, ReviewState

_DECISIVE = {ReviewState.APPROVED, ReviewState.CHANGES_REQUESTED, ReviewState.DISMISSED}
# Beyond this many roles competing for the same people, exact search gives way
# to a greedy pass in config order (still a valid assignment, maybe not maximal).
EXACT_MATCHING_LIMIT = 12


def latest_votes(reviews: Iterable[Review]) -> dict[str, Review]:
    """Login (lowercase) -> that person's latest decisive review."""
    votes: dict[str, Review] = {}
    for review in reviews:
        if review.state in _DECISIVE:
            votes[review.user.lower()] = review
    return votes


def members(
    teams: Sequence[str], users: Sequence[str], facts: PullFacts
) -> tuple[set[str], list[str]]:
    """(lowercase logins of the role, teams whose membership is unknown)."""
    found = {u.lower() for u in users}
    unknown = []
    for team in teams:
        team_members = facts.team_members.get(team)
        if team_members is None:
            unknown.append(team)
        else:
            found |= {m.lower() for m in team_members}
    return found, unknown


def is_fresh(review: Review, facts: PullFacts, mode: str, relevant_files: frozenset[str]) -> bool:
    """Whether an approval still stands under the `stale_approvals` mode: with
    `relevant`, none of `relevant_files` changed since the reviewed commit."""
    if facts.retargeted_at is not None and (
        review.submitted_at is None or review.submitted_at < facts.retargeted_at
    ):
        return False  # it approved merging into another branch: another diff
    if mode == "never":
        return True
    if review.commit_id is not None and review.commit_id == facts.head_sha:
        return True
    if mode == "any_push" or review.commit_id is None:
        return False
    changed = facts.changed_since.get(review.commit_id)
    if changed is None:
        return False
    return not (changed & relevant_files)


@dataclass(frozen=True, slots=True)
class Demand:
    """One required role's claim on approvers."""

    role: str
    needed: int
    candidates: frozenset[str]


def assign(demands: Sequence[Demand], separate: bool) -> dict[str, list[str]]:
    """Role -> approvers counted for it. Without separation every candidate counts
    everywhere; with it, each person counts for one role only."""
    if not separate:
        return {d.role: sorted(d.candidates) for d in demands}
    feasible = [d for d in demands if len(d.candidates) >= d.needed]
    chosen = _best_subset(feasible)
    assignment = _match(chosen) or {}
    used = {person for people in assignment.values() for person in people}
    result: dict[str, list[str]] = {}
    for demand in demands:
        if demand.role in assignment:
            result[demand.role] = sorted(assignment[demand.role])
        else:
            # Partial credit for display: the candidates nobody else needs.
            result[demand.role] = sorted(demand.candidates - used)[: demand.needed - 1]
    return result


def _best_subset(demands: Sequence[Demand]) -> list[Demand]:
    if len(demands) > EXACT_MATCHING_LIMIT:
        chosen: list[Demand] = []
        for demand in demands:
            if _match([*chosen, demand]) is not None:
                chosen.append(demand)
        return chosen
    for size in range(len(demands), 0, -1):
        for subset in itertools.combinations(demands, size):
            if _match(subset) is not None:
                return list(subset)
    return []


def _match(demands: Sequence[Demand]) -> dict[str, list[str]] | None:
    """Give each demand `needed` distinct people (none shared), or None if impossible.

    Kuhn's augmenting paths over role "seats": a role needing two approvals has
    two seats. Sizes are tiny (roles x reviewers), so clarity beats speed.
    """
    seats = [(d.role, sorted(d.candidates)) for d in demands for _ in range(d.needed)]
    holder: dict[str, int] = {}  # person -> seat index

    def place(seat: int, seen: set[str]) -> bool:
        for person in seats[seat][1]:
            if person in seen:
                continue
            seen.add(person)
            if person not in holder or place(holder[person], seen):
                holder[person] = seat
                return True
        return False

    for seat in range(len(seats)):
        if not place(seat, set()):
            return None
    result: dict[str, list[str]] = {d.role: [] for d in demands}
    for person, seat in holder.items():
        result[seats[seat][0]].append(person)
    return result
