"""Go modules: go.mod's require blocks."""

from __future__ import annotations

from collections.abc import Iterator

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, new_dep


def go_mod(text: str) -> Parsed:
    out: Parsed = {}
    for number, line, raw in directives(text, "require"):
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0]] = new_dep(parts[0], parts[1], number, "// indirect" not in raw)
    return out


def directives(text: str, verb: str) -> Iterator[tuple[int, str, str]]:
    """(line number, directive without its verb or comment, raw line) of each `verb`
    directive, alone (`require a v1`) or in a block (`require (` … `)`)."""
    block = False
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw.split("//", 1)[0].strip()
        if line.startswith(f"{verb} ("):
            block = True
            continue
        if block and line == ")":
            block = False
            continue
        if line.startswith(f"{verb} "):
            line = line.removeprefix(f"{verb} ").strip()
        elif not block:
            continue
        yield number, line, raw
