"""What is wrong with a config, and where: file:line:col, a message and a hint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    source: str
    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        hint = f"\n  hint: {self.hint}" if self.hint else ""
        return f"{self.source}:{self.line}:{self.column}: {self.message}{hint}"


class ConfigError(Exception):
    """The config cannot be used; `issues` says every reason found, with positions."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class ExtendsError(Exception):
    """The resolver could not find the file named by `extends:`."""
