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


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        # code that defines infrastructure, or deploy scripts, where a tool's files live
        ("k8s/main.ts", "infra.deploy"),  # a cdk8s app at the top
        ("infra/kubernetes/stack.go", "infra.deploy"),
        ("deploy/release.sh", "infra.deploy"),
        ("ansible/library/rotate_keys.py", "infra.iac"),  # an Ansible module
        ("src/deploy/fabfile.py", "infra.deploy"),
        ("charts/api/templates/deployment.yaml", "infra.deploy"),
        ("src/k8s/manifests/job.yaml", "infra.deploy"),
        # code about the tool inside an application's source tree, and source maps
        ("lib/modules/manager/kubernetes/extract.ts", None),  # Renovate's manager
        ("dist/modules/manager/ansible/extract.js", None),
        ("dist/modules/manager/ansible/extract.js.map", None),
        ("plugins/kubernetes/src/components/PodsTable.tsx", None),
        ("pkg/helm/client.go", None),
    ],
)
def test_a_directory_named_for_a_tool_holds_its_files_not_code_about_it(
    path: str, rule: str | None
) -> None:
    """Renovate's release 44.120.0 called SRE for its Ansible manager's bundled code."""
    assert rules_for("infra", added(path)) == ([rule] if rule else [])
