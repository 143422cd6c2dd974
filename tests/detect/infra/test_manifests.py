"""Terraform, Kubernetes and Dockerfile line rules."""

from __future__ import annotations

import pytest

from app.detect.base import Severity
from tests.detect.content_helpers import infra

TERRAFORM = """
resource "aws_security_group" "web" {{
  ingress {{
    from_port   = 22
    to_port     = 22
    cidr_blocks = [{ingress}]
  }}
  egress {{
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"""


def test_terraform_open_ingress_but_not_open_egress() -> None:
    assert (
        infra("infra/main.tf", TERRAFORM.format(ingress='"0.0.0.0/0"'))["infra.open-ingress"]
        == Severity.HIGH
    )
    assert "infra.open-ingress" not in infra(
        "infra/main.tf", TERRAFORM.format(ingress='"10.0.0.0/8"')
    )


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("infra.public-bucket", 'acl = "public-read"', 'acl = "private"'),
        ("infra.public-bucket", "block_public_acls = false", "block_public_acls = true"),
        ("infra.iam-wildcard", '"Action": "*",', '"Action": "s3:GetObject",'),
        ("infra.iam-wildcard", 'actions = ["*"]', 'actions = ["s3:GetObject"]'),
    ],
)
def test_terraform_rules(rule: str, positive: str, negative: str) -> None:
    assert infra("infra/storage.tf", positive).get(rule) == Severity.HIGH
    assert rule not in infra("infra/storage.tf", negative)


K8S = """
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      {line}
"""


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("infra.privileged-pod", "privileged: true", "privileged: false"),
        ("infra.host-namespace", "hostNetwork: true", "hostNetwork: false"),
        ("infra.dangerous-capability", "add: [SYS_ADMIN]", "drop: [ALL]"),
        (
            "infra.privilege-escalation",
            "allowPrivilegeEscalation: true",
            "allowPrivilegeEscalation: false",
        ),
        ("infra.host-path", "hostPath:", "emptyDir: {}"),
    ],
)
def test_kubernetes_rules(rule: str, positive: str, negative: str) -> None:
    assert rule in infra("deploy/web.yaml", K8S.format(line=positive))
    assert rule not in infra("deploy/web.yaml", K8S.format(line=negative))
    assert rule not in infra("config/app.yaml", positive)  # not a manifest


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("infra.docker-root", "USER root", "USER app"),
        (
            "infra.curl-pipe-shell",
            "RUN curl -fsSL https://get.example.sh | sh",
            "RUN curl -fsSLO https://x/y.tar.gz",
        ),
        ("infra.unpinned-image", "FROM python:latest", "FROM python:3.11-slim@sha256:" + "b" * 64),
    ],
)
def test_dockerfile_rules(rule: str, positive: str, negative: str) -> None:
    assert rule in infra("Dockerfile", positive)
    assert rule not in infra("Dockerfile", negative)
