"""Dependencies: manifests and lockfiles of every ecosystem, found by path.

This layer says which dependency files changed and in which ecosystem. It
does not yet compare the packages inside, so its findings carry no `change`;
a role filtering on `changes:` treats such an unclassified finding as a
match (fail closed: an unread lockfile must not hide a new dependency).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.detect.base import ChangedFile, DetectorSettings, Finding, Kind, Severity
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


class DependenciesDetector:
    name = "dependencies"
    kind = Kind.DEPENDENCY
    settings_model = DependencySettings

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        allowed = scoped(settings)
        extra = compiled(tuple(settings.paths))
        findings = []
        for changed in files:
            if allowed(changed):
                finding = _classify(changed, extra)
                if finding is not None:
                    findings.append(finding)
        return findings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        # Findings are per file for now, from the path alone; reading base and head
        # manifests (two GitHub calls a file) starts with per-package comparison.
        return False


def _classify(changed: ChangedFile, extra: GlobSet) -> Finding | None:
    for eco in ECOSYSTEMS:
        if eco.lockfiles.match(changed.path):
            return _finding(changed, eco.ecosystem, "lockfile")
        if eco.manifests.match(changed.path):
            return _finding(changed, eco.ecosystem, "manifest")
    if extra.match(changed.path):
        return _finding(changed, None, "manifest")
    return None


def _finding(changed: ChangedFile, ecosystem: str | None, role: str) -> Finding:
    where = f"{ecosystem} {role}" if ecosystem else f"dependency {role}"
    return Finding(
        kind=Kind.DEPENDENCY,
        file=changed.path,
        line=None,
        severity=Severity.LOW,
        rule=f"dependency.{role}-changed",
        message=f"{where} {changed.status.value}; its packages are not compared one by one yet",
        ecosystem=ecosystem,
    )
