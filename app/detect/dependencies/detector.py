"""Dependencies: every added, removed, upgraded or downgraded package.

Manifests and lockfiles are found by path (every ecosystem, through the table
in formats.py), then base and head are parsed (parsers/) and compared package
by package, classified by the ecosystem's version rules (versions.py). A package
changed in both a manifest and its lockfile is reported once: exact versions
from the lockfile, the line from the manifest. Formats without a parser, and files
whose contents are not at hand, are reported by path with no `change`, which
a role filtering on `changes:` treats as a match (fail closed). A file that
does not parse is `dependency.unreadable` (medium).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.detect.base import (
    ChangedFile,
    DetectorSettings,
    FileStatus,
    Finding,
    Kind,
    Severity,
)
from app.detect.dependencies.changes import SEVERITY, change_of, describe
from app.detect.dependencies.formats import MANIFEST, Format, Parser, format_of
from app.detect.dependencies.parsers.common import Dep, Parsed, UnreadableError, safely
from app.detect.globs import GlobSet, compiled
from app.detect.pathrules import scoped


class DependencySettings(DetectorSettings):
    pass


# Renovate's default ignorePaths, for the same reason: manifests here are test data,
# samples or someone else's code. `detectors.dependencies.paths` brings them back.
_NOT_A_PROJECT = compiled(
    (
        "**/node_modules/**",
        "**/bower_components/**",
        "**/vendor/**",
        "**/{test,tests,__tests__,spec,fixtures,__fixtures__,testdata,examples}/**",
    )
)


@dataclass
class _Seen:
    """One package's change as one file tells it."""

    ecosystem: str
    name: str
    old: Dep | None
    new: Dep | None
    file: str
    role: str


class DependenciesDetector:
    name = "dependencies"
    kind = Kind.DEPENDENCY
    settings_model = DependencySettings

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        allowed = scoped(settings)
        extra = compiled(tuple(settings.paths))
        findings: list[Finding] = []
        seen: list[_Seen] = []
        go_mod_changed = any(f.path.endswith("go.mod") for f in files)
        for changed in files:
            if not allowed(changed):
                continue
            if _NOT_A_PROJECT.match(changed.path) and not extra.match(changed.path):
                continue  # test fixtures, examples, vendored code: not what ships
            found = _classify(changed, extra)
            if found is None:
                continue
            if found.parse is None:
                if not (changed.path.endswith("go.sum") and go_mod_changed):
                    findings.append(_finding(changed, found.ecosystem or None, found.role))
                continue
            result = _compare(changed, found.ecosystem, found.role, found.parse)
            if isinstance(result, Finding):
                findings.append(result)
            else:
                seen.extend(result)
        findings.extend(_merged(seen))
        return findings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        # base and head are compared parsed; a new file's added lines are all of it
        return (
            scoped(settings)(changed)
            and _parsed_format(changed.path)
            and (changed.status != FileStatus.ADDED or not changed.lines_known)
        )


def _parsed_format(path: str) -> bool:
    found = format_of(path)
    return found is not None and found.parse is not None


def _texts(changed: ChangedFile) -> tuple[str, str] | None:
    """(base, head) text; "" for the side that does not exist; None if unknown."""
    base = "" if changed.status == FileStatus.ADDED else changed.base_text()
    if changed.status == FileStatus.REMOVED:
        head: str | None = ""
    else:
        head = changed.head_text()
        if head is None and changed.status == FileStatus.ADDED and changed.lines_known:
            head = "\n".join(text for _, text in changed.added)
    if base is None or head is None:
        return None
    return base, head


def _compare(
    changed: ChangedFile, ecosystem: str, role: str, parse: Parser
) -> list[_Seen] | Finding:
    texts = _texts(changed)
    if texts is None:
        return _finding(changed, ecosystem, role)  # unclassified: matches every filter
    before: Parsed = {}
    after: Parsed = {}
    for side, text in (("base", texts[0]), ("head", texts[1])):
        try:
            parsed = safely(parse, text) if text.strip() else {}
        except UnreadableError as error:
            return Finding.for_file(
                Kind.DEPENDENCY,
                changed.path,
                Severity.MEDIUM,
                "dependency.unreadable",
                f"{ecosystem} {role} could not be read ({side} version: {error}); "
                "its packages were not compared, so read the change",
                ecosystem=ecosystem,
            )
        if side == "base":
            before = parsed
        else:
            after = parsed
    out = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old is not None and new is not None and old.version == new.version:
            continue
        out.append(_Seen(ecosystem, name, old, new, changed.path, role))
    return out


def _merged(seen: list[_Seen]) -> list[Finding]:
    """One finding per package and project (directory): versions from the lockfile
    (exact), place from the manifest (where a person wrote it)."""
    by_package: dict[tuple[str, str, str], list[_Seen]] = {}
    for item in seen:
        project = item.file.rpartition("/")[0]
        by_package.setdefault((project, item.ecosystem, item.name.lower()), []).append(item)
    return [_package_finding(items) for items in by_package.values()]


def _package_finding(items: list[_Seen]) -> Finding:
    locked = next((i for i in items if i.role == "lockfile"), None)
    declared = next((i for i in items if i.role == "manifest"), None)
    versions = locked or items[0]
    place = declared or items[0]
    old, new = versions.old, versions.new
    before, after = (old.version if old else None), (new.version if new else None)
    change = change_of(versions.ecosystem, before, after)
    direct = True if declared else next((d.direct for d in (new, old) if d is not None), None)
    severity = SEVERITY[change]
    if direct is False:
        severity = Severity(max(Severity.INFO, severity - 1))  # transitive: one level lower
    spot = place.new or place.old
    notes = ["transitive"] if direct is False else []
    message = describe(versions.name, before, after, change, versions.ecosystem, *notes)
    also = sorted({i.file for i in items} - {place.file})
    return Finding.for_line(
        Kind.DEPENDENCY,
        place.file,
        spot.line if spot else None,
        severity,
        f"dependency.{change.value}",
        message + (f"; also in {', '.join(also)}" if also else ""),
        ecosystem=versions.ecosystem,
        package=versions.name,
        from_version=before,
        to_version=after,
        change=change,
        extra=({"direct": direct} if direct is not None else {})
        | ({"also_in": tuple(also)} if also else {}),
    )


def _classify(changed: ChangedFile, extra: GlobSet) -> Format | None:
    """The path's format; a configured extra path is an unknown manifest."""
    found = format_of(changed.path)
    if found is None and extra.match(changed.path):
        return Format("", MANIFEST, extra, None)
    return found


def _finding(changed: ChangedFile, ecosystem: str | None, role: str) -> Finding:
    where = f"{ecosystem} {role}" if ecosystem else f"dependency {role}"
    return Finding.for_file(
        Kind.DEPENDENCY,
        changed.path,
        Severity.LOW,
        f"dependency.{role}-changed",
        f"{where} {changed.status.value}; its packages were not compared "
        "(no parser for this format, or its contents were not available)",
        ecosystem=ecosystem,
    )
