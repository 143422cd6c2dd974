"""GitHub Actions: the actions a workflow `uses:`, as packages."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, new_dep

_USES = re.compile(r"^\s*-?\s*uses:\s*['\"]?([^\s'\"#@]+)@([^\s'\"#]+)['\"]?(.*)$")
# `@<sha> # v4.2.2`, `# tag=v4.2.2`, `# pin@v4.2.2`: the version a commit pin stands for
_TAG_COMMENT = re.compile(r"#\s*(?:tag\s*[=:]\s*|pin@)?(v?\d[\w.+-]*)")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
# GitHub's own actions: they run in CI and ship nothing, from the platform's publisher.
_GITHUBS_OWN = ("actions/", "github/")


def actions(text: str) -> Parsed:
    """Each `uses: owner/action@ref`. GitHub's own actions count as development
    dependencies (one level lower); a third party's new code running with the
    repository's secrets stays at full weight."""
    out: Parsed = {}
    for number, line in enumerate(split_lines(text), start=1):
        match = _USES.match(line)
        if match and pins_an_action(line):
            name = match.group(1)
            own = name.lower().startswith(_GITHUBS_OWN)
            out[name] = new_dep(name, _ref(match.group(2), match.group(3)), number, True, dev=own)
    return out


def pins_an_action(line: str) -> bool:
    """Whether `line` is a `uses: owner/action@ref` that `actions` reads (and so the
    dependencies detector rates when it changes)."""
    match = _USES.match(line)
    return match is not None and not match.group(1).startswith(("./", "docker://"))


def _ref(ref: str, rest: str) -> str:
    """A commit pin with the tag its comment names reads `v4.2.2 (08c6903cd8c0)`; any
    other ref as written."""
    tag = _TAG_COMMENT.search(rest)
    if _COMMIT.match(ref) and tag is not None:
        return f"{tag.group(1)} ({ref[:12]})"
    return ref
