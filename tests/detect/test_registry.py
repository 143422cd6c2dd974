"""Running every detector: unreadable diffs, `enabled`, and a failing detector failing closed."""

from __future__ import annotations

import pytest

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Kind, Severity
from app.detect.registry import DETECTORS, run_detectors
from tests.detect.helpers import added


def test_registry_reports_unreadable_diffs_and_honours_enabled() -> None:
    broken = ChangedFile(path="db/x.sql", status=FileStatus.MODIFIED, parse_error="bad hunk")
    findings = run_detectors(
        [broken, added("shop.gemspec")], {"infra": DetectorSettings(enabled=False)}
    )
    assert sorted(f.rule for f in findings) == ["dependency.manifest-changed", "diff.unreadable"]


def test_a_failing_detector_becomes_a_high_finding_of_its_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(files: object, settings: object) -> list[object]:
        raise RuntimeError("unexpected input")

    monkeypatch.setattr(DETECTORS["migrations"], "detect", boom)
    findings = run_detectors([added("db/migrate/1_x.rb", "remove_column :a, :b")], {})
    [failed] = [f for f in findings if f.rule == "migrations.failed"]
    assert (failed.kind, failed.severity) == (Kind.MIGRATION, Severity.HIGH)
    assert "RuntimeError: unexpected input" in failed.message


def test_a_workflow_step_with_odd_inputs_does_not_crash() -> None:
    text = (
        "on: pull_request_target\njobs:\n  a:\n    steps:\n"
        "      - uses: actions/checkout@v4\n        with: oops\n"
    )
    assert all(
        not f.rule.endswith(".failed")
        for f in run_detectors([added(".github/workflows/x.yml", text)], {})
    )
