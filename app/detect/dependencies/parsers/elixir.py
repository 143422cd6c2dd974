"""Hex: mix.exs and mix.lock."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, UnreadableError, new_dep

_MIX_DEP = re.compile(r"\{\s*:(\w+)\s*,\s*\"([^\"]+)\"")


_MIX_LOCK = re.compile(
    r"^\s*\"([\w-]+)\":\s*\{\s*:(?:hex|git)\s*,\s*:?[\w\"]+\s*,\s*\"([^\"]+)\"", re.MULTILINE
)


# `…, "hexpm", "<outer checksum>"},` at the end of a Hex entry's line
_MIX_HEX = re.compile(r"\"([\w:.-]+)\"\s*,\s*\"([0-9a-f]{64})\"\s*\}\s*,?\s*$")


def mix_exs(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(split_lines(text), start=1):
        for match in _MIX_DEP.finditer(line):
            out[match.group(1)] = new_dep(match.group(1), match.group(2), number, True)
    return out


def mix_lock(text: str) -> Parsed:
    out: Parsed = {}
    for match in _MIX_LOCK.finditer(text):
        end = text.find("\n", match.start())
        line = text[match.start() : end if end >= 0 else None]  # mix writes one per line
        hexed = _MIX_HEX.search(line)  # a Hex package: the repository and its checksum
        out[match.group(1)] = new_dep(
            match.group(1),
            match.group(2),
            text.count("\n", 0, match.start()) + 1,
            origin=hexed.group(1) if hexed else None,
            digest=f"sha256:{hexed.group(2)}" if hexed else None,
        )
    if not out and text.strip() not in ("", "%{}"):
        raise UnreadableError("no packages found")
    return out
