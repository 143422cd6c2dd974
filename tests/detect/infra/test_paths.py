"""Pipeline, deployment and infrastructure paths."""

from __future__ import annotations

import pytest

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from tests.detect.helpers import added, rules_for


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        (".github/workflows/ci.yml", "infra.ci"),
        (".gitlab-ci.yml", "infra.ci"),
        ("infra/main.tf", "infra.iac"),
        ("k8s/deployment.yaml", "infra.deploy"),
        ("fly.toml", "infra.deploy"),
        (".github/CODEOWNERS", "infra.governance"),
        (".github/release-roles.yml", "infra.governance"),
        ("Makefile", "infra.build"),
    ],
)
def test_infra_paths(path: str, rule: str) -> None:
    assert rules_for("infra", added(path)) == [rule]
