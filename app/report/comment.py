"""The release plan as one sticky PR comment: who must approve and why, who has,
what is missing, and what to type. Edited in place, never posted twice.

A comment notifies whoever it mentions, so it mentions nobody: every `@login` and
`@org/team` is written as code, which GitHub does not turn into a ping (the review
requests already asked the people who must act).
"""

from __future__ import annotations

import re

from app.policy.evaluate import Decision
from app.report import markdown, messages

MARKER = "<!-- release-roles: release plan -->"
COMMENT_LIMIT = 65_536  # GitHub's limit for a comment body
_MENTION = re.compile(r"(?<![\w`/])@([A-Za-z0-9][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)?)")


def plan_comment(
    decision: Decision, files_url: str | None, *, heads_up_org: str | None = None
) -> str:
    """The comment's body; when no role is required, a short one saying so (only an
    existing comment is edited to it: none is created just to say nothing).
    `heads_up_org`: on a draft that already needs roles, their teams (of this org) are
    named, the one mention the comment makes (edits notify nobody: they hear it once)."""
    if not decision.required:
        return f"{MARKER}\n### Release plan\n\n{messages.NOTHING_REQUIRED}\n"
    room = COMMENT_LIMIT - 2_000
    # no counts of files and lines: a push that changes nothing of the plan leaves the
    # comment as it is
    report = markdown.render(decision, files_url=files_url, limit=room, stats=False, boxes=True)
    footer = (
        f"\n---\n_Comment `{messages.RECHECK_COMMAND}` to check again; those allowed to "
        f'waive a role comment `{messages.OVERRIDE_COMMAND} <role> --reason "why"`._\n'
    )
    body = quiet_mentions(f"{report}{footer}")
    notice = _heads_up(decision, heads_up_org) if heads_up_org else ""
    return f"{MARKER}\n### Release plan\n\n{notice}{body}"


def _heads_up(decision: Decision, org: str) -> str:
    lines = []
    for role in decision.required:
        teams = " ".join(f"@{t}" if "/" in t else f"@{org}/{t}" for t in role.teams)
        if not teams or not role.reasons:
            continue
        worst = max(role.reasons, key=lambda f: f.severity)
        lines.append(f"> **Heads-up, {role.name}** {teams}: {worst.message[:200]}")
    if not lines:
        return ""
    return "\n".join(lines) + "\n>\n> " + messages.DRAFT_HEADS_UP + "\n\n"


def quiet_mentions(text: str) -> str:
    """`@login` as code: shown, never a notification."""
    return _MENTION.sub(r"`@\1`", text)
