"""Does SRE see every Kubernetes, Helm and Kustomize file wherever it lives, and only
those? Real manifests, charts, CRDs and configs from packages that ship them.

Fetched at run time from PyPI (sdists, into `bench/.cache/`): dask-kubernetes (an
operator: CRDs, a Helm chart, test clusters), kopf (an operator framework: CRDs,
RBAC and a Deployment in its docs), kr8s (a client: test pods, services, ingresses)
and Airflow's Kubernetes provider (pod templates, Spark applications). Every YAML and
JSON file they ship is labelled without our detector: **deploy** when it is a
Kubernetes object (a YAML document or JSON object with top-level `apiVersion` and
`kind`, parsed with ruamel.yaml / json) or part of a Helm chart (`Chart.yaml`,
`values.yaml`, `templates/`, `crds/` beside a `Chart.yaml`), **workflow** for GitHub
Actions workflows (SRE by another rule, `infra.ci`), else **other** (pre-commit,
Read the Docs, codecov, provider metadata, operator settings, JSON data). Each file
is added at its own path in the package, as a PR would add it, and the built-in
roles are evaluated: SRE must be required for every deploy file and no other file.

    python bench/bench_infra.py            # the table
    python bench/bench_infra.py --show     # every disagreement
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import sys
import tarfile
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.detect.base import ChangedFile, FileStatus, Finding, Kind, Severity  # noqa: E402
from app.detect.registry import DETECTORS  # noqa: E402
from bench import registry  # noqa: E402

PACKAGES = (
    "dask-kubernetes==2026.3.0",
    "kopf==1.45.2",
    "kr8s==0.20.15",
    "apache-airflow-providers-cncf-kubernetes==10.25.0",
)
SUFFIXES = (".yaml", ".yml", ".json")


def files() -> dict[str, str]:
    """Every YAML and JSON file of the packages, by `package/path`."""
    out: dict[str, str] = {}
    for spec in PACKAGES:
        with tarfile.open(registry.sdist(spec)) as tar:
            for member in tar.getmembers():
                name = member.name.split("/", 1)[-1]
                if member.isfile() and name.endswith(SUFFIXES) and ".egg-info/" not in name:
                    data = tar.extractfile(member)
                    if data is not None:
                        out[f"{spec.split('==')[0]}/{name}"] = data.read().decode(
                            "utf-8", "replace"
                        )
    return out


def label(path: str, text: str, all_paths: set[str]) -> str:
    if "/.github/workflows/" in f"/{path}":
        return "workflow"
    if _in_chart(path, all_paths):
        return "deploy"
    return "deploy" if _kubernetes_object(path, text) else "other"


def _in_chart(path: str, all_paths: set[str]) -> bool:
    parts = path.split("/")
    for i in range(len(parts) - 1, 0, -1):
        chart = "/".join(parts[:i]) + "/Chart.yaml"
        if chart in all_paths:
            inside = parts[i:]
            return inside[0] in ("templates", "crds", "Chart.yaml", "values.yaml")
    return False


def _kubernetes_object(path: str, text: str) -> bool:
    try:
        if path.endswith(".json"):
            documents = [json.loads(text)]
        else:
            documents = list(YAML(typ="safe", pure=True).load_all(io.StringIO(text)))
    except Exception:
        return False
    return any(isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in documents)


def sre_findings(path: str, text: str) -> list[Finding]:
    lines = list(enumerate(text.split("\n"), start=1))
    changed = ChangedFile(path=path, status=FileStatus.ADDED, added=lines, additions=len(lines))
    detector = DETECTORS["infra"]
    return [
        f for f in detector.detect([changed], detector.settings_model()) if f.kind == Kind.INFRA
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    corpus = files()
    paths = set(corpus)
    table: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    rules: collections.Counter[str] = collections.Counter()
    for path, text in sorted(corpus.items()):
        truth = label(path, text, paths)
        found = sre_findings(path.split("/", 1)[1], text)  # its path in its own repository
        # the built-in SRE role answers to infra findings of low and up (info is shown only)
        called = any(f.severity >= Severity.LOW for f in found)
        table[truth]["files"] += 1
        table[truth]["sre"] += called
        rules.update(f"{f.rule} ({f.severity.label})" for f in found)
        wrong = called != (truth in ("deploy", "workflow"))
        if args.show and wrong:
            what = ", ".join(sorted({f.rule for f in found})) or "nothing"
            print(f"{truth:8} {path}: {what}")
        if args.show:
            for f in found:
                if f.severity >= Severity.MEDIUM and f.rule != "infra.unpinned-action":
                    print(f"  {f.severity.label:6} {f.rule} {path}:{f.line}")
    print("| label | files | SRE called | rate |")
    print("|---|---:|---:|---:|")
    for truth in ("deploy", "workflow", "other"):
        row = table[truth]
        rate = row["sre"] / row["files"] if row["files"] else 0.0
        print(f"| {truth} | {row['files']} | {row['sre']} | {rate:.1%} |")
    print("\nfindings by rule:")
    for rule, n in rules.most_common():
        print(f"  {n:4d}  {rule}")
    print(f"\n{len(corpus)} files from {len(PACKAGES)} packages")


if __name__ == "__main__":
    main()
