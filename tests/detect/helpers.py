"""Small builders of changed files, and the rules a detector finds in them."""

from __future__ import annotations

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from app.detect.base import ChangedFile, FileStatus
from app.detect.registry import DETECTORS


def added(path: str, text: str = "", status: FileStatus = FileStatus.ADDED) -> ChangedFile:
    lines = list(enumerate(text.splitlines(), start=1))
    return ChangedFile(path=path, status=status, added=lines, additions=len(lines))


def rules_for(detector: str, *files: ChangedFile, **settings: object) -> list[str]:
    model = DETECTORS[detector].settings_model
    return [f.rule for f in DETECTORS[detector].detect(list(files), model(**settings))]
