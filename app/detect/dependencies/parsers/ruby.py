"""Bundler: Gemfile (and gems.rb) and Gemfile.lock (and gems.locked)."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Dep, Parsed, UnreadableError, new_dep


def gemfile_lock(text: str) -> Parsed:
    out: Parsed = {}
    section = ""
    direct: set[str] = set()
    for number, line in enumerate(split_lines(text), start=1):
        if line and not line.startswith(" "):
            section = line.strip()
            continue
        if section in ("GEM", "GIT", "PATH"):
            match = re.match(r"^    ([^\s(]+) \(([^)]+)\)$", line)
            if match:
                version = match.group(2).split("-")[0] if "-" in match.group(2) else match.group(2)
                out[match.group(1)] = new_dep(match.group(1), version, number)
        elif section == "DEPENDENCIES":
            direct.add(line.strip().split(" ", 1)[0].rstrip("!"))
    if not out and "GEM" not in text:
        raise UnreadableError("no GEM section")
    return {k: Dep(d.name, d.version, d.line, k in direct, d.exact) for k, d in out.items()}


_GEM = re.compile(r"""^\s*gem\s+["']([^"']+)["'](?:\s*,\s*["']([^"']+)["'])?""")


def gemfile(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(split_lines(text), start=1):
        match = _GEM.match(line)
        if match:
            out[match.group(1)] = new_dep(match.group(1), match.group(2) or "*", number, True)
    return out
