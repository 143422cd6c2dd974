"""Deploy files known by what they say, wherever they live.

Directory names are a guess: real repositories keep manifests in
`kubernetes-manifests/`, `helm-chart/`, `istio-manifests/`, `kustomize/` or
`release/`. A Kubernetes object says what it is at its top level (`apiVersion` and
`kind`, in YAML or JSON; Kustomize, Istio, Argo CD and every CRD alike), a Helm
template reads `.Values`, a Heroku app.json declares buildpacks or formation. The
text read is the file's whole text when it is at hand, else what the diff shows
of it (a new file's added lines are all of it; a deleted one's removed lines).
"""

from __future__ import annotations

import json
import re

from app.detect.base import ChangedFile, FileStatus
from app.detect.diff import head_view

_READABLE = (".yml", ".yaml", ".json", ".tpl")
# Top-level keys, so a nested `kind:` (a volume's, a JSON schema's) is not read.
_API_VERSION = re.compile(r"""^(?:apiVersion|[{\s]{0,4}"apiVersion")\s*:\s*["']?([\w./-]+)""", re.M)
_KIND = re.compile(r"""^(?:kind|[{\s]{0,4}"kind")\s*:\s*["']?([A-Za-z]+)""", re.M)
# apiVersion/kind pairs that are not deployed anywhere (a service catalogue entry).
_NOT_DEPLOYED = re.compile(r"^backstage\.io/")
_HELM = re.compile(r"\{\{-?\s*(?:[^}]*\.(?:Values|Release|Chart|Capabilities)\b|include\s+\")")
_HEROKU = re.compile(r'"(?:buildpacks|formation|addons|stack)"\s*:')
# Lines a diff shows of a manifest whose top is out of view: worth reading whole.
_HINT = re.compile(
    r"^[ +-]?\s*(?:-\s+)?(?:apiVersion|kind|metadata|spec|containers|initContainers|image|"
    r"imagePullPolicy|replicas|resources|limits|requests|selector|matchLabels|namespace|"
    r"containerPort|targetPort|serviceAccountName|securityContext|volumeMounts|"
    r"configMapKeyRef|secretKeyRef|livenessProbe|readinessProbe|ingressClassName|"
    r"nodeSelector|tolerations|affinity|patches|patchesStrategicMerge|helmCharts)\s*:"
    r"|\{\{",
    re.M,
)


def readable(path: str) -> bool:
    return path.endswith(_READABLE)


def worth_reading_whole(changed: ChangedFile) -> bool:
    """An edited file whose diff looks like a manifest's middle, or does not show its
    lines at all: read it to be sure."""
    if not readable(changed.path) or changed.status not in (
        FileStatus.MODIFIED,
        FileStatus.RENAMED,
    ):
        return False
    if not changed.lines_known:
        return True
    shown = changed.patch or "\n".join(line for _, line in changed.added)
    return bool(_HINT.search(shown))


def deploy_kind(changed: ChangedFile) -> str | None:
    """What deploy file `changed` is ("Kubernetes Deployment", "Helm template"), or None."""
    if not readable(changed.path):
        return None
    text = _text(changed)
    if text is None:
        return None
    return kind_of(changed.path, text)


def kind_of(path: str, text: str) -> str | None:
    try:
        api_kind = _json_object(text) if path.endswith(".json") else _top_level_keys(text)
    except ValueError:  # a diff's hunks of a JSON file: the patterns decide
        api_kind = _top_level_keys(text)
    if api_kind is not None and not _NOT_DEPLOYED.match(api_kind[0]):
        return f"Kubernetes {api_kind[1]} ({api_kind[0]})"
    if "/templates/" in f"/{path}" and _HELM.search(text):
        return "Helm chart template"
    if path.rsplit("/", 1)[-1] == "app.json" and _HEROKU.search(text):
        return "Heroku app.json"
    return None


def _top_level_keys(text: str) -> tuple[str, str] | None:
    api, kind = _API_VERSION.search(text), _KIND.search(text)
    return (api.group(1), kind.group(1)) if api and kind else None


def _json_object(text: str) -> tuple[str, str] | None:
    """apiVersion and kind of a JSON manifest's top-level object (or its first item);
    ValueError when the text is not JSON."""
    data = json.loads(text)
    if isinstance(data, list) and data:
        data = data[0]
    if isinstance(data, dict):
        api, kind = data.get("apiVersion"), data.get("kind")
        if isinstance(api, str) and isinstance(kind, str):
            return api, kind
    return None


def _text(changed: ChangedFile) -> str | None:
    if changed.status == FileStatus.ADDED and changed.lines_known:
        return "\n".join(line for _, line in changed.added)  # all of it
    if changed.status == FileStatus.REMOVED:
        return "\n".join(line for _, line in changed.removed)
    if worth_reading_whole(changed):
        whole = changed.head_text()
        if whole is not None:
            return whole
    if changed.patch is None:
        return None
    # what the hunks show of the head (context and added lines), without the diff's
    # markers: a top-level `apiVersion:` sits at the start of its line again
    return "\n".join(head_view(changed.patch).values())
