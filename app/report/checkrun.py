"""The check run a Decision becomes: status, conclusion, title, summary, annotations.

- Waiting for roles: status `in_progress`. A required check that has not
  completed blocks the merge without a red cross: nobody did anything wrong.
- Changes requested, an invalid config, or an evaluation error: completed,
  `failure` (red), with the reason.
- Every required role approved, or none required, after a complete
  evaluation: completed, `success`. Nothing else is ever green.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from app.detect.base import Severity
from app.policy.evaluate import Conclusion, Decision, RoleState
from app.policy.loading import ConfigIssue
from app.report import markdown, messages

TITLE_LIMIT = 100  # GitHub allows 255; a title is read at a glance
MAX_ANNOTATIONS = 500  # GitHub shows the first 50 per request; we send batches of 50
_LEVELS = {
    Severity.CRITICAL: "failure",
    Severity.HIGH: "failure",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


@dataclass(frozen=True, slots=True)
class CheckRunContent:
    status: str  # in_progress | completed
    conclusion: str | None  # success | failure | None while in progress
    title: str
    summary: str
    annotations: tuple[dict[str, object], ...] = field(default=())

    def digest(self) -> str:
        """Changes when anything shown changes: the check is only updated then."""
        data = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:32]


def from_decision(
    decision: Decision, *, files_url: str | None = None, draft_note: str | None = None
) -> CheckRunContent:
    summary = markdown.render(decision, files_url=files_url)
    if draft_note:
        summary = f"_{draft_note}_\n\n{summary}"
        summary = summary[: markdown.GITHUB_SUMMARY_LIMIT]
    annotations = tuple(_annotations(decision))
    match decision.conclusion:
        case Conclusion.NOTHING_REQUIRED:
            return CheckRunContent("completed", "success", messages.NOTHING_REQUIRED_TITLE, summary)
        case Conclusion.APPROVED:
            names = ", ".join(
                f"{r.name} (overridden by @{r.overridden.by})" if r.overridden else r.name
                for r in decision.required
            )
            title = _cap(f"Approved by every required role: {names}")
            return CheckRunContent("completed", "success", title, summary, annotations)
        case Conclusion.BLOCKED:
            blocked = [r.name for r in decision.required if r.state == RoleState.BLOCKED]
            title = _cap(f"Changes requested by {', '.join(blocked)}")
            return CheckRunContent("completed", "failure", title, summary, annotations)
    waiting = [
        f"{r.name} ({len(r.approved_by)}/{r.approvals_needed})"
        for r in decision.required
        if not r.approved
    ]
    title = _cap("Waiting for " + ", ".join(waiting))
    return CheckRunContent("in_progress", None, title, summary, annotations)


def config_error(issues: Sequence[ConfigIssue], where: str) -> CheckRunContent:
    lines = [f"**The release-roles config {where} is invalid**, so no role can be checked.", ""]
    lines += ["```", *(str(issue) for issue in issues), "```"]
    lines += ["", "Fix the file; `release-roles validate` shows the same errors locally."]
    first = issues[0] if issues else None
    where = f"{first.source}:{first.line}:{first.column}: {first.message}" if first else ""
    more = f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
    # the title is one line: hints and the other issues are in the summary
    title = _cap(f"Invalid config: {where}{more}" if first else "Invalid config")
    return CheckRunContent("completed", "failure", title, "\n".join(lines))


def evaluation_error(reason: str) -> CheckRunContent:
    summary = messages.evaluation_failed(reason)
    return CheckRunContent("completed", "failure", _cap(f"Evaluation failed: {reason}"), summary)


def merge_group_result(
    members: Sequence[tuple[int, CheckRunContent]], unclaimed: Sequence[str]
) -> CheckRunContent:
    """Green only if the group has pull requests, each of them green now, and every
    change in it came from one of them."""
    held = [(n, c) for n, c in members if c.conclusion != "success"]
    lines = [f"- {messages.group_held(n, c.title)}" for n, c in held]
    if unclaimed:
        lines.append(f"- {messages.group_unclaimed(list(unclaimed))}")
    if not members:
        lines.append(f"- {messages.GROUP_EMPTY}")
    if not lines:
        title = _cap(messages.group_passed([n for n, _ in members]))
        return CheckRunContent("completed", "success", title, title + ".")
    title = messages.GROUP_FAILED_TITLE
    if held:
        title = f"Held by {messages.group_held(held[0][0], held[0][1].title)}"
    title = _cap(title)
    summary = "**This merge group cannot pass yet:**\n\n" + "\n".join(lines)
    return CheckRunContent("completed", "failure", title, summary)


def _annotations(decision: Decision) -> list[dict[str, object]]:
    seen: set[tuple[str, int, str]] = set()
    out: list[dict[str, object]] = []
    for role in decision.required:
        for finding in role.reasons:
            if finding.file is None or finding.line is None:
                continue
            key = (finding.file, finding.line, finding.rule)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                {
                    "path": finding.file,
                    "start_line": finding.line,
                    "end_line": finding.line,
                    "annotation_level": _LEVELS[finding.severity],
                    "title": f"{role.name}: {finding.rule}"[:255],
                    "message": finding.message[:64000],
                }
            )
    return out[:MAX_ANNOTATIONS]


def _cap(title: str) -> str:
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"
