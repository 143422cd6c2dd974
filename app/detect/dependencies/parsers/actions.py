"""GitHub Actions: the actions a workflow `uses:`, as packages."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, new_dep

_USES = re.compile(r"^\s*-?\s*uses:\s*['\"]?([^\s'\"#@]+)@([^\s'\"#]+)")


def actions(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(split_lines(text), start=1):
        match = _USES.match(line)
        if match and not match.group(1).startswith(("./", "docker://")):
            out[match.group(1)] = new_dep(match.group(1), match.group(2), number, True)
    return out
