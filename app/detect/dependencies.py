"""Dependencies: every added, removed, upgraded or downgraded package.

Manifests and lockfiles are found by path (every ecosystem), then base and
head are parsed (deps/parsers.py) and compared package by package, classified
by the ecosystem's version rules (deps/versions.py). A package changed in both
a manifest and its lockfile is reported once: exact versions from the
lockfile, the line from the manifest. Formats without a parser, and files
whose contents are not at hand, are reported by path with no `change`, which
a role filtering on `changes:` treats as a match (fail closed). A file that
does not parse is `dependency.unreadable` (medium).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.detect.base import (
    ChangedFile,
    DetectorSettings,
    FileStatus,
    Finding,
    Kind,
    Severity,
)
from app.detect.deps import parsers
from app.detect.deps.changes import SEVERITY, change_of, describe
from app.detect.globs import GlobSet, compiled
from app.detect.pathrules import scoped


class DependencySettings(DetectorSettings):
    pass


@dataclass(frozen=True, slots=True)
class DependencyFiles:
    ecosystem: str
    manifests: GlobSet
    lockfiles: GlobSet


def _eco(ecosystem: str, manifests: Sequence[str], lockfiles: Sequence[str]) -> DependencyFiles:
    return DependencyFiles(ecosystem, compiled(tuple(manifests)), compiled(tuple(lockfiles)))


ECOSYSTEMS: tuple[DependencyFiles, ...] = (
    _eco(
        "pypi",
        [
            "**/requirements*.{txt,in}",
            "**/requirements/*.{txt,in}",
            "**/pyproject.toml",
            "**/Pipfile",
            "**/setup.py",
            "**/setup.cfg",
        ],
        ["**/poetry.lock", "**/uv.lock", "**/Pipfile.lock", "**/pdm.lock"],
    ),
    _eco(
        "npm",
        ["**/package.json"],
        [
            "**/package-lock.json",
            "**/npm-shrinkwrap.json",
            "**/yarn.lock",
            "**/pnpm-lock.yaml",
            "**/bun.lock",
            "**/bun.lockb",
        ],
    ),
    _eco("golang", ["**/go.mod", "**/go.work"], ["**/go.sum", "**/vendor/modules.txt"]),
    _eco("cargo", ["**/Cargo.toml"], ["**/Cargo.lock"]),
    _eco(
        "gem", ["**/Gemfile", "**/*.gemspec", "**/gems.rb"], ["**/Gemfile.lock", "**/gems.locked"]
    ),
    _eco("composer", ["**/composer.json"], ["**/composer.lock"]),
    _eco(
        "maven",
        ["**/pom.xml", "**/*.gradle", "**/*.gradle.kts", "**/gradle/libs.versions.toml"],
        ["**/gradle.lockfile", "**/gradle/verification-metadata.xml"],
    ),
    _eco(
        "nuget",
        [
            "**/*.csproj",
            "**/*.fsproj",
            "**/*.vbproj",
            "**/Directory.Packages.props",
            "**/packages.config",
        ],
        ["**/packages.lock.json"],
    ),
    _eco("hex", ["**/mix.exs"], ["**/mix.lock"]),
    _eco("pub", ["**/pubspec.yaml"], ["**/pubspec.lock"]),
    _eco("swift", ["**/Package.swift", "**/Podfile"], ["**/Package.resolved", "**/Podfile.lock"]),
    _eco(
        "docker",
        ["**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/Containerfile"],
        [],
    ),
    _eco(
        "github-actions",
        ["**/.github/workflows/*.{yml,yaml}", "**/action.{yml,yaml}"],
        [],
    ),
    _eco("terraform", [], ["**/.terraform.lock.hcl"]),
)


# Parsers by file name; files with none (setup.py, setup.cfg, gemspecs, bun, pub,
# Swift, Terraform's lock, go.sum …) are still reported by path, unclassified.
PARSERS: tuple[tuple[GlobSet, str, Callable[[str], parsers.Parsed]], ...] = tuple(
    (compiled(tuple(globs)), role, parse)
    for globs, role, parse in (
        (
            ["**/requirements*.{txt,in}", "**/requirements/*.{txt,in}"],
            "manifest",
            parsers.requirements,
        ),
        (["**/pyproject.toml"], "manifest", parsers.pyproject),
        (["**/poetry.lock", "**/uv.lock", "**/pdm.lock"], "lockfile", parsers.toml_packages),
        (["**/Pipfile.lock"], "lockfile", parsers.pipfile_lock),
        (["**/package.json"], "manifest", parsers.package_json),
        (["**/package-lock.json", "**/npm-shrinkwrap.json"], "lockfile", parsers.package_lock),
        (["**/yarn.lock"], "lockfile", parsers.yarn_lock),
        (["**/pnpm-lock.yaml"], "lockfile", parsers.pnpm_lock),
        (["**/go.mod"], "manifest", parsers.go_mod),
        (["**/Cargo.toml"], "manifest", parsers.cargo_toml),
        (["**/Cargo.lock"], "lockfile", parsers.cargo_lock),
        (["**/Gemfile.lock", "**/gems.locked"], "lockfile", parsers.gemfile_lock),
        (["**/composer.json"], "manifest", parsers.composer_json),
        (["**/composer.lock"], "lockfile", parsers.composer_lock),
        (
            ["**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/Containerfile"],
            "manifest",
            parsers.dockerfile,
        ),
        (
            ["**/.github/workflows/*.{yml,yaml}", "**/action.{yml,yaml}"],
            "manifest",
            parsers.actions,
        ),
        (["**/pom.xml"], "manifest", parsers.pom_xml),
        (["**/*.gradle", "**/*.gradle.kts"], "manifest", parsers.gradle),
        (["**/gradle/libs.versions.toml"], "manifest", parsers.version_catalog),
        (
            ["**/*.{csproj,fsproj,vbproj}", "**/Directory.Packages.props", "**/packages.config"],
            "manifest",
            parsers.nuget_project,
        ),
        (["**/packages.lock.json"], "lockfile", parsers.nuget_lock),
        (["**/mix.exs"], "manifest", parsers.mix_exs),
        (["**/mix.lock"], "lockfile", parsers.mix_lock),
        (["**/Pipfile"], "manifest", parsers.pipfile),
        (["**/Gemfile", "**/gems.rb"], "manifest", parsers.gemfile),
    )
)
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
    old: parsers.Dep | None
    new: parsers.Dep | None
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
            ecosystem, role = _classify(changed, extra)
            if role is None:
                continue
            parser = _parser(changed.path)
            if parser is None:
                if not (changed.path.endswith("go.sum") and go_mod_changed):
                    findings.append(_finding(changed, ecosystem, role))
                continue
            role, parse = parser
            result = _compare(changed, ecosystem or "", role, parse)
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
            and _parser(changed.path) is not None
            and (changed.status != FileStatus.ADDED or not changed.lines_known)
        )


def dependency_file(path: str) -> bool:
    """Whether a path is a manifest or lockfile of some ecosystem."""
    return any(eco.manifests.match(path) or eco.lockfiles.match(path) for eco in ECOSYSTEMS)


def _parser(path: str) -> tuple[str, Callable[[str], parsers.Parsed]] | None:
    for globs, role, parse in PARSERS:
        if globs.match(path):
            return role, parse
    return None


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
    changed: ChangedFile, ecosystem: str, role: str, parse: Callable[[str], parsers.Parsed]
) -> list[_Seen] | Finding:
    texts = _texts(changed)
    if texts is None:
        return _finding(changed, ecosystem, role)  # unclassified: matches every filter
    before: parsers.Parsed = {}
    after: parsers.Parsed = {}
    for side, text in (("base", texts[0]), ("head", texts[1])):
        try:
            parsed = parsers.safely(parse, text) if text.strip() else {}
        except parsers.UnreadableError as error:
            return Finding(
                kind=Kind.DEPENDENCY,
                file=changed.path,
                line=None,
                severity=Severity.MEDIUM,
                rule="dependency.unreadable",
                message=f"{ecosystem} {role} could not be read ({side} version: {error}); "
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
    return Finding(
        kind=Kind.DEPENDENCY,
        file=place.file,
        line=spot.line if spot else None,
        severity=severity,
        rule=f"dependency.{change.value}",
        message=message + (f"; also in {', '.join(also)}" if also else ""),
        ecosystem=versions.ecosystem,
        package=versions.name,
        from_version=before,
        to_version=after,
        change=change,
        extra={"direct": direct} if direct is not None else {},
    )


def _classify(changed: ChangedFile, extra: GlobSet) -> tuple[str | None, str | None]:
    for eco in ECOSYSTEMS:
        if eco.lockfiles.match(changed.path):
            return eco.ecosystem, "lockfile"
        if eco.manifests.match(changed.path):
            return eco.ecosystem, "manifest"
    if extra.match(changed.path):
        return None, "manifest"
    return None, None


def _finding(changed: ChangedFile, ecosystem: str | None, role: str) -> Finding:
    where = f"{ecosystem} {role}" if ecosystem else f"dependency {role}"
    return Finding(
        kind=Kind.DEPENDENCY,
        file=changed.path,
        line=None,
        severity=Severity.LOW,
        rule=f"dependency.{role}-changed",
        message=f"{where} {changed.status.value}; its packages were not compared "
        "(no parser for this format, or its contents were not available)",
        ecosystem=ecosystem,
    )
