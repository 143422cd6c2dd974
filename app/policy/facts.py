"""What the policy knows about a pull request besides its diff.

The server fills these from GitHub; the CLI fills what a local checkout
knows (no reviews). The policy never asks for more: this is its whole view.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class ReviewState(enum.StrEnum):
    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    COMMENTED = "COMMENTED"
    DISMISSED = "DISMISSED"
    PENDING = "PENDING"


@dataclass(frozen=True, slots=True)
class Review:
    """One submitted review, in the order GitHub lists them (oldest first)."""

    user: str
    state: ReviewState
    commit_id: str | None = None
    submitted_at: float | None = None  # Unix time


@dataclass(frozen=True, slots=True)
class Override:
    """`/release-roles override <role> --reason "..."`, as the journal recorded it."""

    role: str
    by: str
    reason: str
    at: float  # Unix time


@dataclass(frozen=True, slots=True)
class Tick:
    """A checklist item ticked in the release-plan comment, and who ticked it."""

    role: str
    item: str  # checklist.item_key of the item's words
    by: str


@dataclass(frozen=True, slots=True)
class PullFacts:
    author: str | None = None
    labels: frozenset[str] = frozenset()
    base_branch: str | None = None
    body: str = ""
    head_sha: str | None = None
    draft: bool = False
    # None: reviews are not known (the CLI); the decision then says what is
    # required and why, but not who approved.
    reviews: tuple[Review, ...] | None = None
    # Config team string ("dba" or "org/dba") -> member logins. A team missing
    # here has unknown members: none of its approvals can be counted.
    team_members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Commit sha -> paths changed between that commit and head. A sha missing
    # here (or mapped to None) is treated as "unknown": approvals given on it
    # are stale, never silently kept.
    changed_since: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    # Lower-case logins of everyone who authored or committed a commit of the PR
    # (policy/contributors.py); None: not read (no approval to weigh, or the CLI).
    contributors: frozenset[str] | None = None
    last_pusher: str | None = None  # who made the head commit
    overrides: tuple[Override, ...] = ()  # the latest, unrevoked one per role
    # When the PR was last retargeted to another base branch: the diff it asks to merge
    # changed under every review before, whatever their commit.
    retargeted_at: float | None = None
    head_committed_at: float | None = None  # when the head commit was made (Unix time)
    now: float = 0.0  # the evaluation's clock, handed in: the policy reads no clock
    # Label (lower case) -> login of whoever set it last; None: not known (the CLI,
    # where --label is taken at its word).
    label_actors: Mapping[str, str] | None = None
    # Ticks in the release-plan comment; None: the checklist is ticked in the PR body
    # (no comment is kept: the CLI, or summary_comment: false).
    checklist_ticks: tuple[Tick, ...] | None = None
