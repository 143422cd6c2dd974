"""Changed files with added and removed lines, and what a detector finds in them.

The content-rule cases in auth/, secrets/ and infra/ are ours, modelled on the shapes
CodeQL's query tests, bandit's examples and gitleaks' rule tests exercise. Every
token in them is fake: built from the documented format with filler characters.
"""

from __future__ import annotations

import textwrap

from app.detect.base import ChangedFile, FileStatus, Finding, Severity
from app.detect.registry import DETECTORS


def change(
    path: str, added: str = "", removed: str = "", status: FileStatus | None = None
) -> ChangedFile:
    add = textwrap.dedent(added).strip("\n").splitlines() if added else []
    rem = textwrap.dedent(removed).strip("\n").splitlines() if removed else []
    return ChangedFile(
        path=path,
        status=status or (FileStatus.MODIFIED if removed else FileStatus.ADDED),
        added=list(enumerate(add, start=1)),
        removed=list(enumerate(rem, start=1)),
        additions=len(add),
        deletions=len(rem),
    )


def found(detector: str, *files: ChangedFile) -> list[Finding]:
    own = DETECTORS[detector]
    return own.detect(list(files), own.settings_model())


def rules(detector: str, *files: ChangedFile) -> dict[str, Severity]:
    return {f.rule: f.severity for f in found(detector, *files) if not f.rule.endswith(".path")}


def infra(path: str, text: str) -> dict[str, Severity]:
    return {f.rule: f.severity for f in found("infra", change(path, text)) if f.line is not None}
