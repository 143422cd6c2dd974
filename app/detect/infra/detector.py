"""CI/CD pipelines, deployment and infrastructure: what SRE/DevOps must see.

Path layer: pipeline definitions of the common CI systems, container and
orchestration files, infrastructure as code, platform configs, and the files
that govern review itself (CODEOWNERS, this app's own config). Content layer:
workflow rules (workflows.py) and manifest line rules (manifests.py). Findings
land only on lines the change added (a new file: all of them), so an untouched
old problem does not page anyone for an unrelated edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.detect.base import (
    ChangedFile,
    DetectorSettings,
    FileStatus,
    Finding,
    Kind,
    Severity,
    blank_or_hash_comment,
    split_lines,
)
from app.detect.dependencies.parsers.actions import pins_an_action
from app.detect.infra import kinds, manifests, workflows
from app.detect.pathrules import PathRule, detect_by_path, rule, scoped

# A directory named for a tool (`kubernetes/`, `ansible/`, `charts/`) holds that tool's
# files. Inside an application's source tree it is code *about* the tool (Renovate's
# `lib/modules/manager/kubernetes/extract.ts`, a dashboard's `src/k8s/` client), and a
# source map repeats code; neither deploys anything. At the top, or under `infra/`, code
# there may define infrastructure (cdk8s, Pulumi) and stays; so do shell, Python and
# Ruby anywhere: deploy scripts and Ansible's modules are written in them.
CODE_ABOUT_TOOLS = (
    "**/*.map",
    "**/{src,lib,pkg,internal,dist,build,modules,plugins}/**/"
    "*.{js,mjs,cjs,jsx,ts,mts,cts,tsx,go,java,kt,scala,rs,cs,swift,c,h,cc,cpp,hpp}",
)

INFRA_RULES: tuple[PathRule, ...] = (
    rule(
        "infra.governance",
        Severity.MEDIUM,
        [
            "CODEOWNERS",
            ".github/CODEOWNERS",
            "docs/CODEOWNERS",
            ".github/release-roles.{yml,yaml}",
            ".github/settings.yml",
        ],
        "{path} decides who reviews what ({glob})",
    ),
    rule(
        "infra.ci",
        Severity.MEDIUM,
        [
            ".github/workflows/**",
            ".github/actions/**",
            "**/action.{yml,yaml}",
            ".gitlab-ci.yml",
            ".gitlab/ci/**",
            ".circleci/**",
            "**/Jenkinsfile*",
            "**/azure-pipelines*.{yml,yaml}",
            "bitbucket-pipelines.yml",
            ".buildkite/**",
            ".drone.yml",
            ".travis.yml",
            "**/cloudbuild*.{yml,yaml}",
            ".tekton/**",
        ],
        "{path} is a CI/CD pipeline ({glob}); it runs with the repository's secrets",
    ),
    rule(
        "infra.iac",
        Severity.MEDIUM,
        [
            "**/*.{tf,tfvars,tofu}",
            "**/.terraform.lock.hcl",
            "**/terragrunt.hcl",
            "**/Pulumi*.{yml,yaml}",
            "**/cdk.json",
            "**/cloudformation/**",
            "**/{ansible,playbooks}/**",
            "**/playbook*.{yml,yaml}",
        ],
        "{path} is infrastructure as code ({glob})",
        unless=CODE_ABOUT_TOOLS,
    ),
    rule(
        "infra.deploy",
        Severity.LOW,
        [
            "**/{k8s,kubernetes,manifests,deploy,deployment,deployments,helm,charts}/**",
            "**/Chart.{yaml,lock}",
            "**/values*.{yml,yaml}",
            "**/kustomization.{yml,yaml}",
            "**/Dockerfile",
            "**/Dockerfile.*",
            "**/*.Dockerfile",
            "**/Containerfile",
            "**/{docker-,}compose*.{yml,yaml}",
            "**/Procfile",
            "**/fly.toml",
            "**/fly.*.toml",
            "**/app.{yml,yaml}",
            "**/vercel.json",
            "**/netlify.toml",
            "**/render.yaml",
            "**/railway.{json,toml}",
            "**/nixpacks.toml",
            "**/Dockerrun.aws.json",
            "**/.ebextensions/**",
            "**/.platform.app.yaml",
            "**/appspec.{yml,yaml}",
            "**/skaffold.{yml,yaml}",
            "**/helmfile.{yml,yaml}",
            "**/Tiltfile",
            "**/serverless.{yml,yaml}",
            "**/{nginx*.conf,Caddyfile,haproxy.cfg,.htaccess}",
            "**/envoy*.yaml",
            "**/{istio,argocd}/**",
        ],
        "{path} changes how the service is built, deployed or served ({glob})",
        unless=CODE_ABOUT_TOOLS,
    ),
    rule(
        "infra.build",
        Severity.INFO,
        ["Makefile", "justfile", "Taskfile.{yml,yaml}", ".pre-commit-config.yaml"],
        "{path} is a build or task definition ({glob})",
    ),
)


PINS_ONLY = "pins_only"  # extra of an infra.ci finding whose edit only moved action pins
_DEPLOY = next(r.globs for r in INFRA_RULES if r.rule == "infra.deploy")  # k8s, helm …
DEPLOY_SEVERITY = next(r.severity for r in INFRA_RULES if r.rule == "infra.deploy")


class InfraDetector:
    name = "infra"
    kind = Kind.INFRA
    settings_model = DetectorSettings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        # An edited workflow is read whole, as YAML (a new one's added lines are all of
        # it); edited manifests and Terraform need their context (apiVersion, egress),
        # and a YAML file whose diff looks like a manifest's middle its top (kind).
        edited = changed.status in (FileStatus.MODIFIED, FileStatus.RENAMED)
        return (
            edited
            and scoped(settings)(changed)
            and (
                workflows.is_workflow(changed.path)
                or changed.path.endswith((".tf", ".tofu"))
                or (changed.path.endswith((".yml", ".yaml")) and bool(_DEPLOY.match(changed.path)))
                or kinds.worth_reading_whole(changed)
            )
        )

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        by_name = {changed.path: changed for changed in files}
        findings = [
            _pins_only(finding, by_name.get(finding.file or ""))
            for finding in detect_by_path(self.kind, self.name, files, settings, INFRA_RULES)
        ]
        by_path = {finding.file for finding in findings}
        allowed = scoped(settings)
        for changed in files:
            if not allowed(changed):
                continue
            if changed.path not in by_path:
                findings.extend(_by_kind(changed))
            if changed.status != FileStatus.REMOVED and changed.added:
                findings.extend(_content(changed))
        return findings


def _pins_only(finding: Finding, changed: ChangedFile | None) -> Finding:
    """Mark a pipeline edit that only moves `uses: owner/action@ref` pins (Dependabot's
    everyday change): the registry makes it info where the dependencies detector rated
    those actions (registry.pins_rated)."""
    if finding.rule != "infra.ci" or changed is None or not changed.lines_known:
        return finding
    if changed.status not in (FileStatus.MODIFIED, FileStatus.RENAMED):
        return finding
    lines = [text for _, text in (*changed.added, *changed.removed)]
    if not lines or not all(pins_an_action(t) or blank_or_hash_comment(t) for t in lines):
        return finding
    return replace(finding, extra={**finding.extra, PINS_ONLY: True})


def _by_kind(changed: ChangedFile) -> list[Finding]:
    """A deploy file that no path rule knows, known by its content."""
    kind = kinds.deploy_kind(changed)
    if kind is None:
        return []
    return [
        Finding.for_file(
            Kind.INFRA,
            changed.path,
            DEPLOY_SEVERITY,
            "infra.deploy",
            f"{changed.path} is a {kind}: it changes how the service is deployed, "
            "wherever it lives",
        )
    ]


def _content(changed: ChangedFile) -> list[Finding]:
    if not workflows.is_workflow(changed.path) and not manifests.may_have_rules(changed.path):
        return []  # no rule reads it: not worth a `git show` (48% of a big CLI run's time)
    text = changed.head_text()
    if text is None and changed.status == FileStatus.ADDED:
        text = "\n".join(line for _, line in changed.added)
    added = {number for number, _ in changed.added}
    hits: list[workflows.Hit] = []
    if workflows.is_workflow(changed.path) and text is not None:
        hits = [h for h in workflows.workflow(text) if h.line in added]
    elif workflows.is_workflow(changed.path):
        hits = list(workflows.workflow_lines(changed.added))  # no whole file: line rules
    else:
        lines = split_lines(text) if text is not None else []
        for rule in manifests.line_rules(
            changed.path, text or "\n".join(t for _, t in changed.added)
        ):
            for number, line in changed.added:
                if not rule.pattern.search(line):
                    continue
                if (
                    rule.rule == "infra.open-ingress"
                    and lines
                    and manifests.in_egress(lines, number - 1)
                ):
                    continue
                hits.append(workflows.Hit(rule.rule, number, rule.severity, rule.message))
    return [
        Finding.for_line(Kind.INFRA, changed.path, hit.line, hit.severity, hit.rule, hit.message)
        for hit in hits
    ]
