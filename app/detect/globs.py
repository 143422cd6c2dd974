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

from pydantic import AfterValidator
from wcmatch import glob as wcglob

_FLAGS = wcglob.GLOBSTAR | wcglob.BRACE | wcglob.DOTGLOB | wcglob.NOUNIQUE


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
    """A compiled set of globs; `match` answers in one regex search."""

    __slots__ = ("_any", "_each", "patterns")

    def __init__(self, patterns: Iterable[str], *, ignore_case: bool = False) -> None:
        self.patterns: tuple[str, ...] = tuple(normalise(p) for p in patterns)
        translated = _translate(self.patterns, ignore_case)
        flags = re.IGNORECASE if ignore_case else 0
        # Braces expand to several regexes per glob, so each keeps its glob.
        self._each = tuple((glob, re.compile(r, flags)) for glob, r in translated)
        regexes = [r for _, r in translated]
        self._any = re.compile("|".join(f"(?:{r})" for r in regexes), flags) if regexes else None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, path: str) -> bool:
        return self._any is not None and self._any.match(path) is not None

    def first_match(self, path: str) -> str | None:
        """The first glob that matches `path`, to say in a message why a file counted."""
        if not self.match(path):
            return None
        for pattern, regex in self._each:
            if regex.match(path):
                return pattern
        return None  # pragma: no cover - the combined regex matched, so one of these does


@lru_cache(maxsize=512)
def _translate(patterns: Sequence[str], ignore_case: bool) -> tuple[tuple[str, str], ...]:
    flags = _FLAGS | (wcglob.IGNORECASE if ignore_case else 0)
    regexes: list[tuple[str, str]] = []
    for pattern in patterns:
        included, _excluded = wcglob.translate(pattern, flags=flags)
        regexes.extend((pattern, regex) for regex in included)
    return tuple(regexes)


@lru_cache(maxsize=256)
def compiled(patterns: tuple[str, ...], ignore_case: bool = False) -> GlobSet:
    """A shared GlobSet for a tuple of globs (config globs are compiled once per run)."""
    return GlobSet(patterns, ignore_case=ignore_case)
