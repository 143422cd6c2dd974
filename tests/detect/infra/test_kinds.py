"""Deploy files known by their content, wherever they live (SRE sees every one).

The directory names are the ones real repositories use and our globs did not know
(the issue's 11 of 17 unflagged commits); the manifests are our own, in the shapes
of the Kubernetes, Istio, Helm and Heroku documentation.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.detect.base import ChangedFile, FileStatus, Severity
from app.detect.registry import DETECTORS
from tests.detect.helpers import added, rules_for

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: server
          image: ghcr.io/acme/frontend:1.4.2
          ports:
            - containerPort: 8080
"""
VIRTUAL_SERVICE = """\
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: frontend}
spec:
  hosts: ["*"]
"""
HELM_HELPERS = """\
{{- define "shop.fullname" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 -}}
{{- end }}
"""
JSON_SERVICE = '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {"name": "api"}\n}\n'


def _detect(*files: ChangedFile) -> list[tuple[str, str | None, Severity]]:
    settings = DETECTORS["infra"].settings_model()
    return [(f.rule, f.file, f.severity) for f in DETECTORS["infra"].detect(list(files), settings)]


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("kubernetes-manifests/frontend.yaml", DEPLOYMENT, "Kubernetes Deployment (apps/v1)"),
        ("istio-manifests/frontend.yaml", VIRTUAL_SERVICE, "Kubernetes VirtualService"),
        ("release/kubernetes-manifests.yaml", "---\n" + DEPLOYMENT, "Kubernetes Deployment"),
        ("helm-chart/templates/_helpers.tpl", HELM_HELPERS, "Helm chart template"),
        ("ops/api-service.json", JSON_SERVICE, "Kubernetes Service (v1)"),
        ("ops/pod.json", '{"apiVersion": "v1", "kind": "Pod"}', "Kubernetes Pod (v1)"),
        (
            "app.json",
            '{"name": "shop", "buildpacks": [{"url": "heroku/ruby"}]}',
            "Heroku app.json",
        ),
    ],
)
def test_a_deploy_file_is_known_by_its_content(path: str, text: str, kind: str) -> None:
    [finding] = DETECTORS["infra"].detect([added(path, text)], DETECTORS["infra"].settings_model())
    assert finding.rule == "infra.deploy"
    assert finding.severity == Severity.LOW  # the built-in SRE role's min_severity
    assert kind in finding.message


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("config/locales/en.yml", "en:\n  kind: Kind\n  greeting: Hello\n"),
        (
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: shop}\n",
        ),
        ("schemas/event.json", '{\n  "type": "object",\n  "properties": {"kind": {}}\n}\n'),
        (
            "data/pods.json",
            '{\n  "sample": {\n    "apiVersion": "v1",\n    "kind": "Pod"\n  }\n}\n',
        ),
        ("app.json", '{"name": "shop", "version": "1.0.0"}'),
        ("docs/templates/page.yaml", "title: {{ page.title }}\n"),
    ],
)
def test_other_yaml_and_json_is_not_a_deploy_file(path: str, text: str) -> None:
    assert rules_for("infra", added(path, text)) == []


def _one_line_edit(number: int, old: str, patch: str, **extra: Any) -> ChangedFile:
    """DEPLOYMENT's line `number`, edited from `old`, as a diff shows it."""
    return ChangedFile(
        path="kubernetes-manifests/frontend.yaml",
        status=FileStatus.MODIFIED,
        added=[(number, DEPLOYMENT.splitlines()[number - 1])],
        removed=[(number, old)],
        patch=patch,
        additions=1,
        deletions=1,
        **extra,
    )


def test_an_edited_manifest_whose_top_is_out_of_view_is_read_whole() -> None:
    old = "          image: ghcr.io/acme/frontend:1.4.1"
    patch = f"@@ -11 +11 @@\n-{old}\n+{DEPLOYMENT.splitlines()[10]}\n"
    changed = _one_line_edit(11, old, patch, head_loader=lambda _path: DEPLOYMENT)
    settings = DETECTORS["infra"].settings_model()
    assert DETECTORS["infra"].wants_content(changed, settings)
    assert _detect(changed) == [("infra.deploy", changed.path, Severity.LOW)]
    # an edit of a locale file gives nothing to look for: not read
    locale = ChangedFile(
        path="config/locales/en.yml",
        status=FileStatus.MODIFIED,
        added=[(2, "  greeting: Hi")],
        patch="@@ -2 +2 @@\n-  greeting: Hello\n+  greeting: Hi\n",
    )
    assert not DETECTORS["infra"].wants_content(locale, settings)


