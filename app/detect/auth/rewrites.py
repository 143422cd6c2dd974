"""Risky lines a change only rewrites: the base had the same switch in the same place.

A formatter that turns `'CERT_NONE'` into `"CERT_NONE"`, a rename of the variable a
context is kept in (`ssl_context.verify_mode = ssl.CERT_NONE` → `ctx.verify_mode = …`),
a `csrf.exempt(dest)` indented under a new `if`: each removes the risky line and adds it
back, and a line rule reads the added line as new. On release diffs of real projects
these were a good part of the high auth findings (requests' move to black, httpx's
rename, CKAN's exemption moved under a guard); they are reported at low, still routed
to security under the built-in defaults, and no longer claim a new risk.

"The same place" is the same hunk: the removed line and the added one sit in one
`@@` block of the file's diff. A switch moved to another function of the file (a
separate hunk, or a hunk that adds more copies than it removes) stays as high as
it was: where a switch sits is what makes it dangerous.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable, Iterable

from app.detect.auth import rules as r
from app.detect.auth.structural import Hit
from app.detect.base import split_lines
from app.detect.diff import HUNK

_RISKS = {risk.rule: risk for risk in r.RISKS}
_SPACE = re.compile(r"\s+")
Code = tuple[int, str, str]  # line, code, lower-cased code
Hunks = list[tuple[range, range]]  # each hunk's base lines and head lines


def rewritten(
    patch: str | None,
    added: Iterable[Code],
    removed: Iterable[Code],
    hit_of: Callable[[int, str, str], Hit | None],
) -> dict[int, int]:
    """Head line → the base line it rewrites, for added lines whose risky switch a
    removed line of the same hunk already had (the same words, spacing and quotes
    aside); each removed line pays for one added line."""
    if not patch:
        return {}
    hunks = _hunks(patch)
    before: dict[tuple[int, str, str], collections.deque[int]] = collections.defaultdict(
        collections.deque
    )
    for number, code, low in removed:
        key = _key(hit_of(number, code, low), code, _hunk(hunks, number, head=False))
        if key is not None:
            before[key].append(number)
    out: dict[int, int] = {}
    for number, code, low in added:
        key = _key(hit_of(number, code, low), code, _hunk(hunks, number, head=True))
        if key is not None and before.get(key):
            out[number] = before[key].popleft()
    return out


def _key(hit: Hit | None, code: str, hunk: int | None) -> tuple[int, str, str] | None:
    if hit is None or hit.rule not in _RISKS or hunk is None:
        return None
    match = _RISKS[hit.rule].pattern.search(code)
    if match is None:
        return None
    return hunk, hit.rule, _SPACE.sub("", match.group(0)).replace("'", '"')


def _hunks(patch: str) -> Hunks:
    out: Hunks = []
    for line in split_lines(patch):  # git's lines: a form feed inside one splits nothing
        header = HUNK.match(line)
        if header is not None:
            old, old_count, new, new_count = header.groups()
            base, head = int(old), int(new)
            out.append(
                (range(base, base + int(old_count or 1)), range(head, head + int(new_count or 1)))
            )
    return out


def _hunk(hunks: Hunks, number: int, *, head: bool) -> int | None:
    for index, (base, after) in enumerate(hunks):
        if number in (after if head else base):
            return index
    return None
