"""One package change, however it was found (our parsers or GitHub's dependency
graph): its kind, its default severity and how it reads in a report."""

from __future__ import annotations

from app.detect.base import Change, Severity
from app.detect.dependencies.versions import classify

SEVERITY = {
    Change.ADDED: Severity.MEDIUM,
    Change.MAJOR: Severity.MEDIUM,
    Change.DOWNGRADE: Severity.MEDIUM,
    Change.REMOVED: Severity.LOW,
    Change.MINOR: Severity.LOW,
    Change.OTHER: Severity.LOW,
    Change.PATCH: Severity.INFO,
}


def change_of(ecosystem: str, before: str | None, after: str | None) -> Change:
    if before is None:
        return Change.ADDED
    if after is None:
        return Change.REMOVED
    return classify(ecosystem, before, after)


def describe(
    name: str, before: str | None, after: str | None, change: Change, ecosystem: str, *notes: str
) -> str:
    """`ms 2.1.2 -> 2.1.3 (npm, patch)`, `semver 7.6.0 added (npm)`: the ecosystem,
    the kind of bump, then `notes`."""
    if change == Change.ADDED:
        return f"{name} {after} added ({', '.join((ecosystem, *notes))})"
    if change == Change.REMOVED:
        return f"{name} {before} removed ({', '.join((ecosystem, *notes))})"
    return f"{name} {before} -> {after} ({', '.join((ecosystem, change.value, *notes))})"
