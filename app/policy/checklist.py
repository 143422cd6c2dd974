"""A role's checklist: which items are ticked, and by whom it counts.

Where the App keeps a release-plan comment, the items are task boxes in it and a tick
counts only when one of the role's reviewers made it (the journal says who ticked
what): an author ticking "rollback plan tested" for the DBA is not the DBA saying so.
Without the comment (the CLI, `summary_comment: false`) the PR description's
`- [x] item` lines are taken at their word, as the description is all there is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from app.policy.facts import Tick

IN_DESCRIPTION = "the PR description"
IN_COMMENT = "the release-plan comment, by the role's reviewers"


def item_key(item: str) -> str:
    """A short stable name for an item, written beside its box in the comment (the
    item's words may hold anything; the key only hex)."""
    return hashlib.sha256(normal(item).encode()).hexdigest()[:12]


def in_description(items: Sequence[str], body: str) -> list[tuple[str, bool]]:
    """Each checklist item and whether the PR body ticks it (`- [x] item`)."""
    ticked = set()
    for line in body.splitlines():
        stripped = line.strip()
        for prefix in ("- [x]", "- [X]", "* [x]", "* [X]"):
            if stripped.startswith(prefix):
                ticked.add(normal(stripped[len(prefix) :]))
    return [(item, normal(item) in ticked) for item in items]


def in_comment(
    role: str, items: Sequence[str], ticks: Sequence[Tick], why_not: Callable[[str], str | None]
) -> tuple[list[tuple[str, bool]], list[str]]:
    """Each item and whether a tick by someone who may tick it stands; and a note for
    each tick that does not count. `why_not(login)`: None if they may, else why not."""
    by_item = {t.item: t.by for t in ticks if t.role == role}
    state, refused = [], []
    for item in items:
        who = by_item.get(item_key(item))
        reason = why_not(who) if who is not None else None
        state.append((item, who is not None and reason is None))
        if who is not None and reason is not None:
            refused.append(f"the tick of @{who} on {item!r} does not count: {reason}")
    return state, refused


def normal(text: str) -> str:
    return " ".join(text.split()).lower()
