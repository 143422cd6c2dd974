"""One package change, however it was found (our parsers or GitHub's dependency
graph): its kind, its default severity and how it reads in a report."""

from __future__ import annotations

from app.detect.base import Change, Severity
from app.detect.dependencies.sources import new_source
from app.detect.dependencies.versions import classify, untagged_move

PIN_MOVED = "dependency.pin-moved"
SOURCE_CHANGED = "dependency.source-changed"
_NO_SOURCES = {"github-actions", "docker"}

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


def rule_for(ecosystem: str, before: str | None, after: str | None, change: Change) -> str:
    """`dependency.<change>`, except two changes that security's built-in role calls for
    whatever their kind: an action moved to a commit no tag names (`pin-moved`: a commit
    of any fork of the action's repository resolves under its name, and nothing in the
    diff says what code it is) and a package moved to another source (`source-changed`:
    a registry package now from a git URL, an archive or another package's alias)."""
    if before is not None and after is not None:
        if ecosystem == "github-actions" and untagged_move(before, after):
            return PIN_MOVED
        # (an action's ref or an image's tag may hold a `/`: not a source)
        if ecosystem not in _NO_SOURCES and new_source(before, after):
            return SOURCE_CHANGED
    return f"dependency.{change.value}"


def weighed(
    ecosystem: str, before: str | None, after: str | None, change: Change, lowered: int = 0
) -> tuple[str, Severity]:
    """The rule and severity: a new source weighs like a new package, then `lowered`
    levels less (transitive, development-only), never below info."""
    rule = rule_for(ecosystem, before, after, change)
    base = SEVERITY[Change.ADDED] if rule == SOURCE_CHANGED else SEVERITY[change]
    return rule, Severity(max(Severity.INFO, base - lowered))
