"""The terminal report: what a developer reads before pushing."""

from __future__ import annotations

from collections.abc import Callable

import click

from app.detect.base import Finding, Severity
from app.policy.evaluate import Decision, RoleDecision
from app.report import messages
from app.report.common import location, ordered, status_line, worst

Styler = Callable[..., str]
MAX_REASONS_SHOWN = 25
_SEVERITY_COLOURS = {
    Severity.CRITICAL: "red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "white",
}


def render(decision: Decision, *, colour: bool = False, title: str | None = None) -> str:
    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if colour else text  # type: ignore[arg-type]

    lines = []
    scope = f"{decision.files_changed} files, {decision.lines_changed} lines changed"
    lines.append(
        style(f"Release roles{f' for {title}' if title else ''}", bold=True) + f" ({scope})"
    )
    required = decision.required
    if not required:
        lines.append("")
        lines.append(style(messages.NOTHING_REQUIRED, fg="green"))
    for role in sorted(required, key=lambda r: -worst(r)):  # the gravest first
        lines.append("")
        lines.extend(_role(role, style))
    others = [r for r in decision.roles if not r.required]
    if others:
        lines.append("")
        waived = [f"{r.name} (waived: {r.waived_by[0].message})" for r in others if r.waived_by]
        plain = [r.name for r in others if not r.waived_by]
        lines.append(style("Not required: ", dim=True) + ", ".join(plain + waived))
    for note in decision.notes:
        lines.append(style(f"note: {note}", fg="yellow"))
    return "\n".join(lines) + "\n"


def _role(role: RoleDecision, style: Styler) -> list[str]:
    out = [style(f"● {role.name}", bold=True, fg="magenta") + f" — {status_line(role)}"]
    evidence = ordered(role.reasons)
    for finding in evidence[:MAX_REASONS_SHOWN]:
        out.append("  " + _finding(finding, style))
    hidden = len(evidence) - MAX_REASONS_SHOWN
    if hidden > 0:
        out.append(f"  … and {hidden} more (use --format json for all)")
    for item, done in role.checklist:
        out.append(f"  [{'x' if done else ' '}] {item}")
    return out


def _finding(finding: Finding, style: Styler) -> str:
    severity = style(f"{finding.severity.label:<8}", fg=_SEVERITY_COLOURS[finding.severity])
    return f"{severity} {location(finding)}  {style(finding.rule, dim=True)}  {finding.message}"
