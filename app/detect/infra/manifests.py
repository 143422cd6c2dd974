"""Line rules for infrastructure files, by kind:

- Terraform/OpenTofu: ingress open to 0.0.0.0/0, public buckets, IAM wildcards.
- Kubernetes: privileged pods, host namespaces, escalation, root, hostPath.
- Dockerfiles: running as root, unpinned base images, piping downloads to a shell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.detect.base import Severity

H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW


@dataclass(frozen=True, slots=True)
class LineRule:
    rule: str
    severity: Severity
    pattern: re.Pattern[str]
    message: str


def _lr(rule: str, severity: Severity, pattern: str, message: str) -> LineRule:
    return LineRule(rule, severity, re.compile(pattern), message)


TERRAFORM = (
    _lr(
        "infra.open-ingress",
        H,
        r"\b(?:cidr_blocks|source_ranges|cidr_ipv4|ipv6_cidr_blocks|cidr_ipv6)\b.*\"(?:0\.0\.0\.0/0|::/0)\""
        r"|\bsource_address_prefix(?:es)?\b.*\"(?:\*|0\.0\.0\.0/0|Internet|Any)\"",
        "opens this port to the whole internet (0.0.0.0/0)",
    ),
    _lr(
        "infra.public-bucket",
        H,
        r"\bacl\s*=\s*\"public-read(?:-write)?\""
        r"|\b(?:block_public_acls|block_public_policy|ignore_public_acls|restrict_public_buckets)\s*=\s*false"
        r"|\"all(?:Authenticated)?Users\""
        r"|\b(?:allow_blob_public_access|allow_nested_items_to_be_public)\s*=\s*true",
        "makes a storage bucket or its objects public",
    ),
    _lr(
        "infra.iam-wildcard",
        H,
        r"[\"']?\bActions?[\"']?\s*[:=]\s*\[?\s*[\"']\*[\"']"
        r"|\bactions\s*=\s*\[\s*\"\*\"|[\"']?\bPrincipal[\"']?\s*[:=]\s*[\"']\*[\"']"
        r"|\bidentifiers\s*=\s*\[\s*\"\*\"|[\"'](?:iam|s3|ec2|kms|sts):\*[\"']",
        "grants every action (or to everyone): IAM wildcards turn one leaked credential "
        "into full control",
    ),
)


def _key(name: str, value: str = "") -> str:
    """A YAML or JSON key at a line's start (also a list item's first key, `- hostPath:`)
    or inside a flow mapping (`{a: 1, b: 2}`)."""
    return rf"""(?:^\s*(?:-\s+)?|[{{,]\s*)["']?{name}["']?\s*:\s*{value}"""


KUBERNETES = (
    _lr(
        "infra.privileged-pod",
        H,
        _key("privileged", r"true\b"),
        "runs a privileged container: root on the node",
    ),
    _lr(
        "infra.host-namespace",
        H,
        _key("host(?:Network|PID|IPC)", r"true\b"),
        "shares the node's network, process or IPC namespace with the pod",
    ),
    _lr(
        "infra.dangerous-capability",
        H,
        r"\b(?:SYS_ADMIN|NET_ADMIN|SYS_PTRACE)\b|" + _key("add", r"\[?\s*[\"']?ALL\b"),
        "adds a kernel capability that escapes the container",
    ),
    _lr(
        "infra.privilege-escalation",
        M,
        "|".join(
            (
                _key("allowPrivilegeEscalation", r"true\b"),
                _key("runAsNonRoot", r"false\b"),
                _key("runAsUser", r"0\s*(?:$|[,}])"),
            )
        ),
        "lets the container run as or become root",
    ),
    _lr("infra.host-path", M, _key("hostPath"), "mounts a directory of the node into the pod"),
)
DOCKERFILE = (
    _lr(
        "infra.docker-root", M, r"^\s*USER\s+(?:root|0)(?::\S+)?\s*$", "runs the container as root"
    ),
    _lr(
        "infra.curl-pipe-shell",
        M,
        r"\b(?:curl|wget)\b[^|#]*\|\s*(?:sudo\s+)?(?:ba|z)?sh\b",
        "pipes a download straight into a shell: whatever the server sends runs at build time",
    ),
    _lr(
        "infra.unpinned-image",
        L,
        r"^\s*FROM\s+(?:--platform=\S+\s+)?(?![\w.-]+@sha256:)(?:[\w./-]+:latest|[\w./-]+)(?:\s+AS\s+\w+)?\s*$",
        "uses a base image by a moving tag (or none): builds change without a commit",
    ),
)
_K8S = re.compile(r"""^[\s{]*["']?apiVersion["']?\s*:\s*\S+""", re.MULTILINE)


_KIND_LINE = re.compile(r"""^["']?kind["']?\s*:\s*["']?(\w+)""", re.M)


def may_have_rules(path: str) -> bool:
    """Whether any line rule can apply to the file: Terraform, a Dockerfile, YAML or
    JSON (a manifest by its content). Other files are never read whole for them."""
    return path.endswith((".tf", ".tofu", ".tf.json", ".yml", ".yaml", ".json")) or _dockerfile(
        path
    )


def _dockerfile(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (
        name == "Dockerfile"
        or name.startswith("Dockerfile.")
        or name.endswith((".Dockerfile", "Containerfile"))
    )


def line_rules(path: str, text_or_lines: str | None) -> tuple[LineRule, ...]:
    """The line rules for a file, by its kind (a manifest is YAML with apiVersion:)."""
    if path.endswith((".tf", ".tofu", ".tf.json")):
        return TERRAFORM
    if _dockerfile(path):
        return DOCKERFILE
    if path.endswith((".yml", ".yaml", ".json")) and text_or_lines and _K8S.search(text_or_lines):
        kinds = set(_KIND_LINE.findall(text_or_lines))
        if kinds == {"CustomResourceDefinition"}:
            return ()  # a schema: its `hostPath:` and `privileged:` are field names
        return KUBERNETES
    return ()


def in_egress(lines: list[str], index: int) -> bool:
    """Whether line `index` (0-based) sits in an egress rule: open egress is normal."""
    for back in range(index, max(-1, index - 40), -1):
        text = lines[back]
        if re.search(r"^\s*egress\s*\{|type\s*=\s*\"egress\"|_egress_rule\"", text):
            return True
        if re.search(r"^\s*ingress\s*\{|type\s*=\s*\"ingress\"|_ingress_rule\"|^resource\s", text):
            return False
    return False
