"""CI/CD pipelines, deployment and infrastructure: what SRE/DevOps must see.

Path layer: pipeline definitions of the common CI systems, container and
orchestration files, infrastructure as code, platform configs, and the files
that govern review itself (CODEOWNERS, this app's own config).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.detect.base import ChangedFile, DetectorSettings, Finding, Kind, Severity
from app.detect.pathrules import PathRule, detect_by_path, rule

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
            "**/app.{yml,yaml}",
            "**/vercel.json",
            "**/netlify.toml",
            "**/render.yaml",
            "**/serverless.{yml,yaml}",
            "**/{nginx*.conf,Caddyfile,haproxy.cfg,.htaccess}",
            "**/envoy*.yaml",
            "**/{istio,argocd}/**",
        ],
        "{path} changes how the service is built, deployed or served ({glob})",
    ),
    rule(
        "infra.build",
        Severity.INFO,
        ["Makefile", "justfile", "Taskfile.{yml,yaml}", ".pre-commit-config.yaml"],
        "{path} is a build or task definition ({glob})",
    ),
)


class InfraDetector:
    name = "infra"
    kind = Kind.INFRA
    settings_model = DetectorSettings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        return False  # the diff's lines are all it reads

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        return detect_by_path(self.kind, self.name, files, settings, INFRA_RULES)
