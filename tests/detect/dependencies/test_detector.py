"""What the detector reports: new manifests, unreadable files, unknown contents,
the design's fields, projects kept apart, files that are not the project's.
"""

from __future__ import annotations

import textwrap

import pytest

from app.detect.base import Change, ChangedFile, FileStatus, Finding, Severity
from tests.detect.dependencies.helpers import DETECTOR, changes, fixture_pair, modified


def test_a_new_manifest_is_read_from_its_added_lines() -> None:
    text = '{"dependencies": {"left-pad": "1.3.0"}}'
    added = ChangedFile(path="package.json", status=FileStatus.ADDED, added=[(1, text)])
    assert changes(added) == {"left-pad": (Change.ADDED, None, "1.3.0")}


@pytest.mark.parametrize(
    ("path", "broken"),
    [
        ("package-lock.json", '{"lockfileVersion": 3, "packages": '),
        ("poetry.lock", "[[package]\nname = "),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages: [\n"),
        ("yarn.lock", "# yarn lockfile v1\n\n  version oops\nleft-pad@1\n"),
        ("requirements.txt", "django>=\n"),
    ],
)
def test_a_lockfile_that_does_not_parse_is_a_medium_finding(path: str, broken: str) -> None:
    [finding] = DETECTOR.detect([modified(path, "", broken)], DETECTOR.settings_model())
    assert finding.rule == "dependency.unreadable"
    assert finding.severity == Severity.MEDIUM
    assert "head version" in finding.message


def test_without_contents_the_change_is_unclassified_and_matches_every_filter() -> None:
    unread = ChangedFile(path="package-lock.json", status=FileStatus.MODIFIED, patch_missing=True)
    [finding] = DETECTOR.detect([unread], DETECTOR.settings_model())
    assert finding.change is None
    assert DETECTOR.wants_content(unread, DETECTOR.settings_model())


def test_findings_carry_the_design_fields() -> None:
    [finding] = [
        f
        for f in DETECTOR.detect([fixture_pair("pypi", "uv.lock")], DETECTOR.settings_model())
        if f.package == "attrs"
    ]
    assert isinstance(finding, Finding)
    assert (finding.ecosystem, finding.rule, finding.severity) == (
        "pypi",
        "dependency.major",
        Severity.MEDIUM,
    )
    assert "attrs 22.2.0 -> 23.2.0" in finding.message
    assert textwrap.shorten(finding.message, 200)


def test_packages_of_different_projects_are_not_merged() -> None:
    files = [
        modified("web/package.json", '{"dependencies": {}}', '{"dependencies": {"ms": "2.1.3"}}'),
        modified("api/package.json", '{"dependencies": {}}', '{"dependencies": {"ms": "2.1.2"}}'),
    ]
    found = DETECTOR.detect(files, DETECTOR.settings_model())
    assert sorted((f.file, f.to_version) for f in found) == [
        ("api/package.json", "2.1.2"),
        ("web/package.json", "2.1.3"),
    ]


def test_manifests_in_tests_examples_and_vendored_code_are_not_the_project() -> None:
    text = '{"dependencies": {"left-pad": "1.3.0"}}'
    paths = [
        "tests/fixtures/app/package.json",
        "examples/demo/package.json",
        "node_modules/x/package.json",
    ]
    files = [ChangedFile(path=p, status=FileStatus.ADDED, added=[(1, text)]) for p in paths]
    assert DETECTOR.detect(files, DETECTOR.settings_model()) == []
    settings = DETECTOR.settings_model(paths=["examples/**"])
    assert [f.file for f in DETECTOR.detect(files, settings)] == ["examples/demo/package.json"]