def test_an_edited_manifest_the_app_could_not_read_whole_is_known_by_its_hunks() -> None:
    """Past the App's 30 whole files a manifest is judged by its diff: the hunks' head
    lines, without the diff's markers, still show a top-level apiVersion and kind."""
    lines = DEPLOYMENT.splitlines()
    context = "".join(f" {line}\n" for line in lines[:3])
    patch = f"@@ -1,4 +1,4 @@\n{context}-  name: web\n+{lines[3]}\n"
    changed = _one_line_edit(4, "  name: web", patch)  # no loader: nothing whole at hand
    assert _detect(changed) == [("infra.deploy", changed.path, Severity.LOW)]


def test_a_deleted_manifest_is_seen_too() -> None:
    removed = [(n, line) for n, line in enumerate(DEPLOYMENT.splitlines(), start=1)]
    changed = ChangedFile(
        path="kubernetes-manifests/frontend.yaml",
        status=FileStatus.REMOVED,
        removed=removed,
        deletions=len(removed),
    )
    assert _detect(changed) == [("infra.deploy", changed.path, Severity.LOW)]


def test_a_path_rule_and_the_content_give_one_finding() -> None:
    assert rules_for("infra", added("k8s/frontend.yaml", DEPLOYMENT)) == ["infra.deploy"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("      securityContext: {privileged: true}", "infra.privileged-pod"),
        ("  template: {spec: {hostNetwork: true}}", "infra.host-namespace"),
        ('        "securityContext": {"runAsUser": 0}', "infra.privilege-escalation"),
        ("      volumes: [{name: root, hostPath: {path: /}}]", "infra.host-path"),
        ("        capabilities: {add: [ALL]}", "infra.dangerous-capability"),
    ],
)
def test_flow_style_and_json_settings_are_read(text: str, rule: str) -> None:
    path = "deploy/pod.json" if '"' in text else "kubernetes-manifests/pod.yaml"
    head = '{"apiVersion": "v1",\n' if path.endswith(".json") else "apiVersion: v1\n"
    found = rules_for("infra", added(path, head + text + "\n"))
    assert rule in found
    safe = text.replace("true", "false").replace("0}", "1000}").replace("ALL", "NET_BIND_SERVICE")
    safe = safe.replace("hostPath: {path: /}", "emptyDir: {}")
    assert rule not in rules_for("infra", added(path, head + safe + "\n"))


@pytest.mark.parametrize(
    "path",
    [
        "fly.staging.toml",
        "railway.json",
        "skaffold.yaml",
        "helmfile.yaml",
        ".ebextensions/01-env.config",
        "Dockerrun.aws.json",
        "appspec.yml",
        "Tiltfile",
    ],
)
def test_deploy_files_of_common_platforms(path: str) -> None:
    assert rules_for("infra", added(path)) == ["infra.deploy"]


def test_a_crd_schema_is_deploy_but_its_field_names_are_no_pod_settings() -> None:
    """A CustomResourceDefinition describes PodSpec fields (`hostPath:`, `privileged:`)
    in its schema: SRE sees the CRD, and no pod rule fires on its property names."""
    crd = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "spec:\n  versions:\n  - schema:\n      openAPIV3Schema:\n        properties:\n"
        "          hostPath:\n            properties:\n              path: {type: string}\n"
        "          privileged:\n            type: boolean\n"
    )
    found = rules_for("infra", added("operator/crds/cluster.yaml", crd))
    assert "infra.deploy" in found
    assert "infra.host-path" not in found
    assert "infra.privileged-pod" not in found
    pod = "apiVersion: v1\nkind: Pod\nspec:\n  volumes:\n  - hostPath:\n      path: /var/run\n"
    assert "infra.host-path" in rules_for("infra", added("operator/pods/debug.yaml", pod))
