"""Wording shared by the text and Markdown reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from app.detect.base import Finding, Severity
from app.policy.evaluate import RoleDecision, RoleState
from app.policy.facts import Override

PATH_MATCH = "path.match"


def location(finding: Finding) -> str:
    if finding.file is None:
        return "(pull request)"
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def who(role: RoleDecision) -> str:
    """'@org/dba team, @octocat' — whom the role asks."""
    names = [f"@{t} team" if "/" in t else f"team {t}" for t in role.teams]
    names += [f"@{u}" for u in role.users]
    return ", ".join(names) or "nobody configured (add reviewers to the role)"


def status_line(role: RoleDecision) -> str:
    needed = role.approvals_needed
    got = len(role.approved_by)
    match role.state:
        case RoleState.NOT_REQUIRED:
            return "not required"
        case RoleState.REQUIRED:
            plural = "s" if needed > 1 else ""
            return f"required: needs {needed} approval{plural} from {who(role)}"
        case RoleState.APPROVED:
            return f"approved by {', '.join('@' + u for u in role.approved_by)}"
        case RoleState.OVERRIDDEN:
            assert role.overridden is not None
            return overridden(role.overridden)
        case RoleState.BLOCKED:
            people = ", ".join("@" + u for u in role.changes_requested_by)
            return f"changes requested by {people}"
        case RoleState.WAITING:
            unticked = [item for item, done in role.checklist if not done]
            if got >= needed and unticked:
                return f"approved ({got}/{needed}); checklist not ticked: {'; '.join(unticked)}"
            return f"waiting ({got}/{needed}) for {who(role)}"
    return role.state.value  # pragma: no cover


def overridden(override: Override) -> str:
    """'overridden by @rm at 2026-12-01 22:30 UTC: hotfix for the outage'"""
    when = datetime.fromtimestamp(override.at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    reason = f": {override.reason}" if override.reason else ""
    return f"overridden by @{override.by} at {when}{reason}"


def ordered(reasons: Sequence[Finding]) -> list[Finding]:
    """A role's evidence for a person: worst first, and a `path.match` left out where
    the same file has a detector's finding that says more."""
    explained = {f.file for f in reasons if f.rule != PATH_MATCH and f.file is not None}
    kept = [f for f in reasons if not (f.rule == PATH_MATCH and f.file in explained)]
    # stable: file and line order within a severity, but a finding on a line leads one
    # about a whole file (the operation, then the migration it is in)
    return sorted(kept, key=lambda f: (-f.severity, f.line is None))


def worst(role: RoleDecision) -> Severity:
    return max((f.severity for f in role.reasons), default=Severity.INFO)


def next_steps(role: RoleDecision) -> str:
    """What still has to happen for one role, said to the author."""
    if role.state == RoleState.BLOCKED:
        people = ", ".join("@" + u for u in role.changes_requested_by)
        return f"{role.name}: {people} requested changes; push a fix and ask them to re-review"
    parts = []
    if role.missing:
        plural = "s" if role.missing > 1 else ""
        parts.append(f"{role.missing} more approval{plural} from {who(role)}")
    unticked = [item for item, done in role.checklist if not done]
    if unticked:
        parts.append(f"tick in {role.checklist_in}: {'; '.join(unticked)}")
    return f"{role.name}: " + ", and ".join(parts) if parts else ""
