"""The shapes every detector shares: changed files in, findings out."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from app.detect.globs import Glob


class Severity(enum.IntEnum):
    """Ordered so that roles can ask for `min_severity`."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


class Kind(enum.StrEnum):
    MIGRATION = "migration"
    DEPENDENCY = "dependency"
    AUTH = "auth"
    SECRET = "secret"
    INFRA = "infra"
    PATH = "path"
    CONTENT = "content"
    # Not a detector's output: a reason a role is required that is a fact of
    # the pull request (a label, the author, its size) rather than a file.
    CONDITION = "condition"


class Change(enum.StrEnum):
    """How a dependency changed between base and head."""

    ADDED = "added"
    REMOVED = "removed"
    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    DOWNGRADE = "downgrade"
    OTHER = "other"


class FileStatus(enum.StrEnum):
    """The vocabulary of GitHub's pulls/files API, which git's diff maps onto."""

    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"
    RENAMED = "renamed"
    COPIED = "copied"
    CHANGED = "changed"  # mode or type change only
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Finding:
    """One fact a detector noticed, located as precisely as it could be."""

    kind: Kind
    file: str | None
    line: int | None
    severity: Severity
    rule: str
    message: str
    # Dependency facts; None for other kinds.
    ecosystem: str | None = None
    package: str | None = None
    from_version: str | None = None
    to_version: str | None = None
    change: Change | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def for_line(
        cls,
        kind: Kind,
        file: str,
        line: int | None,
        severity: Severity,
        rule: str,
        message: str,
        **facts: Any,
    ) -> Finding:
        """A finding on one line of a file (None: the line is not known)."""
        return cls(kind, file, line, severity, rule, message, **facts)

    @classmethod
    def for_file(
        cls, kind: Kind, file: str, severity: Severity, rule: str, message: str, **facts: Any
    ) -> Finding:
        """A finding about a whole file."""
        return cls(kind, file, None, severity, rule, message, **facts)

    @classmethod
    def for_change(
        cls, kind: Kind, severity: Severity, rule: str, message: str, **facts: Any
    ) -> Finding:
        """A finding about the change as a whole (no file)."""
        return cls(kind, None, None, severity, rule, message, **facts)

    def sort_key(self) -> tuple[bool, str, int, str, str]:
        return (self.file is None, self.file or "", self.line or 0, self.rule, self.message)


def split_lines(text: str) -> list[str]:
    """A file's lines as git numbers them: split at "\n" only (str.splitlines would
    also split at form feeds, vertical tabs, U+2028 and more, and shift every line
    number after them), a CRLF line ending dropped with its "\r"."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def blank_or_hash_comment(line: str) -> bool:
    """Blank, or a whole-line `#` comment: YAML, env files, lockfiles, requirements."""
    stripped = line.lstrip()
    return not stripped or stripped.startswith("#")


ContentLoader = Callable[[str], "str | None"]
"""Returns a file's full text at one side of the diff, or None if it has none there."""


@dataclass(slots=True, eq=False)
class ChangedFile:
    """One file of a diff: what changed, line by line, and a lazy way to read it whole.

    Line numbers are 1-based; `added` lines are numbered in the head version,
    `removed` lines in the base version.
    """

    path: str
    status: FileStatus
    previous_path: str | None = None
    added: list[tuple[int, str]] = field(default_factory=list)
    removed: list[tuple[int, str]] = field(default_factory=list)
    patch: str | None = None
    binary: bool = False
    # GitHub leaves `patch` out for very large diffs; then lines are unknown
    # but the counts are still right.
    patch_missing: bool = False
    # Set when this file's part of the diff could not be parsed: detectors then
    # fall back to what the path alone tells, and the report says so.
    parse_error: str | None = None
    additions: int = 0
    deletions: int = 0
    old_mode: str | None = None
    new_mode: str | None = None
    # the head version's git blob SHA, when the source gives it (GitHub's file list):
    # the same SHA is the same text in any commit, so it is read once
    blob: str | None = None
    base_loader: ContentLoader | None = None
    head_loader: ContentLoader | None = None
    _base_text: str | None = field(default=None, repr=False)
    _head_text: str | None = field(default=None, repr=False)
    _loaded: set[str] = field(default_factory=set, repr=False)

    @property
    def base_path(self) -> str:
        return self.previous_path or self.path

    def base_text(self) -> str | None:
        """The whole file before the change (None when added, binary or unavailable)."""
        if "base" not in self._loaded:
            self._loaded.add("base")
            if self.base_loader is not None and self.status != FileStatus.ADDED:
                self._base_text = self.base_loader(self.base_path)
        return self._base_text

    def head_text(self) -> str | None:
        """The whole file after the change (None when removed, binary or unavailable)."""
        if "head" not in self._loaded:
            self._loaded.add("head")
            if self.head_loader is not None and self.status != FileStatus.REMOVED:
                self._head_text = self.head_loader(self.path)
        return self._head_text

    @property
    def lines_known(self) -> bool:
        """False when the diff did not say which lines changed (binary, or patch omitted)."""
        return not (self.binary or self.patch_missing or self.parse_error)


class DetectorSettings(BaseModel):
    """The `detectors.<name>` block every detector accepts; detectors may add keys."""

    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool = True
    paths: list[Glob] = Field(
        default_factory=list, description="Extra paths this detector treats as its own."
    )
    paths_ignore: list[Glob] = Field(
        default_factory=list, description="Paths this detector never reports on."
    )


class Detector(Protocol):
    """A pure function from changed files to findings, configured per repository."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> Kind: ...

    @property
    def settings_model(self) -> type[DetectorSettings]: ...

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        """Return every finding in `files`; bad input is reported as a finding, never raised."""
        ...

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        """Whether `detect` reads this file's whole base and head text (`base_text()`,
        `head_text()`), so the App fetches them before detection; the CLI reads them
        from git on demand either way."""
        ...
