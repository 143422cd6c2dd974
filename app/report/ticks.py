"""The checklist's task boxes in the release-plan comment, and reading them back.

Each box carries a hidden marker naming its role and item, so an edit of the comment
(a reviewer ticking a box) says exactly which item changed, whatever its words.
"""

from __future__ import annotations

import re

from app.policy.checklist import item_key

_BOX = re.compile(
    r"^\s*- \[(?P<mark>[ xX])\] .*<!-- release-roles:tick (?P<role>[\w.-]+) "
    r"(?P<item>[0-9a-f]{12}) -->\s*$",
    re.MULTILINE,
)


def box(role: str, item: str, done: bool, words: str) -> str:
    """`words`: the item as shown (escaped by the caller)."""
    return f"- [{'x' if done else ' '}] {words} <!-- release-roles:tick {role} {item_key(item)} -->"


def ticked(body: str) -> frozenset[tuple[str, str]]:
    """(role, item key) of every ticked box of ours in a comment body."""
    return frozenset((m["role"], m["item"]) for m in _BOX.finditer(body) if m["mark"] in "xX")
