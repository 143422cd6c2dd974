"""Hex: mix.exs and mix.lock."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, UnreadableError, new_dep

_MIX_DEP = re.compile(r"\{\s*:(\w+)\s*,\s*\"([^\"]+)\"")


_MIX_LOCK = re.compile(
    r"^\s*\"([\w-]+)\":\s*\{\s*:(?:hex|git)\s*,\s*:?[\w\"]+\s*,\s*\"([^\"]+)\"", re.MULTILINE
)


def mix_exs(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(split_lines(text), start=1):
        for match in _MIX_DEP.finditer(line):
            out[match.group(1)] = new_dep(match.group(1), match.group(2), number, True)
    return out


def mix_lock(text: str) -> Parsed:
    out: Parsed = {}
    for match in _MIX_LOCK.finditer(text):
        out[match.group(1)] = new_dep(
            match.group(1), match.group(2), text.count("\n", 0, match.start()) + 1
        )
    if not out and text.strip() not in ("", "%{}"):
        raise UnreadableError("no packages found")
    return out
