"""Path globs: `**`, `*`, `?`, `[...]` and `{a,b}` braces, matched against repo-relative paths.

wcmatch does the matching; a set of globs is compiled into a single regular
expression so that matching thousands of files against dozens of patterns
stays one regex call per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Annotated

import bracex
from pydantic import AfterValidator
from wcmatch import glob as wcglob

_FLAGS = wcglob.GLOBSTAR | wcglob.DOTGLOB | wcglob.NOUNIQUE


class GlobError(ValueError):
    """A glob that cannot mean what its author intended."""


def check_glob(pattern: str) -> str:
    """Reject globs that would silently match nothing; return the normalised glob."""
    if not pattern.strip():
        raise GlobError("empty glob; remove the entry or write a pattern such as 'db/**'")
    if pattern.startswith("/"):
        raise GlobError(
            f"glob {pattern!r} starts with '/'; globs are relative to the repository root, "
            f"write {pattern.lstrip('/')!r}"
        )
    if pattern.startswith("./"):
        raise GlobError(f"glob {pattern!r} starts with './'; write {pattern[2:]!r}")
    # wcmatch reads a backslash as an escape; before anything but a glob
    # metacharacter it is a Windows path separator.
    if re.search(r"\\[^*?\[\]{}!\\]", pattern):
        raise GlobError(f"glob {pattern!r} uses '\\' as a separator; use '/'")
    for opener, closer in ("[]", "{}"):
        if pattern.count(opener) > pattern.count(closer):
            raise GlobError(f"glob {pattern!r} has an unclosed {opener!r}")
    return pattern


def normalise(pattern: str) -> str:
    # A trailing slash names a directory, as in .gitignore: match everything below it.
    return pattern + "**" if pattern.endswith("/") else pattern


Glob = Annotated[str, AfterValidator(check_glob)]
"""A config field holding one glob; invalid ones fail validation with a hint."""


class GlobSet:
    """A compiled set of globs.

    wcmatch's regexes are exact but slow (about 9 us a call), and most paths
    match none of a detector's globs. Each glob therefore carries the longest
    literal run it contains (`/migrations/`, `.lock`): a path without that
    substring cannot match, and the regex runs only for the few that have it.

    Translating a glob to a regex (wcmatch) and compiling it cost about 4 ms a glob; the
    detectors hold a few hundred, and a one-file check needs almost none of them. Each
    glob is therefore translated and compiled the first time a path holds its literal.
    """

    __slots__ = ("_compiled", "_each", "_ignore_case", "patterns")

    def __init__(self, patterns: Iterable[str], *, ignore_case: bool = False) -> None:
        self.patterns: tuple[str, ...] = tuple(normalise(p) for p in patterns)
        self._ignore_case = ignore_case
        self._each = _expand(self.patterns, ignore_case)
        self._compiled: list[tuple[re.Pattern[str], ...] | None] = [None] * len(self._each)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, path: str) -> bool:
        return self.first_match(path) is not None

    def first_match(self, path: str) -> str | None:
        """The first glob that matches `path` (to say in a message why a file counted)."""
        probe = path.lower() if self._ignore_case else path
        for i, (glob, expanded, token) in enumerate(self._each):
            if token not in probe:
                continue
            regexes = self._compiled[i]
            if regexes is None:
                regexes = self._compiled[i] = _compile(expanded, self._ignore_case)
            if any(regex.match(path) for regex in regexes):
                return glob
        return None


@lru_cache(maxsize=512)
def _expand(patterns: Sequence[str], ignore_case: bool) -> tuple[tuple[str, str, str], ...]:
    """(glob, one brace expansion of it, the expansion's literal) for each expansion."""
    out: list[tuple[str, str, str]] = []
    for pattern in patterns:
        for expanded in bracex.expand(pattern):
            token = literal_token(expanded)
            out.append((pattern, expanded, token.lower() if ignore_case else token))
    return tuple(out)


@lru_cache(maxsize=4096)
def _compile(expanded: str, ignore_case: bool) -> tuple[re.Pattern[str], ...]:
    flags = _FLAGS | (wcglob.IGNORECASE if ignore_case else 0)
    included, _excluded = wcglob.translate(expanded, flags=flags)
    return tuple(re.compile(r, re.IGNORECASE if ignore_case else 0) for r in included)


def literal_token(expanded_glob: str) -> str:
    """The longest run of plain characters in a brace-free glob: every match contains it."""
    without_classes = re.sub(r"\[[^\]]*\]", "*", expanded_glob)
    pieces = re.split(r"[*?]+", without_classes)
    # `**/x` also matches `x` at the root, so a leading slash is not guaranteed.
    return max((piece.lstrip("/") for piece in pieces), key=len, default="")


@lru_cache(maxsize=256)
def compiled(patterns: tuple[str, ...], ignore_case: bool = False) -> GlobSet:
    """A shared GlobSet for a tuple of globs (config globs are compiled once per run)."""
    return GlobSet(patterns, ignore_case=ignore_case)
