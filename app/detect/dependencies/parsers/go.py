"""Go modules: go.mod's require blocks."""

from __future__ import annotations

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, new_dep


def go_mod(text: str) -> Parsed:
    out: Parsed = {}
    block = False
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw.split("//", 1)[0].strip()
        indirect = "// indirect" in raw
        if line.startswith("require ("):
            block = True
            continue
        if block and line == ")":
            block = False
            continue
        if line.startswith("require "):
            line = line.removeprefix("require ").strip()
        elif not block:
            continue
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0]] = new_dep(parts[0], parts[1], number, not indirect)
    return out
