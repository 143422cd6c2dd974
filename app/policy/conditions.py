"""Does one `when`/`unless` entry hold for a pull request, and what is the evidence?

An entry holds when every key in it holds. Keys that look at files
(`detector`, `paths`, `content`) yield the findings that made them hold: those
are the role's reasons, with file and line. Keys that look at the pull request
(`labels`, `authors`, sizes, ...) are gates; when an entry has only gates, the
reason is a `condition` finding that says which fact held.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from app.detect.base import ChangedFile, Finding, Kind, Severity
from app.detect.globs import GlobSet, compiled
from app.detect.registry import DETECTORS, UNREADABLE
from app.policy.config import Condition
from app.policy.facts import PullFacts

DETECTOR_KINDS: Mapping[str, Kind] = {name: d.kind for name, d in DETECTORS.items()}
MAX_CONTENT_HITS_PER_FILE = 20


@dataclass
class PullView:
    """The diff, its findings and the PR facts, indexed once for every condition."""

    files: Sequence[ChangedFile]
    findings: Sequence[Finding]
    facts: PullFacts
    # whether a set label may waive a role (policy/overrides.py: who set it)
    label_waives: Callable[[str], bool] = lambda _label: True
    by_kind: dict[Kind, list[Finding]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_kind = {}
        for finding in self.findings:
            self.by_kind.setdefault(finding.kind, []).append(finding)

    @cached_property
    def unreadable(self) -> list[Finding]:
        """Files no rule could read: evidence for every detector and content condition."""
        return [f for f in self.findings if f.rule == UNREADABLE]

    @cached_property
    def lines_changed(self) -> int:
        return sum(f.additions + f.deletions for f in self.files)

    @cached_property
    def labels(self) -> frozenset[str]:
        return frozenset(label.lower() for label in self.facts.labels)


def evidence(
    condition: Condition, view: PullView, *, waiving: bool = False
) -> list[Finding] | None:
    """The reasons `condition` holds, or None when it does not. `waiving`: it is an
    `unless` entry, whose labels count only when someone allowed set them."""
    gate_reasons = _gates(condition, view, waiving)
    if gate_reasons is None:
        return None
    include = compiled(tuple(condition.paths or ()))
    ignore = compiled(tuple(condition.paths_ignore or ()))
    if condition.detector is not None:
        found = _detector_findings(condition, view, include, ignore)
    elif condition.content is not None:
        found = _content_findings(condition.content, view.files, include, ignore)
        found += _unread(view, include, ignore)
    elif condition.paths is not None:
        found = _path_findings(view.files, include, ignore)
    else:
        return gate_reasons
    return found or None


def _gates(condition: Condition, view: PullView, waiving: bool) -> list[Finding] | None:
    facts = view.facts
    reasons: list[Finding] = []
    if condition.labels is not None:
        hit = [
            label
            for label in condition.labels
            if label.lower() in view.labels and (not waiving or view.label_waives(label))
        ]
        if not hit:
            return None
        reasons.append(_fact("condition.labels", f"label {hit[0]!r} is set"))
    if condition.base_branches is not None:
        branches = compiled(tuple(condition.base_branches))
        if facts.base_branch is None or not branches.match(facts.base_branch):
            return None
        reasons.append(_fact("condition.base-branch", f"targets {facts.base_branch}"))
    author = (facts.author or "").lower()
    if condition.authors is not None:
        if author not in {a.lower() for a in condition.authors}:
            return None
        reasons.append(_fact("condition.author", f"opened by {facts.author}"))
    if condition.not_authors is not None:
        if author in {a.lower() for a in condition.not_authors}:
            return None
        reasons.append(_fact("condition.not-author", f"not opened by {facts.author or 'them'}"))
    if condition.lines_changed is not None:
        if not condition.lines_changed.holds(view.lines_changed):
            return None
        reasons.append(_fact("condition.lines-changed", f"{view.lines_changed} lines changed"))
    if condition.files_changed is not None:
        if not condition.files_changed.holds(len(view.files)):
            return None
        reasons.append(_fact("condition.files-changed", f"{len(view.files)} files changed"))
    return reasons


def _fact(rule: str, message: str) -> Finding:
    return Finding.for_change(Kind.CONDITION, Severity.INFO, rule, message)


def _in_scope(path: str | None, include: GlobSet, ignore: GlobSet) -> bool:
    if path is None:
        return not include
    return (not include or include.match(path)) and not ignore.match(path)


def _detector_findings(
    condition: Condition, view: PullView, include: GlobSet, ignore: GlobSet
) -> list[Finding]:
    assert condition.detector is not None
    floor = condition.min_severity_level
    rules = compiled(tuple(condition.rules)) if condition.rules else None
    changes = condition.change_kinds
    ecosystems = {e.lower() for e in condition.ecosystems} if condition.ecosystems else None
    kept = []
    for finding in view.by_kind.get(DETECTOR_KINDS[condition.detector], ()):
        if floor is not None and finding.severity < floor:
            continue
        if rules is not None and not rules.match(finding.rule):
            continue
        # A dependency finding we could not classify matches every filter:
        # not knowing what changed must not hide a new dependency.
        if changes is not None and finding.change is not None and finding.change not in changes:
            continue
        ecosystem = (finding.ecosystem or "").lower()
        if ecosystems is not None and ecosystem and ecosystem not in ecosystems:
            continue
        if _in_scope(finding.file, include, ignore):
            kept.append(finding)
    return kept + _unread(view, include, ignore)


def _unread(view: PullView, include: GlobSet, ignore: GlobSet) -> list[Finding]:
    return [f for f in view.unreadable if _in_scope(f.file, include, ignore)]


def _path_findings(
    files: Sequence[ChangedFile], include: GlobSet, ignore: GlobSet
) -> list[Finding]:
    found = []
    for changed in files:
        # a rename counts under both names: moving a file out of `db/` touches `db/`
        for path in dict.fromkeys((changed.path, changed.base_path)):
            if _in_scope(path, include, ignore):
                glob = include.first_match(path)
                moved = f", from {changed.base_path}" if path != changed.path else ""
                found.append(
                    Finding.for_file(
                        Kind.PATH,
                        changed.path,
                        Severity.INFO,
                        "path.match",
                        f"{path} matches {glob} ({changed.status.value}{moved})",
                    )
                )
                break
    return found


def _content_findings(
    pattern: str, files: Sequence[ChangedFile], include: GlobSet, ignore: GlobSet
) -> list[Finding]:
    regex = re.compile(pattern)
    found = []
    for changed in files:
        if not _in_scope(changed.path, include, ignore):
            continue
        hits = 0
        for number, text in changed.added:
            if regex.search(text):
                found.append(
                    Finding.for_line(
                        Kind.CONTENT,
                        changed.path,
                        number,
                        Severity.INFO,
                        "content.match",
                        f"added line matches /{pattern}/",
                    )
                )
                hits += 1
                if hits >= MAX_CONTENT_HITS_PER_FILE:
                    break
    return found
