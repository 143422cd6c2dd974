"""The machine-readable report (`--format json`), in the shape the design fixes."""

from __future__ import annotations

import json
from typing import Any

from app.detect.base import Finding, Kind
from app.policy.evaluate import Decision, RoleDecision
from app.policy.facts import Override


def finding_dict(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": finding.kind.value,
        "file": finding.file,
        "line": finding.line,
        "severity": finding.severity.label,
        "rule": finding.rule,
        "message": finding.message,
    }
    if finding.kind == Kind.DEPENDENCY:
        out |= {
            "ecosystem": finding.ecosystem,
            "package": finding.package,
            "from": finding.from_version,
            "to": finding.to_version,
            "change": finding.change.value if finding.change else None,
        }
    return out


def role_dict(role: RoleDecision) -> dict[str, Any]:
    return {
        "name": role.key,
        "display_name": role.name,
        "required": role.required,
        "approved": role.approved,
        "state": role.state.value,
        "approvals_needed": role.approvals_needed,
        "approved_by": list(role.approved_by),
        "missing": role.missing if role.required else 0,
        "changes_requested_by": list(role.changes_requested_by),
        "stale_approvals": list(role.stale),
        "contributor_approvals": list(role.contributed),
        "overridden": _override(role.overridden),
        "reviewers": {"teams": list(role.teams), "users": list(role.users)},
        "checklist": [{"item": item, "checked": done} for item, done in role.checklist],
        "reasons": [finding_dict(f) for f in role.reasons],
        "waived_by": [finding_dict(f) for f in role.waived_by],
    }


def _override(override: Override | None) -> dict[str, Any] | None:
    if override is None:
        return None
    return {"by": override.by, "reason": override.reason, "at": override.at}


def to_dict(decision: Decision) -> dict[str, Any]:
    return {
        "roles": [role_dict(r) for r in decision.roles],
        "findings": [finding_dict(f) for f in decision.findings],
        "summary": {
            "conclusion": decision.conclusion.value,
            "required": [r.key for r in decision.required],
            "files_changed": decision.files_changed,
            "lines_changed": decision.lines_changed,
        },
        "notes": list(decision.notes),
    }


def render(decision: Decision) -> str:
    return json.dumps(to_dict(decision), indent=2, ensure_ascii=False) + "\n"
