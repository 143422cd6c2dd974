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
from dataclasses import dataclass, replace

from app.detect.base import (
    Change,
    ChangedFile,
    DetectorSettings,
    FileStatus,
    Finding,
    Kind,
    Severity,
)
from app.detect.dependencies.changes import change_of, describe, weighed
from app.detect.dependencies.formats import LOCKFILE, MANIFEST, Format, Parser, format_of
from app.detect.dependencies.graph import LOCKFILE_ADDED
from app.detect.dependencies.parsers.common import (
    Dep,
    NotDeclaredError,
    Parsed,
    UnreadableError,
    safely,
)
from app.detect.dependencies.parsers.javascript import npm_scope
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


@dataclass
class _Seen:
    """One package's change as one file tells it."""

    ecosystem: str
    name: str
    old: Dep | None
    new: Dep | None
    file: str
    role: str
    # from a lockfile this change adds: its entries pin what the manifests already ask
    # for (the lockfile is new, not the packages), unless a manifest adds them too
    introduced: bool = False
    # published under the project's own npm scope, as the base's package.json names it
    first_party: bool = False


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
            if not isinstance(result, Finding) and _DEV_FILES.match(changed.path):
                result = [_as_dev(item) for item in result]
            if isinstance(result, Finding):
                findings.append(result)
            else:
                seen.extend(result)
        findings.extend(f for f in _merged(seen) if f is not None)
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
        out.append(_Seen(ecosystem, name, old, new, changed.path, role, introduced, first_party))
    return out


def _own_scope(path: str, base_text: str) -> str | None:
    """The npm scope a package.json publishes under, read at the base: a sibling from it
    (`@tryghost/members-stripe-service` in `@tryghost/members-api`) is the same team's
    code, reviewed where it is made. From the base, so that a change cannot rename the
    project into the scope of what it adds."""
    if not path.endswith("package.json") or not base_text.strip():
        return None
    return npm_scope(base_text)


def _as_dev(item: _Seen) -> _Seen:
    def dev(dep: Dep | None) -> Dep | None:
        return replace(dep, dev=True) if dep is not None else None

    return replace(item, old=dev(item.old), new=dev(item.new))


def _merged(seen: list[_Seen]) -> list[Finding | None]:
    """One finding per package and project (directory): versions from the lockfile
    (exact), place from the manifest (where a person wrote it)."""
    by_package: dict[tuple[str, str, str], list[_Seen]] = {}
    for item in seen:
        project = item.file.rpartition("/")[0]
        by_package.setdefault((project, item.ecosystem, item.name.lower()), []).append(item)
    explained = {project for (project, _, _), items in by_package.items() if _explains(items)}
    findings: list[Finding | None] = []
    pinned: dict[str, list[_Seen]] = {}
    for (project, _, _), items in by_package.items():
        if all(item.introduced for item in items):
            pinned.setdefault(items[0].file, []).append(items[0])
        else:
            findings.append(_package_finding(items, project in explained))
    return findings + [_lockfile_added(file, items) for file, items in pinned.items()]


def _lockfile_added(file: str, items: list[_Seen]) -> Finding:
    """A lockfile this change adds, whose packages no manifest adds in the same change:
    it pins what was already asked for. One finding for it, not one per package."""
    ecosystem = items[0].ecosystem
    return Finding.for_file(
        Kind.DEPENDENCY,
        file,
        Severity.INFO,
        LOCKFILE_ADDED,
        f"{file} added: {len(items)} {ecosystem} packages pinned; no manifest in this "
        "change asks for a new one",
        ecosystem=ecosystem,
        change=Change.OTHER,  # classified: `changes: [added]` is not about it
    )


