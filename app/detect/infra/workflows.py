"""GitHub Actions content rules: what makes a workflow change dangerous rather than
merely relevant. Read as YAML, with line numbers: `pull_request_target` or
`workflow_run` that checks out the PR's code, secrets reachable from that code,
`${{ github.event… }}` pasted into `run:` (script injection), `permissions:
write-all`, unpinned third-party actions, ACTIONS_ALLOW_UNSECURE_COMMANDS.
Terraform, Kubernetes and Dockerfile rules are in manifests.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from app.detect.base import Severity, split_lines

H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    line: int
    severity: Severity
    message: str


# --- GitHub Actions ------------------------------------------------------------------

UNTRUSTED_TRIGGERS = {"pull_request_target", "workflow_run"}
# Parts of the event payload an outsider writes (titles, bodies, branch names …).
_INJECTABLE = re.compile(
    r"\$\{\{[^}]*\b(?:github\.event\.(?:issue|pull_request|comment|review|review_comment|"
    r"discussion|discussion_comment|head_commit|commits|pages|workflow_run)\b[^}]*"
    r"\b(?:title|body|ref|label|message|name|email|head_branch|page_name|default_branch)\b"
    r"|github\.head_ref)[^}]*\}\}"
)
_PR_HEAD = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|refs/pull/"
    r"|github\.event\.workflow_run\.head_(?:sha|branch)"
)
_PINNED = re.compile(r"@[0-9a-f]{40}$")
_FIRST_PARTY = ("actions/", "github/")
_SECRET_REF = re.compile(r"\$\{\{\s*secrets\.(?!GITHUB_TOKEN\b)\w+")
_INSECURE_COMMANDS = re.compile(r"ACTIONS_ALLOW_UNSECURE_COMMANDS\s*:\s*['\"]?true")
_WRITE_ALL_LINE = re.compile(r"^\s*permissions:\s*write-all\b")
WRITE_ALL = (
    "permissions: write-all gives every step a token that can push code and publish "
    "releases; grant only the scopes each job needs"
)
INSECURE_COMMANDS = (
    "re-enables set-env/add-path workflow commands: any log line can set environment "
    "variables for later steps"
)


def _load(text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    return yaml.load(text)


def _line(node: Any, key: Any = None) -> int:
    """1-based line of a mapping key (or of the node itself)."""
    if key is not None and isinstance(node, CommentedMap) and key in node:
        position = node.lc.key(key)
        return int(position[0]) + 1 if position else 1
    lc = getattr(node, "lc", None)
    return int(lc.line) + 1 if lc is not None else 1


def _triggers(doc: CommentedMap) -> set[str]:
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    if isinstance(on, str):
        return {on}
    if isinstance(on, list | CommentedSeq):
        return {str(t) for t in on}
    if isinstance(on, dict | CommentedMap):
        return {str(t) for t in on}
    return set()


def workflow(text: str) -> Iterator[Hit]:
    """Hits in a GitHub Actions workflow; a file that does not parse yields one."""
    try:
        doc = _load(text)
    except (YAMLError, IndexError, ValueError) as error:  # ruamel slips on `[-_]`
        mark = getattr(error, "problem_mark", None)
        yield Hit(
            "infra.workflow-unreadable",
            mark.line + 1 if mark else 1,
            M,
            "this workflow is not valid YAML, so its steps could not be checked",
        )
        return
    if not isinstance(doc, CommentedMap):
        return
    untrusted = _triggers(doc) & UNTRUSTED_TRIGGERS
    yield from _permissions(doc)
    jobs = doc.get("jobs")
    if not isinstance(jobs, CommentedMap):
        return
    for job in jobs.values():
        if not isinstance(job, CommentedMap):
            continue
        yield from _permissions(job)
        yield from _reusable(job, untrusted)
        steps = job.get("steps")
        if isinstance(steps, CommentedSeq):
            yield from _steps(steps, untrusted)
    if "ACTIONS_ALLOW_UNSECURE_COMMANDS" in text:
        for number, line in enumerate(split_lines(text), start=1):
            if _INSECURE_COMMANDS.search(line):
                yield Hit("infra.insecure-commands", number, H, INSECURE_COMMANDS)


def _permissions(node: CommentedMap) -> Iterator[Hit]:
    if node.get("permissions") == "write-all":
        yield Hit("infra.write-all", _line(node, "permissions"), H, WRITE_ALL)


def _reusable(job: CommentedMap, untrusted: set[str]) -> Iterator[Hit]:
    if job.get("secrets") == "inherit":
        severity = H if untrusted else M
        yield Hit(
            "infra.secrets-inherit",
            _line(job, "secrets"),
            severity,
            "secrets: inherit hands every repository secret to the called workflow"
            + (f" in a {'/'.join(sorted(untrusted))} workflow" if untrusted else ""),
        )


def _steps(steps: CommentedSeq, untrusted: set[str]) -> Iterator[Hit]:
    checked_out_head: int | None = None
    for step in steps:
        if not isinstance(step, CommentedMap):
            continue
        uses = str(step.get("uses") or "")
        if uses:
            yield from _uses(step, uses)
        if uses.startswith("actions/checkout@") and untrusted:
            inputs = step.get("with")
            ref = str(inputs.get("ref") or "") if isinstance(inputs, dict) else ""
            if _PR_HEAD.search(ref):
                checked_out_head = _line(step, "uses")
                yield Hit(
                    "infra.pr-target-checkout",
                    checked_out_head,
                    H,
                    f"{'/'.join(sorted(untrusted))} runs with secrets and a write token, and "
                    "this step checks out the pull request's code: anything that code runs "
                    "(build scripts, tests, package hooks) can steal them",
                )
        run = step.get("run")
        if isinstance(run, str):
            for match in _INJECTABLE.finditer(run):
                block = isinstance(run, LiteralScalarString | FoldedScalarString)
                yield Hit(
                    "infra.script-injection",
                    _line(step, "run") + int(block) + run[: match.start()].count("\n"),
                    H,
                    _injection(match.group(0)),
                )
        if checked_out_head is not None and _SECRET_REF.search(_flat(step)):
            yield Hit(
                "infra.secrets-to-untrusted",
                _line(step),
                H,
                "this step receives repository secrets after the pull request's code was "
                "checked out in a privileged workflow",
            )


def _uses(step: CommentedMap, uses: str) -> Iterator[Hit]:
    message = _unpinned(uses)
    if message is not None:
        yield Hit("infra.unpinned-action", _line(step, "uses"), H, message)


def _unpinned(uses: str) -> str | None:
    """Why a `uses:` value is unsafe, or None: a third-party action on a movable ref."""
    if uses.startswith(("./", "docker://")) or uses.startswith(_FIRST_PARTY):
        return None
    if "@" in uses and not _PINNED.search(uses):
        return (
            f"{uses} is a third-party action pinned to a movable tag or branch: whoever "
            "controls it can change what runs here; pin a full commit SHA"
        )
    return None


def _injection(expression: str) -> str:
    return (
        f"{expression} is text an outsider controls, pasted into a shell script; pass it "
        "through env: and quote it"
    )


def _flat(node: Any) -> str:
    if isinstance(node, dict | CommentedMap):
        return " ".join(f"{k} {_flat(v)}" for k, v in node.items())
    if isinstance(node, list | CommentedSeq):
        return " ".join(_flat(v) for v in node)
    return str(node)


def is_workflow(path: str) -> bool:
    return path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))


_USES = re.compile(r"^\s*-?\s*uses:\s*['\"]?([^\s'\"#]+)")


def workflow_lines(added: list[tuple[int, str]]) -> Iterator[Hit]:
    """The line-level workflow rules, for an edited workflow whose whole text is not
    at hand (the structural ones, pull_request_target with a head checkout, need it)."""
    for number, line in added:
        if _WRITE_ALL_LINE.search(line):
            yield Hit("infra.write-all", number, H, WRITE_ALL)
        if _INSECURE_COMMANDS.search(line):
            yield Hit("infra.insecure-commands", number, H, INSECURE_COMMANDS)
        uses = _USES.match(line)
        message = _unpinned(uses.group(1)) if uses else None
        if message is not None:
            yield Hit("infra.unpinned-action", number, H, message)
        for match in _INJECTABLE.finditer(line) if "run:" in line else ():
            yield Hit("infra.script-injection", number, H, _injection(match.group(0)))
