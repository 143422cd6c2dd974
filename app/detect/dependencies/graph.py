"""GitHub's dependency-graph compare, as the same findings our own parsers give.

`GET /repos/{owner}/{repo}/dependency-graph/compare/{base}...{head}` lists
`added` and `removed` package versions per manifest (a bump is one of each),
with licences and known vulnerabilities. This module turns that list into
dependency findings of the same shape as detector.py: one per package,
classified by our version rules, raised to high (critical for a critical
advisory) when the new version has a known vulnerability, naming it.
Pure: the gateway fetches, this maps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.detect.base import Change, Finding, Kind, Severity
from app.detect.dependencies.changes import change_of, describe, weighed
from app.detect.dependencies.formats import project_of

# GitHub's ecosystem names -> ours (the ones formats.py uses).
ECOSYSTEMS = {
    "pip": "pypi",
    "npm": "npm",
    "go": "golang",
    "cargo": "cargo",
    "rubygems": "gem",
    "composer": "composer",
    "maven": "maven",
    "nuget": "nuget",
    "actions": "github-actions",
    "hex": "hex",
    "pub": "pub",
    "swift": "swift",
    "docker": "docker",
}
LOCKFILE_ADDED = "dependency.lockfile-added"  # detector.py's finding for a new lockfile
_ADVISORY = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "moderate": Severity.HIGH}


def findings(changes: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """One finding per (manifest, ecosystem, package) from the compare response."""
    grouped: dict[tuple[str, str, str], dict[str, Mapping[str, Any]]] = {}
    for change in changes:
        key = (str(change["manifest"]), str(change["ecosystem"]), str(change["name"]))
        grouped.setdefault(key, {})[str(change["change_type"])] = change
    return [_finding(*key, sides) for key, sides in grouped.items()]


def _finding(
    manifest: str, github_ecosystem: str, name: str, sides: dict[str, Mapping[str, Any]]
) -> Finding:
    ecosystem = ECOSYSTEMS.get(github_ecosystem, github_ecosystem)
    old, new = sides.get("removed"), sides.get("added")
    before = str(old["version"]) if old else None
    after = str(new["version"]) if new else None
    change = change_of(ecosystem, before, after)
    rule, severity = weighed(ecosystem, before, after, change)
    current = new or old or {}
    notes = ["development only"] if current.get("scope") == "development" else []
    message = describe(name, before, after, change, ecosystem, *notes)
    advisories = list(new.get("vulnerabilities") or []) if new else []
    if advisories:
        worst = max(_ADVISORY.get(str(a.get("severity")), Severity.MEDIUM) for a in advisories)
        severity = max(severity, worst)
        named = ", ".join(f"{a['advisory_ghsa_id']} ({a['severity']})" for a in advisories[:3])
        message += f"; known vulnerabilities in {after}: {named}"
    extra: dict[str, Any] = {"source": "github-dependency-graph"}
    if current.get("license") is not None:
        extra["license"] = current["license"]
    if advisories:
        extra["advisories"] = [a["advisory_ghsa_id"] for a in advisories]
    return Finding.for_file(
        Kind.DEPENDENCY,
        manifest,
        severity,
        rule,
        message,
        ecosystem=ecosystem,
        package=name,
        from_version=before,
        to_version=after,
        change=change,
        extra=extra,
    )


def replace_ours(ours: list[Finding], graph_findings: list[Finding]) -> list[Finding]:
    """GitHub's graph replaces our comparison where it covers the same packages: the
    same (directory, ecosystem), so a lockfile beside a manifest the graph names (or
    the reverse) is not reported twice."""

    def where(f: Finding) -> tuple[str, str | None]:
        return project_of(f.file or ""), f.ecosystem

    covered = {where(f) for f in graph_findings}
    introduced = {f.file for f in ours if f.rule == LOCKFILE_ADDED}
    kept = [
        f
        for f in ours
        if not (f.kind == Kind.DEPENDENCY and where(f) in covered) or f.rule == LOCKFILE_ADDED
    ]
    return kept + _netted(graph_findings, introduced)


def _netted(found: list[Finding], introduced: set[str | None]) -> list[Finding]:
    """What our own comparison knows, applied to the graph's answer: a package that left
    one manifest for another at the same version moved (no finding), and the packages of
    a lockfile this change adds are pinned, not added, unless a manifest adds them too
    or the version pinned has a known vulnerability."""

    def key(f: Finding) -> tuple[str, str | None, str | None]:
        return project_of(f.file or ""), f.ecosystem, f.package

    added = {key(f): f for f in found if f.change == Change.ADDED and f.file not in introduced}
    removed = {key(f): f for f in found if f.change == Change.REMOVED}
    moved = {
        k for k, f in added.items() if k in removed and removed[k].from_version == f.to_version
    }
    return [
        f
        for f in found
        if key(f) not in moved
        and not (
            f.file in introduced
            and f.change == Change.ADDED
            and key(f) not in added
            and "advisories" not in f.extra
        )
    ]
