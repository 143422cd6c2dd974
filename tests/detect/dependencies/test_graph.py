"""GitHub's dependency-graph compare, mapped onto the same findings."""

from __future__ import annotations

from app.detect.base import Change, Severity
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
