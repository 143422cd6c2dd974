"""Bundler: Gemfile (and gems.rb) and Gemfile.lock (and gems.locked)."""

from __future__ import annotations

import re
from dataclasses import replace

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, UnreadableError, new_dep


def gemfile_lock(text: str) -> Parsed:
    """GEM, GIT and PATH sections (each gem with its section's `remote:`), DEPENDENCIES
    (what the Gemfile asks for) and Bundler 2.5's CHECKSUMS (a registry gem's sha256)."""
    out: Parsed = {}
    section = remote = ""
    direct: set[str] = set()
    checksums: dict[str, str] = {}
    for number, line in enumerate(split_lines(text), start=1):
        if line and not line.startswith(" "):
            section, remote = line.strip(), ""
            continue
        if line.startswith("  remote: "):
            remote = line.split(":", 1)[1].strip()
        if section in ("GEM", "GIT", "PATH"):
            match = re.match(r"^    ([^\s(]+) \(([^)]+)\)$", line)
            if match:
                version = match.group(2).split("-")[0] if "-" in match.group(2) else match.group(2)
                origin = remote if section != "PATH" else None  # PATH: the repository's own
                out[match.group(1)] = new_dep(match.group(1), version, number, origin=origin)
        elif section == "DEPENDENCIES":
            direct.add(line.strip().split(" ", 1)[0].rstrip("!"))
        elif section == "CHECKSUMS" and (found := _CHECKSUM.match(line)):
            checksums[found.group(1)] = found.group(2)
    if not out and "GEM" not in text:
        raise UnreadableError("no GEM section")
    return {k: replace(d, direct=k in direct, digest=checksums.get(k)) for k, d in out.items()}


# `  rack (3.0.8) sha256=…` (a platform gem's version carries its platform)
_CHECKSUM = re.compile(r"^  ([^\s(]+) \([^)]+\) (sha256=[0-9a-f]+)")


_GEM = re.compile(r"""^\s*gem\s+["']([^"']+)["'](?:\s*,\s*["']([^"']+)["'])?""")


def gemfile(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(split_lines(text), start=1):
        match = _GEM.match(line)
        if match:
            out[match.group(1)] = new_dep(match.group(1), match.group(2) or "*", number, True)
    return out
