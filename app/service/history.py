"""An evaluation as the pages keep it (jobs/store/history.py): the pull request, the
check it got, and the decision in the shape of the JSON report. Pure."""

from __future__ import annotations

from typing import Any

from app.detect.base import Severity
from app.detect.secrets.redact import redact
from app.jobs.store.history import Evaluation
from app.policy.evaluate import RoleState
from app.policy.facts import ReviewState
from app.report.json import to_dict
from app.service.plan import Plan


def evaluation_of(repo: str, plan: Plan) -> Evaluation | None:
    """What to keep of `plan`; None when it knows no pull request."""
    pull = plan.pull
    if pull is None:
        return None
    check = plan.check
    record: dict[str, Any] = {
        "repo": repo,
        "number": pull.number,
        "title": redact(pull.title),  # a title is free text: it may hold a pasted key
        "author": pull.author,
        "base_ref": pull.base_ref,
        "milestone": pull.milestone,
        "labels": sorted(pull.labels),
        "draft": pull.draft,
        "html_url": pull.html_url,
        "head_sha": pull.head_sha,
        "base_sha": pull.base_sha,
        "conclusion": check.conclusion or check.status,
        "summary": check.title,
        "decision": _with_stale(_bounded(to_dict(plan.decision)), plan) if plan.decision else None,
        "approved_at": _approved_at(plan),
    }
    if plan.decision is None:  # the config could not be read: the waits stand as they were
        return Evaluation(repo, pull.number, record)
    roles = plan.decision.roles
    pending = tuple(r.key for r in roles if r.required and not r.approved)
    approved = tuple(r.key for r in roles if r.required and r.state == RoleState.APPROVED)
    dropped = tuple(r.key for r in roles if r.key not in pending and r.key not in approved)
    if plan.draft_note is not None:
        pending = ()  # nobody is asked while the PR is a draft: no wait starts yet
    return Evaluation(repo, pull.number, record, pending, approved, dropped)


# What a page can show of a huge PR: a 3,000-file change has thousands of findings, and
# each evaluation's record is kept. The gravest are the ones kept.
MAX_FINDINGS = 500
MAX_REASONS = 100
_GRAVITY = {s.label: -s.value for s in Severity}


def _bounded(decision: dict[str, Any]) -> dict[str, Any]:
    findings = decision["findings"]
    if len(findings) > MAX_FINDINGS:
        decision["findings"] = _gravest(findings, MAX_FINDINGS)
        decision["findings_left_out"] = len(findings) - MAX_FINDINGS
    for role in decision["roles"]:
        if len(role["reasons"]) > MAX_REASONS:
            role["reasons_left_out"] = len(role["reasons"]) - MAX_REASONS
            role["reasons"] = _gravest(role["reasons"], MAX_REASONS)
    return decision


def _approved_at(plan: Plan) -> dict[str, float]:
    """When each reviewer last approved (GitHub's submitted_at), by lower-case login."""
    out: dict[str, float] = {}
    for review in plan.reviews:
        if review.state == ReviewState.APPROVED and review.submitted_at is not None:
            out[review.user.lower()] = review.submitted_at
    return out


def _with_stale(decision: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """Each stale approval with the commit it approved: the details page links the
    changes made since (the JSON report names only who)."""
    assert plan.decision is not None
    since = {role.key: dict(role.stale_since) for role in plan.decision.roles}
    for role in decision["roles"]:
        approved_at = since.get(role["name"], {})
        role["stale_since"] = {login: approved_at.get(login) for login in role["stale_approvals"]}
    return decision


def _gravest(findings: list[dict[str, Any]], keep: int) -> list[dict[str, Any]]:
    return sorted(findings, key=lambda f: _GRAVITY.get(f["severity"], 0))[:keep]
