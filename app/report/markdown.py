"""The Markdown report: the check run's summary, and what `--format markdown` prints.

GitHub caps a check run's summary at 65,535 characters. Evidence is cut
role by role with a visible "… and N more" so the table of roles and who is
missing always fits.
"""

from __future__ import annotations

import hashlib

from app.detect.base import Finding, Severity
from app.policy.checklist import IN_COMMENT
from app.policy.evaluate import Conclusion, Decision, RoleDecision, RoleState
from app.report import messages, ticks
from app.report.common import location, next_steps, ordered, overridden, status_line, worst

GITHUB_SUMMARY_LIMIT = 65_535
_ICONS = {
    RoleState.APPROVED: "✅",
    RoleState.WAITING: "⏳",
    RoleState.BLOCKED: "⛔",
    RoleState.REQUIRED: "🔶",
    RoleState.NOT_REQUIRED: "⚪",
    RoleState.OVERRIDDEN: "🔓",
}
_BADGES = {
    Severity.CRITICAL: "🟥 **critical**",
    Severity.HIGH: "🟧 **high**",
    Severity.MEDIUM: "🟨 medium",
    Severity.LOW: "🟦 low",
    Severity.INFO: "⬜ info",
}
_HEADLINES = {
    Conclusion.NOTHING_REQUIRED: messages.NOTHING_REQUIRED,
    Conclusion.REQUIRED: "These release roles must review this change.",
    Conclusion.WAITING: "Waiting for release roles to approve.",
    Conclusion.APPROVED: "Every required release role has approved.",
    Conclusion.BLOCKED: "A release role requested changes.",
}


def diff_anchor(path: str, line: int | None) -> str:
    """GitHub's anchor for a file (and head-side line) in a pull request's Files tab."""
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"#diff-{digest}" + (f"R{line}" if line else "")


def render(
    decision: Decision,
    *,
    files_url: str | None = None,
    limit: int = GITHUB_SUMMARY_LIMIT,
    stats: bool = True,
    boxes: bool = False,
) -> str:
    """The report, at most `limit` characters; `files_url` links evidence to the diff;
    `stats`: the line that counts files, lines and findings; `boxes`: checklists ticked
    in the comment as its task boxes (the comment is what this renders)."""
    per_role = 50
    while True:
        text = _render(decision, files_url, per_role, stats, boxes)
        if len(text) <= limit or per_role == 0:
            break
        per_role //= 2
    if len(text) > limit:
        marker = "\n\n… report cut to fit GitHub's limit"
        text = text[: limit - len(marker)] + marker
    return text


def _render(
    decision: Decision, files_url: str | None, per_role: int, stats: bool, boxes: bool
) -> str:
    out = [f"**{_HEADLINES[decision.conclusion]}**", ""]
    if stats:
        out.append(
            f"{decision.files_changed} files changed, {decision.lines_changed} lines. "
            f"{len(decision.findings)} findings."
        )
    out += _next(decision)
    out += ["", "| | Role | Status | Why |", "|---|---|---|---|"]
    for role in _by_worst(decision.roles):
        why = _why(role)
        out.append(
            f"| {_ICONS[role.state]} | **{_cell(role.name)}** | {_cell(status_line(role))} "
            f"| {_cell(why)} |"
        )
    for role in _by_worst(decision.required):
        out += ["", f"### {_ICONS[role.state]} {role.name}"]
        if role.description:
            out.append(f"_{role.description}_")
        out.append("")
        evidence = ordered(role.reasons)
        for finding in evidence[:per_role]:
            out.append(f"- {_evidence(finding, files_url)}")
        hidden = len(evidence) - per_role
        if hidden > 0:
            out.append(f"- … and {hidden} more")
        if role.stale:
            out += ["", _stale(role, files_url, decision.head_sha)]
        if role.overridden is not None:
            out += ["", f"**{overridden(role.overridden).capitalize()}**"]
        for login in role.contributed:
            out.append("")
            out.append(messages.contributed(login))
        if role.checklist:
            out += ["", messages.checklist_heading(role.checklist_in), ""]
            out += _checklist(role, boxes and role.checklist_in == IN_COMMENT)
    if decision.notes:
        out += ["", "**Notes**", ""]
        out += [f"- {_cell(_plain(note))}" for note in decision.notes]
    return "\n".join(out) + "\n"


def _why(role: RoleDecision) -> str:
    """The role's worst finding first: what is dangerous, and where."""
    if role.waived_by:
        return f"waived: {role.waived_by[0].message}"
    evidence = ordered(role.reasons)
    if not evidence:
        return ""
    lead = evidence[0]
    more = f" (+{len(evidence) - 1} more)" if len(evidence) > 1 else ""
    return f"{_BADGES[lead.severity]} `{lead.rule}` {location(lead)}{more}"


def _by_worst(roles: tuple[RoleDecision, ...]) -> list[RoleDecision]:
    """Required roles first, the gravest first; the others after, in config order."""
    return sorted(roles, key=lambda r: (not r.required, -worst(r) if r.required else 0))


def _next(decision: Decision) -> list[str]:
    if decision.conclusion not in (Conclusion.WAITING, Conclusion.BLOCKED):
        return []
    steps = [
        step for r in _by_worst(decision.required) if not r.approved and (step := next_steps(r))
    ]
    if not steps:
        return []
    recheck = f"Comment `{messages.RECHECK_COMMAND}` to check again without a push."
    return ["", "**What happens next:**", "", *(f"- {_cell(s)}" for s in steps), "", recheck]


def _evidence(finding: Finding, files_url: str | None) -> str:
    where = location(finding)
    if files_url and finding.file:
        where = f"[{where}]({files_url}{diff_anchor(finding.file, finding.line)})"
    else:
        where = f"`{where}`"
    badge = _BADGES[finding.severity]
    return f"{badge} {where} `{finding.rule}`: {_cell(_plain(finding.message))}"


def _stale(role: RoleDecision, files_url: str | None, head: str | None) -> str:
    """Who approved something that changed since, each linked to the PR's changes
    between the commit they approved and the head (GitHub's files view of a range)."""
    since = dict(role.stale_since)
    people = []
    for login in role.stale:
        commit = since.get(login)
        if files_url and head and commit and commit != head:
            people.append(f"@{login} ([changes since]({files_url}/{commit}..{head}))")
        else:
            people.append(f"@{login}")
    return (
        "Stale approvals (what they approved changed since: this role's files, "
        "or the branch it merges into): " + ", ".join(people)
    )


def _checklist(role: RoleDecision, boxes: bool) -> list[str]:
    if boxes:
        return [
            ticks.box(role.key, item, done, _cell(_plain(item))) for item, done in role.checklist
        ]
    marks = {True: messages.TICKED, False: messages.UNTICKED}
    return [f"- {marks[done]} {_cell(_plain(item))}" for item, done in role.checklist]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _plain(text: str) -> str:
    """Words from findings and config shown as written: a glob's `**` or `*` is not
    emphasis (outside code spans, where a backslash would show)."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # the even parts are outside code spans
        parts[i] = parts[i].replace("*", "\\*")
    return "`".join(parts)
