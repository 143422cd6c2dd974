"""Every dependency file we know, in one table: its ecosystem, whether it is a
manifest (what a person asks for) or a lockfile (what gets installed), its paths,
and its parser.

Formats without a parser (gemspecs, bun, pub, Swift,
Terraform's lock, go.sum …) are still found by path and reported unclassified.
Order matters: the first format whose globs match a path is that path's format,
and within an ecosystem lockfiles come before manifests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.detect.dependencies import parsers as p
from app.detect.dependencies.parsers.common import Parsed
from app.detect.globs import GlobSet, compiled

MANIFEST, LOCKFILE = "manifest", "lockfile"
Parser = Callable[[str], Parsed]


@dataclass(frozen=True, slots=True)
class Format:
    ecosystem: str
    role: str  # MANIFEST or LOCKFILE
    globs: GlobSet
    parse: Parser | None


def _format(ecosystem: str, role: str, globs: Sequence[str], parse: Parser | None) -> Format:
    return Format(ecosystem, role, compiled(tuple(globs)), parse)


_REQUIREMENTS = [
    "**/requirements*.{txt,in}",
    "**/requirements/*.{txt,in}",
    "**/*[-_]requirements.{txt,in}",
]
_DOCKERFILES = ["**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/Containerfile"]
_WORKFLOWS = ["**/.github/workflows/*.{yml,yaml}", "**/action.{yml,yaml}"]

FORMATS: tuple[Format, ...] = (
    _format("pypi", LOCKFILE, ["**/poetry.lock", "**/uv.lock", "**/pdm.lock"], p.toml_packages),
    _format("pypi", LOCKFILE, ["**/Pipfile.lock"], p.pipfile_lock),
    _format("pypi", MANIFEST, _REQUIREMENTS, p.requirements),
    _format("pypi", MANIFEST, ["**/pyproject.toml"], p.pyproject),
    _format("pypi", MANIFEST, ["**/Pipfile"], p.pipfile),
    _format("pypi", MANIFEST, ["**/setup.cfg"], p.setup_cfg),
    _format("pypi", MANIFEST, ["**/setup.py"], p.setup_py),
    _format("npm", LOCKFILE, ["**/package-lock.json", "**/npm-shrinkwrap.json"], p.package_lock),
    _format("npm", LOCKFILE, ["**/yarn.lock"], p.yarn_lock),
    _format("npm", LOCKFILE, ["**/pnpm-lock.yaml"], p.pnpm_lock),
    _format("npm", LOCKFILE, ["**/bun.lock", "**/bun.lockb"], None),
    _format("npm", MANIFEST, ["**/package.json"], p.package_json),
    _format("golang", LOCKFILE, ["**/go.sum", "**/vendor/modules.txt"], None),
    _format("golang", MANIFEST, ["**/go.mod"], p.go_mod),
    _format("golang", MANIFEST, ["**/go.work"], None),
    _format("cargo", LOCKFILE, ["**/Cargo.lock"], p.cargo_lock),
    _format("cargo", MANIFEST, ["**/Cargo.toml"], p.cargo_toml),
    _format("gem", LOCKFILE, ["**/Gemfile.lock", "**/gems.locked"], p.gemfile_lock),
    _format("gem", MANIFEST, ["**/Gemfile", "**/gems.rb"], p.gemfile),
    _format("gem", MANIFEST, ["**/*.gemspec"], None),
    _format("composer", LOCKFILE, ["**/composer.lock"], p.composer_lock),
    _format("composer", MANIFEST, ["**/composer.json"], p.composer_json),
    _format("maven", LOCKFILE, ["**/gradle.lockfile", "**/gradle/verification-metadata.xml"], None),
    _format("maven", MANIFEST, ["**/pom.xml"], p.pom_xml),
    _format("maven", MANIFEST, ["**/*.gradle", "**/*.gradle.kts"], p.gradle),
    _format("maven", MANIFEST, ["**/gradle/libs.versions.toml"], p.version_catalog),
    _format("nuget", LOCKFILE, ["**/packages.lock.json"], p.nuget_lock),
    _format(
        "nuget",
        MANIFEST,
        ["**/*.{csproj,fsproj,vbproj}", "**/Directory.Packages.props", "**/packages.config"],
        p.nuget_project,
    ),
    _format("hex", LOCKFILE, ["**/mix.lock"], p.mix_lock),
    _format("hex", MANIFEST, ["**/mix.exs"], p.mix_exs),
    _format("pub", LOCKFILE, ["**/pubspec.lock"], None),
    _format("pub", MANIFEST, ["**/pubspec.yaml"], None),
    _format("swift", LOCKFILE, ["**/Package.resolved", "**/Podfile.lock"], None),
    _format("swift", MANIFEST, ["**/Package.swift", "**/Podfile"], None),
    _format("docker", MANIFEST, _DOCKERFILES, p.dockerfile),
    _format("github-actions", MANIFEST, _WORKFLOWS, p.actions),
    _format("terraform", LOCKFILE, ["**/.terraform.lock.hcl"], None),
)


# Every format's globs in one set: most paths are no dependency file, and one pass over
# the globs' literals says so (asking the 55 formats one by one cost 55 calls a path).
_ANY_FORMAT = compiled(tuple(g for f in FORMATS for g in f.globs.patterns))


def project_of(path: str) -> str:
    """The project a dependency file belongs to: its directory (a manifest and its
    lockfile there are one project's)."""
    return path.rpartition("/")[0]


def format_of(path: str) -> Format | None:
    if _ANY_FORMAT.first_match(path) is None:
        return None
    return next((f for f in FORMATS if f.globs.match(path)), None)


def dependency_file(path: str) -> bool:
    """Whether a path is a manifest or lockfile of some ecosystem."""
    return format_of(path) is not None
