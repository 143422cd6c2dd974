"""A pull request's details page, from what the journal keeps (pure): each role with
its state and evidence, who approved and when, what went stale, overrides with who,
when and why, the rollback checklist, and how the verdict changed push by push."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from app.jobs.store.history import StoredPull, Wait
from app.web.board import STATE_ORDER

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True, slots=True)
class Evidence:
    file: str | None  # None: about the change as a whole
    line: int | None
    rule: str
    severity: str
    message: str
    link: str  # the line in GitHub's diff view


@dataclass(frozen=True, slots=True)
class RoleView:
    key: str
    name: str
    state: str
    required: bool
    approvals_needed: int
    approved_by: tuple[tuple[str, float | None], ...]  # (who, when GitHub says they did)
    approved_at: float | None
    waiting_since: float | None
    stale: tuple[tuple[str, str | None], ...]  # (who, the commit they approved)
    not_counted: tuple[str, ...]  # approvals by people who contributed commits
    changes_requested_by: tuple[str, ...]
    overridden: dict[str, Any] | None
    evidence: tuple[Evidence, ...]
    evidence_left_out: int
    waived_by: tuple[Evidence, ...]
    checklist: tuple[tuple[str, bool], ...]
    teams: tuple[str, ...]
    users: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One evaluation whose verdict differed from the one before it."""

    at: float
    head_sha: str
    conclusion: str
    summary: str
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Details:
    record: dict[str, Any]
    state: str  # open | closed | merged
    evaluated_at: float
    roles: tuple[RoleView, ...]
    history: tuple[Step, ...]
    notes: tuple[str, ...]

    @property
    def overrides(self) -> list[RoleView]:
        return [r for r in self.roles if r.overridden]

    @property
    def checklists(self) -> list[RoleView]:
        return [r for r in self.roles if r.checklist and r.required]


def diff_link(pull_url: str, path: str, line: int | None) -> str:
    """GitHub's anchor for a file (and a line of its new side) in a PR's diff."""
    anchor = hashlib.sha256(path.encode()).hexdigest()
    return f"{pull_url}/files#diff-{anchor}" + (f"R{line}" if line else "")


def build(
    pull: StoredPull, history: list[tuple[float, dict[str, Any]]], waits: list[Wait]
) -> Details:
    record = pull.record
    decision = record.get("decision") or {}
    url = record.get("html_url", "")
    when = record.get("approved_at") or {}
    roles = [_role(r, url, waits, when) for r in decision.get("roles", [])]
    roles.sort(key=lambda r: (not r.required, STATE_ORDER.index(r.state), r.name.lower()))
    return Details(
        record=record,
        state=pull.state,
        evaluated_at=pull.saved_at,
        roles=tuple(roles),
        history=tuple(_steps(history)),
        notes=tuple(decision.get("notes", ())),
    )


def _role(role: dict[str, Any], url: str, waits: list[Wait], when: dict[str, float]) -> RoleView:
    own = [w for w in waits if w.role == role["name"]]
    approved = [w.approved_at for w in own if w.approved_at is not None]
    waiting = [w.requested_at for w in own if w.approved_at is None]
    return RoleView(
        key=role["name"],
        name=role["display_name"],
        state=role["state"],
        required=role["required"],
        approvals_needed=role["approvals_needed"],
        approved_by=tuple((login, when.get(login.lower())) for login in role["approved_by"]),
        approved_at=max(approved) if approved and role["state"] == "approved" else None,
        waiting_since=min(waiting) if waiting else None,
        stale=tuple(
            (login, (role.get("stale_since") or {}).get(login)) for login in role["stale_approvals"]
        ),
        not_counted=tuple(role["contributor_approvals"]),
        changes_requested_by=tuple(role["changes_requested_by"]),
        overridden=role["overridden"],
        evidence=tuple(_evidence(f, url) for f in _worst_first(role["reasons"])),
        evidence_left_out=int(role.get("reasons_left_out", 0)),
        waived_by=tuple(_evidence(f, url) for f in role["waived_by"]),
        checklist=tuple((c["item"], bool(c["checked"])) for c in role["checklist"]),
        teams=tuple(role["reviewers"]["teams"]),
        users=tuple(role["reviewers"]["users"]),
    )


def _worst_first(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def rank(f: dict[str, Any]) -> int:
        severity = f["severity"]
        return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)

    return sorted(findings, key=lambda f: (rank(f), f["file"], f["line"] or 0))


def _evidence(finding: dict[str, Any], url: str) -> Evidence:
    file, line = finding["file"], finding["line"]
    link = diff_link(url, file, line) if url and file else url
    return Evidence(file, line, finding["rule"], finding["severity"], finding["message"], link)


def _steps(history: list[tuple[float, dict[str, Any]]]) -> list[Step]:
    """Newest first, each with what changed since the evaluation before it."""
    steps = []
    for index, (at, record) in enumerate(history):
        before = history[index + 1][1] if index + 1 < len(history) else None
        steps.append(
            Step(
                at,
                record.get("head_sha", ""),
                record.get("conclusion", ""),
                record.get("summary", ""),
                tuple(changes_between(before, record)),
            )
        )
    return steps


def changes_between(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    if before is None:
        return ["first evaluation"]
    changes = []
    if before.get("head_sha") != after.get("head_sha"):
        changes.append(f"new commits: {str(after.get('head_sha', ''))[:7]}")
    if before.get("base_ref") != after.get("base_ref"):
        changes.append(f"target branch {before.get('base_ref')} → {after.get('base_ref')}")
    old, new = _states(before), _states(after)
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key, "not_required"), new.get(key, "not_required")
        if was != now:
            changes.append(f"{key}: {was.replace('_', ' ')} → {now.replace('_', ' ')}")
    if not changes and before.get("conclusion") != after.get("conclusion"):
        changes.append(f"check: {before.get('conclusion')} → {after.get('conclusion')}")
    return changes or ["the check's text changed"]


def _states(record: dict[str, Any]) -> dict[str, str]:
    decision = record.get("decision") or {}
    return {r["name"]: r["state"] for r in decision.get("roles", [])}


def as_json(
    pull: StoredPull, history: list[tuple[float, dict[str, Any]]], waits: list[Wait]
) -> dict[str, Any]:
    """The details page's data: the latest record as kept, each change of verdict, and
    each role's waits (Unix times)."""
    return {
        "pull_request": pull.record,
        "state": pull.state,
        "evaluated_at": pull.saved_at,
        "history": [
            {
                "at": step.at,
                "head_sha": step.head_sha,
                "conclusion": step.conclusion,
                "summary": step.summary,
                "changes": list(step.changes),
            }
            for step in _steps(history)
        ],
        "waits": [
            {"role": w.role, "requested_at": w.requested_at, "approved_at": w.approved_at}
            for w in waits
        ],
    }
