"""Which notifications a decision calls for, pure: once per PR, role and event.

A role with `notify` targets hears when it becomes required, then when it is approved
or overridden (only if it heard it was required). The text is the role's worst
finding and where to look; findings are redacted before they get here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from app.policy.config import Config, Notify
from app.policy.evaluate import Decision, RoleDecision, RoleState


@dataclass(frozen=True, slots=True)
class Notice:
    role: str  # the role's key
    event: str  # required | approved | overridden
    targets: tuple[Notify, ...]
    text: str


def notices(
    config: Config, decision: Decision, sent: Collection[tuple[str, str]], where: str, url: str
) -> list[Notice]:
    out = []
    for role in decision.required:
        targets = tuple(config.roles[role.key].notify)
        if not targets:
            continue
        event = _event(role)
        if (role.key, event) in sent or (
            event != "required" and (role.key, "required") not in sent
        ):
            continue
        out.append(Notice(role.key, event, targets, _text(role, event, where, url)))
    return out


def _event(role: RoleDecision) -> str:
    if role.state == RoleState.OVERRIDDEN:
        return "overridden"
    return "approved" if role.state == RoleState.APPROVED else "required"


def _text(role: RoleDecision, event: str, where: str, url: str) -> str:
    if event == "approved":
        return f"{where}: {role.name} approved ({', '.join(role.approved_by)}). {url}"
    if event == "overridden" and role.overridden is not None:
        o = role.overridden
        return f"{where}: {role.name} overridden by {o.by}: {o.reason}. {url}"
    worst = max(role.reasons, key=lambda f: f.severity) if role.reasons else None
    why = f" {worst.severity.label}: {worst.message[:300]}" if worst else ""
    return f"{where} needs {role.name}.{why} {url}"
