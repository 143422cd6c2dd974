"""Vendor trimmed GitHub fixtures from npm packages into tests/fixtures/.

    python scripts/vendor_github_fixtures.py

- @octokit/webhooks-examples (MIT): one real payload per webhook event/action we
  handle -> tests/fixtures/webhooks/<event>.<action>.json
- @octokit/openapi (MIT, GitHub's REST API description): the response schema
  (dereferenced) and examples of each REST operation the gateway calls ->
  tests/fixtures/github/openapi-subset.json

Needs npm (the npm registry). Tests never run this: they read what it wrote.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBHOOKS = ROOT / "tests/fixtures/webhooks"
GITHUB = ROOT / "tests/fixtures/github"
WEBHOOK_PACKAGE = "@octokit/webhooks-examples@7.6.1"
OPENAPI_PACKAGE = "@octokit/openapi@23.0.2"

# (event, action) -> index among that action's examples (None: the event has no actions)
EVENTS = {
    ("pull_request", "opened"): 0,
    ("pull_request", "reopened"): 0,
    ("pull_request", "synchronize"): 0,
    ("pull_request", "ready_for_review"): 0,
    ("pull_request", "converted_to_draft"): 0,
    ("pull_request", "labeled"): 0,
    ("pull_request", "unlabeled"): 0,
    ("pull_request", "review_request_removed"): 0,
    ("pull_request", "closed"): 0,
    ("pull_request_review", "submitted"): 0,
    ("pull_request_review", "dismissed"): 0,
    ("check_run", "rerequested"): 0,
    ("check_run", "completed"): 0,
    ("check_suite", "rerequested"): 0,
    ("check_suite", "completed"): 0,
    ("merge_group", "checks_requested"): 0,
    ("push", None): 0,
    ("status", None): 0,
    ("membership", "added"): 0,
    ("team", "edited"): 0,
    ("installation", "created"): 0,
    ("installation_repositories", "added"): 0,
    ("issue_comment", "created"): 0,
}
OPERATIONS = [
    ("/app/installations/{installation_id}/access_tokens", "post", "201"),
    ("/repos/{owner}/{repo}/pulls", "get", "200"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}", "get", "200"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}/files", "get", "200"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "get", "200"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", "post", "201"),
    ("/repos/{owner}/{repo}/contents/{path}", "get", "200"),
    ("/repos/{owner}/{repo}/git/blobs/{file_sha}", "get", "200"),
    ("/repos/{owner}/{repo}/dependency-graph/compare/{basehead}", "get", "200"),
    ("/repos/{owner}/{repo}/compare/{basehead}", "get", "200"),
    ("/orgs/{org}/teams/{team_slug}/members", "get", "200"),
    ("/repos/{owner}/{repo}/check-runs", "post", "201"),
    ("/repos/{owner}/{repo}/check-runs/{check_run_id}", "patch", "200"),
    ("/repos/{owner}/{repo}/commits/{ref}/check-runs", "get", "200"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}/commits", "get", "200"),
    ("/repos/{owner}/{repo}/commits/{commit_sha}/pulls", "get", "200"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/events", "get", "200"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/comments", "post", "201"),
    ("/repos/{owner}/{repo}/git/trees/{tree_sha}", "get", "200"),
    ("/repos/{owner}/{repo}/issues/comments/{comment_id}", "patch", "200"),
    ("/app/hook/deliveries", "get", "200"),
    ("/app/hook/deliveries/{delivery_id}/attempts", "post", "202"),
    ("/app-manifests/{code}/conversions", "post", "201"),
    # the pages' login: who the user is and what their token can read
    ("/user", "get", "200"),
    ("/user/installations", "get", "200"),
    ("/user/installations/{installation_id}/repositories", "get", "200"),
]


def unpack(spec: str, into: Path) -> Path:
    subprocess.run(["npm", "pack", spec, "--silent"], cwd=into, check=True, capture_output=True)
    [archive] = into.glob("*.tgz")
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return into / "package"


def vendor_webhooks(package: Path) -> None:
    index = json.loads((package / "api.github.com/index.json").read_text())
    by_name = {entry["name"]: entry["examples"] for entry in index}
    for (event, action), nth in EVENTS.items():
        examples = [e for e in by_name[event] if e.get("action") == action]
        payload = examples[nth]
        name = f"{event}.{action}" if action else event
        (WEBHOOKS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")


def vendor_openapi(package: Path) -> None:
    description = json.loads((package / "generated/api.github.com.deref.json").read_text())
    subset = {}
    for path, method, status in OPERATIONS:
        operation = description["paths"][path][method]
        content = operation["responses"][status]["content"]["application/json"]
        subset[f"{method.upper()} {path}"] = {
            "operationId": operation["operationId"],
            "status": int(status),
            "schema": content["schema"],
            "examples": {k: v["value"] for k, v in content.get("examples", {}).items()},
        }
    (GITHUB / "openapi-subset.json").write_text(json.dumps(subset, indent=1) + "\n")


def main() -> None:
    with tempfile.TemporaryDirectory() as hooks, tempfile.TemporaryDirectory() as api:
        vendor_webhooks(unpack(WEBHOOK_PACKAGE, Path(hooks)))
        vendor_openapi(unpack(OPENAPI_PACKAGE, Path(api)))


if __name__ == "__main__":
    main()
