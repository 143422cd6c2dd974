"""Which files are dependency files, and those whose packages cannot be compared."""

from __future__ import annotations

import pytest

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from app.detect.base import ChangedFile, DetectorSettings, FileStatus
from app.detect.registry import DETECTORS
from tests.detect.helpers import added, rules_for


@pytest.mark.parametrize(
    ("path", "ecosystem", "rule"),
    [
        ("requirements/prod.txt", "pypi", "dependency.manifest-changed"),
        ("poetry.lock", "pypi", "dependency.lockfile-changed"),
        ("web/package-lock.json", "npm", "dependency.lockfile-changed"),
        ("go.mod", "golang", "dependency.manifest-changed"),
        ("Cargo.lock", "cargo", "dependency.lockfile-changed"),
        ("Gemfile.lock", "gem", "dependency.lockfile-changed"),
        ("gradle/libs.versions.toml", "maven", "dependency.manifest-changed"),
        ("src/App/App.csproj", "nuget", "dependency.manifest-changed"),
        ("mix.lock", "hex", "dependency.lockfile-changed"),
        ("Dockerfile", "docker", "dependency.manifest-changed"),
    ],
)
def test_dependency_files_whose_packages_cannot_be_read_are_unclassified(
    path: str, ecosystem: str, rule: str
) -> None:
    """No parser for the format, or the contents are not at hand (GitHub omitted the
    patch): reported by path with no `change`, which every `changes:` filter matches."""
    unread = ChangedFile(path=path, status=FileStatus.MODIFIED, patch_missing=True, additions=9)
    [finding] = DETECTORS["dependencies"].detect([unread], DetectorSettings())
    assert (finding.ecosystem, finding.rule, finding.change) == (ecosystem, rule, None)


def test_source_files_are_not_dependencies() -> None:
    assert rules_for("dependencies", added("src/package.py"), added("lib/gemfile_helper.rb")) == []
