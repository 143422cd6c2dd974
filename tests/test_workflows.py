"""Our own CI passes our own infra rules: no unpinned third-party action, no write-all,
nothing a pull request could inject into."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.detect.base import ChangedFile, FileStatus, Severity, split_lines
from app.detect.registry import run_detectors

WORKFLOWS = sorted((Path(__file__).resolve().parent.parent / ".github/workflows").glob("*.yml"))


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_our_workflows_pass_our_infra_rules(workflow: Path) -> None:
    text = workflow.read_text()
    lines = list(enumerate(split_lines(text), start=1))
    path = f".github/workflows/{workflow.name}"
    changed = ChangedFile(path, FileStatus.ADDED, added=lines, additions=len(lines))
    grave = [
        f
        for f in run_detectors([changed], {})
        if f.kind.value == "infra" and f.severity >= Severity.HIGH
    ]
    assert grave == []


def test_there_is_a_ci_workflow() -> None:
    assert "ci.yml" in {w.name for w in WORKFLOWS}
