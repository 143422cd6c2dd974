"""GitHub's dependency-graph compare, mapped onto the same findings."""

from __future__ import annotations

from app.detect.base import Change, ChangedFile, Severity
from tests.detect.dependencies.helpers import DEPS


def test_githubs_dependency_graph_maps_onto_the_same_findings() -> None:
    """The example response of GitHub's OpenAPI description for the compare endpoint."""
    import json

    from app.detect.dependencies import graph

    subset = json.loads((DEPS.parent / "github/openapi-subset.json").read_text())
    recorded = subset["GET /repos/{owner}/{repo}/dependency-graph/compare/{basehead}"]["examples"][
        "default"
    ]
    found = {f.package: f for f in graph.findings(recorded)}
    helmet, openid = found["helmet"], found["ruby-openid"]
    assert (helmet.ecosystem, helmet.change, helmet.from_version, helmet.to_version) == (
        "npm",
        Change.MAJOR,
        "4.6.0",
        "5.0.0",
    )
    assert helmet.severity == Severity.MEDIUM
    assert helmet.extra["license"] == "MIT"
    assert (openid.ecosystem, openid.change) == ("gem", Change.ADDED)
    assert openid.severity == Severity.CRITICAL  # a critical advisory on the new version
    assert "GHSA-fqfj-cmh6-hj49" in openid.message


def _entry(manifest: str, name: str, change: str, version: str, **extra: object) -> dict:
    return {
        "change_type": change,
        "manifest": manifest,
        "ecosystem": "pip",
        "name": name,
        "version": version,
        "package_url": f"pkg:pypi/{name}@{version}",
        "license": None,
        "source_repository_url": None,
        "scope": "runtime",
        "vulnerabilities": [],
    } | extra


def test_the_graph_learns_what_our_comparison_knows_of_moves_and_new_lockfiles() -> None:
    from app.detect.base import FileStatus, Finding
    from app.detect.dependencies import graph
    from tests.detect.dependencies.helpers import DETECTOR

    lock = 'version = 1\n[[package]]\nname = "click"\nversion = "8.1.8"\n'
    new_lock = ChangedFile(
        path="uv.lock", status=FileStatus.ADDED, added=list(enumerate(lock.split("\n"), 1))
    )
    ours = DETECTOR.detect([new_lock], DETECTOR.settings_model())
    advisory = {"advisory_ghsa_id": "GHSA-xxxx-yyyy-zzzz", "severity": "high"}
    compare = [
        _entry("setup.py", "requests", "removed", ">=2.0"),  # moved: same requirement
        _entry("pyproject.toml", "requests", "added", ">=2.0"),
        _entry("uv.lock", "click", "added", "8.1.8"),  # pinned by the new lockfile
        _entry("uv.lock", "jinja2", "added", "2.10", vulnerabilities=[advisory]),
        _entry("uv.lock", "rich", "added", "13.0"),  # a manifest adds it too: an addition
        _entry("pyproject.toml", "rich", "added", ">=13"),
    ]
    merged: list[Finding] = graph.replace_ours(ours, graph.findings(compare))
    kept = sorted((f.rule, f.file, f.package) for f in merged)
    assert kept == [
        ("dependency.added", "pyproject.toml", "rich"),
        ("dependency.added", "uv.lock", "jinja2"),  # a known vulnerability always shows
        ("dependency.added", "uv.lock", "rich"),
        ("dependency.lockfile-added", "uv.lock", None),
    ]
