"""Who may waive a role, pure: comment overrides and waiver labels.

A waiver is an exception to four-eyes review, so it is never self-service: the
author cannot waive their own PR (unless `overrides.allow_author`), and where the
config names who may (`overrides.by`), only they can. A label that a role's
`unless` names waives the role only if someone allowed set it (GitHub's issue events
say who). Without an `overrides` block no comment override is accepted, and a
waiver label counts only when set by someone who is neither the author nor a
contributor of the PR.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.policy import approvals
from app.policy.config import Config
from app.policy.facts import Override, PullFacts


@dataclass(frozen=True, slots=True)
class Judged:
    accepted: dict[str, Override]  # role key -> the override that waives it
    refused: tuple[str, ...]  # why others do not count, for the check


def may_waive(login: str, config: Config, facts: PullFacts, *, by_comment: bool) -> bool:
    login = login.lower()
    rules = config.overrides
    if login == (facts.author or "").lower() and not (rules and rules.allow_author):
        return False
    if rules is None:
        return not by_comment and login not in (facts.contributors or frozenset())
    members, _unknown = approvals.members(rules.by.teams, rules.by.users, facts)
    return login in members


def judge(config: Config, facts: PullFacts) -> Judged:
    accepted: dict[str, Override] = {}
    refused: list[str] = []
    for override in facts.overrides:
        why = _refusal(override, config, facts)
        if why is None:
            accepted[override.role] = override
        else:
            refused.append(f"@{override.by}'s override of {override.role} does not count: {why}")
    return Judged(accepted, tuple(refused))


def label_waives(label: str, config: Config, facts: PullFacts) -> bool:
    """Whether a set label may waive: set by someone allowed (unknown: the CLI)."""
    if facts.label_actors is None:
        return True
    actor = facts.label_actors.get(label.lower())
    return actor is not None and may_waive(actor, config, facts, by_comment=False)


def _refusal(override: Override, config: Config, facts: PullFacts) -> str | None:
    if override.role not in config.roles:
        return f"there is no role {override.role!r}"
    if config.overrides is None:
        return "the config names nobody who may override (add `overrides.by`)"
    if not may_waive(override.by, config, facts, by_comment=True):
        return "they may not override roles of this pull request"
    if config.overrides.reason_required and not override.reason.strip():
        return 'a reason is required (--reason "...")'
    return None
