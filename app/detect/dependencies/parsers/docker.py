"""Container base images: a Dockerfile's FROM lines, as packages."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, new_dep

_FROM = re.compile(
    # registry host:port/ only before a slash, so `python:3.11` is an image and a tag
    r"^\s*FROM\s+(?:--platform=\S+\s+)?([^\s@:]+(?::\d+(?=/))?(?:/[^\s@:]+)*)"
    r"(?::([^\s@]+))?(?:@(\S+))?",
    re.IGNORECASE,
)


def dockerfile(text: str) -> Parsed:
    out: Parsed = {}
    stages: set[str] = set()
    for number, line in enumerate(split_lines(text), start=1):
        match = _FROM.match(line)
        if not match:
            continue
        image, tag, digest = match.groups()
        alias = re.search(r"\bAS\s+(\S+)", line, re.I)
        if image.lower() not in stages and image.lower() != "scratch":
            out[image] = new_dep(image, digest or tag or "latest", number, True)
        if alias:
            stages.add(alias.group(1).lower())
    return out
