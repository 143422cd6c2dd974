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
from dataclasses import replace

from app.detect.base import (
    ChangedFile,
    DetectorSettings,
    FileStatus,
    Finding,
    Kind,
    Severity,
)
from app.detect.dependencies.formats import (
    LOCKFILE,
    MANIFEST,
    Format,
    Parser,
    format_of,
    project_of,
)
from app.detect.dependencies.merging import Key, Seen, merged
from app.detect.dependencies.origins import go_sum_findings, origin_findings
from app.detect.dependencies.parsers.common import (
    Dep,
    NotDeclaredError,
    Parsed,
    UnreadableError,
    safely,
)
from app.detect.dependencies.parsers.javascript import npm_scope
from app.detect.dependencies.registries import config_file, registry_findings
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


# Requirement files for working on the project (requirements/docs.txt,
# requirements-dev.txt, dev-requirements.in), and anything under docs/.
_DEV_FILES = compiled(
    (
        "**/requirements/{dev,develop,docs,doc,test,tests,testing,typing,lint,mypy,style,ci}*.{txt,in}",
        "**/requirements/{tox,build,bench,coverage,pre-commit,tests-*,test-*}*.{txt,in}",
        "**/requirements[-_.]{dev,docs,doc,test,tests,testing,typing,lint,ci}*.{txt,in}",
        "**/{dev,docs,doc,test,tests,testing,typing,lint,ci}[-_]requirements*.{txt,in}",
        "**/{docs,doc}/**",
    ),
    ignore_case=True,
)


class DependenciesDetector:
    name = "dependencies"
    kind = Kind.DEPENDENCY
    settings_model = DependencySettings

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        allowed = scoped(settings)
        extra = compiled(tuple(settings.paths))
        findings: list[Finding] = []
        seen: list[Seen] = []
        installed: dict[Key, str] = {}  # locked at one version on both sides
        go_mod_changed = any(f.path.endswith("go.mod") for f in files)
        for changed in files:
            if not allowed(changed):
                continue
            if _NOT_A_PROJECT.match(changed.path) and not extra.match(changed.path):
                continue  # test fixtures, examples, vendored code: not what ships
            findings.extend(registry_findings(changed))
            found = _classify(changed, extra)
            if found is None:
                continue
            if changed.path.endswith("go.sum") and (texts := _texts(changed)):
                findings.extend(go_sum_findings(changed.path, *texts))
            if found.parse is None:
                if not (changed.path.endswith("go.sum") and go_mod_changed):
                    findings.append(_finding(changed, found.ecosystem or None, found.role))
                continue
            result = _compare(changed, found.ecosystem, found.role, found.parse)
            if isinstance(result, Finding):
                findings.append(result)
                continue
            items, fetched, kept = result
            if _DEV_FILES.match(changed.path):
                items = [_as_dev(item) for item in items]
            seen.extend(items)
            findings.extend(fetched)
            installed.update(kept)
        findings.extend(f for f in merged(seen, installed) if f is not None)
        return findings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        # base and head are compared parsed; a new file's added lines are all of it
        if not scoped(settings)(changed):
            return False
        if (config_file(changed.path) or changed.path.endswith("go.sum")) and (
            changed.status != FileStatus.ADDED
        ):
            return True  # its sources (go.sum: its hashes) at the base, to compare
        return _parsed_format(changed.path) and (
            changed.status != FileStatus.ADDED or not changed.lines_known
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
) -> tuple[list[Seen], list[Finding], dict[Key, str]] | Finding:
    """The packages whose version changed; for a lockfile, also what it now fetches
    from elsewhere (origins.py) and the packages locked at the same version before and
    after (a manifest that adds one asks for what was already installed)."""
    texts = _texts(changed)
    if texts is None:
        return _finding(
            changed, ecosystem, role, readable=True
        )  # unclassified: matches every filter
    before: Parsed = {}
    after: Parsed = {}
    for side, text in (("base", texts[0]), ("head", texts[1])):
        try:
            parsed = safely(parse, text) if text.strip() else {}
        except NotDeclaredError:
            return _finding(changed, ecosystem, role)  # computed: as a format nobody parses
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
    introduced = role == LOCKFILE and changed.status == FileStatus.ADDED
    own = _own_scope(changed.path, texts[0])
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old is not None and new is not None and old.version == new.version:
            continue
        first_party = own is not None and name.startswith(f"{own}/")
        out.append(Seen(ecosystem, name, old, new, changed.path, role, introduced, first_party))
    if role != LOCKFILE:
        return out, [], {}
    project = project_of(changed.path)
    kept = {
        (project, ecosystem, name.lower()): dep.version
        for name, dep in after.items()
        if name in before and before[name].version == dep.version
    }
    return out, origin_findings(changed.path, ecosystem, before, after), kept


def _own_scope(path: str, base_text: str) -> str | None:
    """The npm scope a package.json publishes under, read at the base: a sibling from it
    (`@tryghost/members-stripe-service` in `@tryghost/members-api`) is the same team's
    code, reviewed where it is made. From the base, so that a change cannot rename the
    project into the scope of what it adds."""
    if not path.endswith("package.json") or not base_text.strip():
        return None
    return npm_scope(base_text)


def _as_dev(item: Seen) -> Seen:
    def dev(dep: Dep | None) -> Dep | None:
        return replace(dep, dev=True) if dep is not None else None

    return replace(item, old=dev(item.old), new=dev(item.new))


def _classify(changed: ChangedFile, extra: GlobSet) -> Format | None:
    """The path's format; a configured extra path is an unknown manifest."""
    found = format_of(changed.path)
    if found is None and extra.match(changed.path):
        return Format("", MANIFEST, extra, None)
    return found


def _finding(
    changed: ChangedFile, ecosystem: str | None, role: str, *, readable: bool = False
) -> Finding:
    """A dependency file whose packages were not compared. Medium when we could have
    read it but its contents were not at hand (fail closed: a new dependency may hide
    there); low for formats nobody parses (setup.py, gemspecs, go.sum)."""
    where = f"{ecosystem} {role}" if ecosystem else f"dependency {role}"
    why = "its contents were not available" if readable else "no parser for this format"
    return Finding.for_file(
        Kind.DEPENDENCY,
        changed.path,
        Severity.MEDIUM if readable else Severity.LOW,
        f"dependency.{role}-changed",
        f"{where} {changed.status.value}; its packages were not compared ({why})",
        ecosystem=ecosystem,
    )
