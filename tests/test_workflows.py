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


def test_deploy_goes_through_staging_and_an_approval_and_rollback_is_one_click() -> None:
    from ruamel.yaml import YAML

    root = Path(__file__).resolve().parent.parent
    yaml = YAML(typ="safe")
    deploy = yaml.load((root / ".github/workflows/deploy.yml").read_text())
    jobs = deploy["jobs"]
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert jobs["production"]["needs"] == "staging"
    assert jobs["production"]["environment"] == "production"
    steps = " ".join(s.get("run", "") for job in jobs.values() for s in job["steps"])
    assert "scripts/smoke" in steps
    assert "scripts/promote" in steps
    rollback = yaml.load((root / ".github/workflows/rollback.yml").read_text())
    assert "workflow_dispatch" in rollback["on"]
    run = " ".join(s.get("run", "") for s in rollback["jobs"]["rollback"]["steps"])
    assert "scripts/rollback" in run
    for script in ("smoke", "promote", "rollback"):
        assert (root / "scripts" / script).stat().st_mode & 0o111, script