def _explains(items: list[_Seen]) -> bool:
    """Whether this package's change can bring in new transitive packages: its version
    moved, or it is one the project asks for (a manifest entry, a direct lockfile one)."""
    for item in items:
        dep = item.new or item.old
        if dep is None:
            continue
        bumped = item.old is not None and item.new is not None
        # a lockfile that does not say what is direct: a package added there may be
        # asked for, and is itself reported at full weight
        asked = dep.direct is not False and (
            dep.direct is True or item.role == MANIFEST or item.new is not None
        )
        if bumped or asked:
            return True
    return False


def _package_finding(items: list[_Seen], explained: bool) -> Finding | None:
    locked = next((i for i in items if i.role == "lockfile"), None)
    manifests = [i for i in items if i.role == "manifest"]
    first = manifests[0] if manifests else None
    declared = next((i for i in manifests if i.new is not None), first)
    place = declared or items[0]
    old, new = _versions(locked, items)
    before, after = (old.version if old else None), (new.version if new else None)
    if before == after:
        return None  # moved from one manifest to another (setup.cfg -> pyproject.toml)
    ecosystem = (locked or place).ecosystem
    change = change_of(ecosystem, before, after)
    entry = place.new or place.old  # as the manifest (else the lockfile) writes it
    source = entry if declared else (new or old)
    assert entry is not None  # every change has a side
    assert source is not None
    # a manifest's entry is direct unless the file says otherwise (pip-compile's `via`)
    direct = (source.direct is not False) if declared else source.direct
    notes = _lowering(items, direct, source)
    lowered = len(notes)
    name = source.name
    if (locked or place).name != name:  # keyed name@version: one more copy of it
        notes.append("another copy beside the one the project resolves")
    if direct is False and change == Change.ADDED and not explained:
        # nothing the project asks for changed, so nothing pulled this package in: a
        # lockfile (or a `# via` comment) edited by hand must not make it cheaper
        notes.append("yet nothing that could pull it in changed")
        lowered -= 1
    rule, severity = weighed(ecosystem, before, after, change, lowered)
    message = describe(name, before, after, change, ecosystem, *notes)
    moved = _moved_from(items, place)
    also = sorted({i.file for i in items} - {place.file} - set(moved))
    return Finding.for_line(
        Kind.DEPENDENCY,
        place.file,
        entry.line,
        severity,
        rule,
        message
        + (f"; also in {', '.join(also)}" if also else "")
        + (f"; moved from {', '.join(moved)}" if moved else ""),
        ecosystem=ecosystem,
        package=name,
        from_version=before,
        to_version=after,
        change=change,
        extra=({"direct": direct} if direct is not None else {})
        | ({"dev": True} if source.dev else {})
        | ({"also_in": tuple(also)} if also else {}),
    )


def _lowering(items: list[_Seen], direct: bool | None, source: Dep) -> list[str]:
    """What makes a package's change one level lower each: transitive, development-only,
    from the project's own npm scope, TypeScript declarations (`@types/*`: DefinitelyTyped's
    scope, no code that runs)."""
    notes = (["transitive"] if direct is False else []) + (["dev"] if source.dev else [])
    if any(item.first_party for item in items):
        notes.append("the project's own npm scope")
    if items[0].ecosystem == "npm" and source.name.startswith("@types/"):
        notes.append("type declarations only")
    return notes


def _versions(locked: _Seen | None, items: list[_Seen]) -> tuple[Dep | None, Dep | None]:
    """Before and after: the lockfile's, else across the project's manifests (a package
    removed from one and added to another moved, it was not added)."""
    if locked is not None and locked.introduced:  # no lockfile before: the manifest's word
        old = next((i.old for i in items if i.role == MANIFEST and i.old is not None), None)
        return old, locked.new
    if locked is not None:
        return locked.old, locked.new
    old = next((i.old for i in items if i.old is not None), None)
    new = next((i.new for i in items if i.new is not None), None)
    return old, new


def _moved_from(items: list[_Seen], place: _Seen) -> list[str]:
    return sorted(
        {i.file for i in items if i.role == "manifest" and i.new is None and i is not place}
    )


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
