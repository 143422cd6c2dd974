"""Routing by path: the layer every built-in detector starts from.

A PathRule says "a changed file matching these globs is a finding of this
rule and severity". Detectors that read content refine or replace these
findings; when a file's lines are unknown (binary, patch omitted, diff
unreadable) the path finding is what still reaches the role, so a big or
odd file never slips through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Finding, Kind, Severity
from app.detect.globs import GlobSet, compiled

# Tests, fixtures and documentation talk about auth and secrets without being
# auth code, and compiled or minified output repeats the source it is built from;
# detectors that route on words skip them.
NOT_CODE = compiled(
    (
        "**/{test,tests,testing,spec,specs,__tests__,__mocks__,fixtures,testdata,test_data}/**",
        "**/__pycache__/**",
        "**/*.{pyc,pyo,min.js,min.css,js.map,css.map}",
        "**/{doc,docs,documentation,examples}/**",
        "**/test_*.py",
        "**/*_test.{py,go,rb,exs}",
        "**/*_spec.rb",
        "**/*.{test,spec}.{js,jsx,ts,tsx,mjs,cjs}",
        "**/*Test.{java,kt}",
        "**/*Tests.cs",
        "**/*.{md,markdown,rst,adoc,txt}",
    ),
    ignore_case=True,
)


@dataclass(frozen=True, slots=True)
class PathRule:
    rule: str
    severity: Severity
    globs: GlobSet
    message: str  # formatted with {path} and {glob}
    statuses: frozenset[FileStatus] | None = None  # None: any status
    skip_non_code: bool = False
    unless: GlobSet | None = None  # files these match never take the rule

    def applies(self, changed: ChangedFile) -> str | None:
        """The glob that makes this rule apply to `changed`, or None."""
        if self.statuses is not None and changed.status not in self.statuses:
            return None
        if self.skip_non_code and NOT_CODE.match(changed.path):
            return None
        if self.unless is not None and self.unless.match(changed.path):
            return None
        return self.globs.first_match(changed.path) or (
            self.globs.first_match(changed.previous_path) if changed.previous_path else None
        )


def rule(
    rule_id: str,
    severity: Severity,
    globs: Sequence[str],
    message: str,
    *,
    ignore_case: bool = False,
    statuses: Iterable[FileStatus] | None = None,
    skip_non_code: bool = False,
    unless: Sequence[str] = (),
) -> PathRule:
    return PathRule(
        rule=rule_id,
        severity=severity,
        globs=compiled(tuple(globs), ignore_case),
        message=message,
        statuses=frozenset(statuses) if statuses is not None else None,
        skip_non_code=skip_non_code,
        unless=compiled(tuple(unless), ignore_case) if unless else None,
    )


def first_rule(changed: ChangedFile, rules: Sequence[PathRule]) -> tuple[PathRule, str] | None:
    for candidate in rules:
        glob = candidate.applies(changed)
        if glob is not None:
            return candidate, glob
    return None


def path_finding(kind: Kind, changed: ChangedFile, matched: PathRule, glob: str) -> Finding:
    return Finding.for_file(
        kind,
        changed.path,
        matched.severity,
        matched.rule,
        matched.message.format(path=changed.path, glob=glob),
    )


def extra_paths_rule(name: str, kind: Kind, settings: DetectorSettings) -> PathRule | None:
    """The rule for `detectors.<name>.paths`: files the repo says belong to this detector."""
    if not settings.paths:
        return None
    return rule(
        f"{kind.value}.configured-path",
        Severity.MEDIUM,
        settings.paths,
        f"{{path}} matches {{glob}} in detectors.{name}.paths",
    )


def scoped(settings: DetectorSettings) -> Callable[[ChangedFile], bool]:
    """A predicate for the files a detector may report on (its `paths_ignore` applied)."""
    ignore = compiled(tuple(settings.paths_ignore))

    def allowed(changed: ChangedFile) -> bool:
        return not ignore.match(changed.path)

    return allowed


def detect_by_path(
    kind: Kind,
    name: str,
    files: Sequence[ChangedFile],
    settings: DetectorSettings,
    rules: Sequence[PathRule],
) -> list[Finding]:
    """One finding per file, from the first rule (or `detectors.<name>.paths`) it matches."""
    allowed = scoped(settings)
    extra = extra_paths_rule(name, kind, settings)
    all_rules = (*rules, extra) if extra is not None else tuple(rules)
    findings = []
    for changed in files:
        if allowed(changed):
            hit = first_rule(changed, all_rules)
            if hit is not None:
                findings.append(path_finding(kind, changed, *hit))
    return findings
