"""GitHub Actions rules: untrusted triggers, injection, permissions, pinning."""

from __future__ import annotations

import pytest

from app.detect.base import ChangedFile, FileStatus, Finding, Severity
from app.detect.registry import DETECTORS, run_detectors
from tests.detect.content_helpers import change, found, infra

PR_TARGET = """
on: pull_request_target
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm test
        env:
          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
"""


def test_pull_request_target_checking_out_the_head_with_secrets() -> None:
    hits = infra(".github/workflows/test.yml", PR_TARGET)
    assert hits["infra.pr-target-checkout"] == Severity.HIGH
    assert hits["infra.secrets-to-untrusted"] == Severity.HIGH
    safe = PR_TARGET.replace("pull_request_target", "pull_request")
    assert "infra.pr-target-checkout" not in infra(".github/workflows/test.yml", safe)
    no_head = PR_TARGET.replace(
        "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n", ""
    )
    assert "infra.pr-target-checkout" not in infra(".github/workflows/test.yml", no_head)


WORKFLOW = """
on: issues
permissions: {perms}
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - uses: {action}
      - run: |
          echo "triaging"
          echo "{run}"
"""


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("infra.write-all", {"perms": "write-all"}, {"perms": "read-all"}),
        (
            "infra.unpinned-action",
            {"action": "tj-actions/changed-files@v45"},
            {"action": "tj-actions/changed-files@" + "a" * 40},
        ),
        ("infra.script-injection", {"run": "${{ github.event.issue.title }}"}, {"run": "$TITLE"}),
    ],
)
def test_workflow_rules(rule: str, positive: dict[str, str], negative: dict[str, str]) -> None:
    base = {"perms": "read-all", "action": "actions/checkout@v4", "run": "ok"}
    hits = infra(".github/workflows/triage.yml", WORKFLOW.format(**(base | positive)))
    assert hits.get(rule) == Severity.HIGH
    assert rule not in infra(".github/workflows/triage.yml", WORKFLOW.format(**(base | negative)))


def test_script_injection_points_at_the_line_in_the_run_block() -> None:
    text = WORKFLOW.format(
        perms="read-all", action="actions/checkout@v4", run="${{ github.event.issue.title }}"
    )
    [hit] = [
        f
        for f in found("infra", change(".github/workflows/t.yml", text))
        if f.rule == "infra.script-injection"
    ]
    assert (
        text.strip("\n").splitlines()[hit.line - 1].strip()
        == 'echo "${{ github.event.issue.title }}"'
    )


def test_insecure_commands_and_secrets_inherit() -> None:
    text = "on: push\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@main\n    secrets: inherit\n  b:\n    runs-on: x\n    env:\n      ACTIONS_ALLOW_UNSECURE_COMMANDS: true\n    steps: []\n"
    hits = infra(".github/workflows/x.yml", text)
    assert hits["infra.secrets-inherit"] == Severity.MEDIUM
    assert hits["infra.insecure-commands"] == Severity.HIGH
    assert "infra.insecure-commands" not in infra(
        ".github/workflows/x.yml", text.replace("true", "false")
    )


def test_a_broken_workflow_is_reported_not_crashed_on() -> None:
    assert "infra.workflow-unreadable" in infra(".github/workflows/x.yml", "on: [push\njobs: {")
    # ruamel reads `-_` and `._` as floats and fails inside (IndexError, ValueError)
    for odd in ("on: push\njobs: [-_]\n", "on: push\njobs: [._]\n"):
        assert "infra.workflow-unreadable" in infra(".github/workflows/x.yml", odd)


def test_only_lines_the_change_added_are_flagged() -> None:
    text = WORKFLOW.format(perms="read-all", action="tj-actions/changed-files@v45", run="ok").strip(
        "\n"
    )
    lines = text.splitlines()
    edited = ChangedFile(
        path=".github/workflows/triage.yml",
        status=FileStatus.MODIFIED,
        added=[(1, lines[0])],
        removed=[(1, "on: push")],
        head_loader=lambda _p: text,
    )
    assert [f.rule for f in found("infra", edited) if f.line] == []


def test_secrets_to_untrusted_needs_the_head_checkout() -> None:
    no_checkout_of_head = PR_TARGET.replace("${{ github.event.pull_request.head.sha }}", "main")
    assert "infra.secrets-to-untrusted" not in infra(
        ".github/workflows/test.yml", no_checkout_of_head
    )


def test_secrets_inherit_is_high_in_pull_request_target() -> None:
    text = (
        "on: pull_request_target\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@"
        + "c" * 40
        + "\n    secrets: inherit\n"
    )
    assert infra(".github/workflows/x.yml", text)["infra.secrets-inherit"] == Severity.HIGH
    named = text.replace("secrets: inherit", "secrets:\n      token: ${{ secrets.DEPLOY }}")
    assert "infra.secrets-inherit" not in infra(".github/workflows/x.yml", named)


def test_an_edited_workflow_without_its_whole_text_gets_the_line_rules() -> None:
    edited = change(
        ".github/workflows/ci.yml",
        "      - uses: tj-actions/changed-files@v45\n      - run: echo ${{ github.event.issue.title }}\n      - with: {title: '${{ github.event.issue.title }}'}",
        removed="      - uses: actions/checkout@v3",
    )
    hits = {(f.rule, f.line) for f in found("infra", edited)}
    assert ("infra.unpinned-action", 1) in hits
    assert ("infra.script-injection", 2) in hits
    assert ("infra.script-injection", 3) not in hits  # an input, not a shell script
    assert DETECTORS["infra"].wants_content(edited, DETECTORS["infra"].settings_model())
    new = change(".github/workflows/new.yml", "on: push")
    assert not DETECTORS["infra"].wants_content(new, DETECTORS["infra"].settings_model())


def _ci(changed: ChangedFile, **off: bool) -> Finding:
    """The infra.ci finding once every detector ran (the registry weighs pins moved)."""
    settings = {name: d.settings_model(enabled=name not in off) for name, d in DETECTORS.items()}
    [ci] = [f for f in run_detectors([changed], settings) if f.rule == "infra.ci"]
    return ci


@pytest.mark.parametrize(
    ("removed", "added", "severity"),
    [
        # Dependabot's everyday change: the dependencies detector rates the action
        ("      - uses: actions/checkout@v4", "      - uses: actions/checkout@v5", Severity.INFO),
        (
            "      - uses: pypa/gh-action-pypi-publish@76f52bc # v1.12.3\n# keep",
            "      - uses: pypa/gh-action-pypi-publish@e9ccbe5 # v1.12.4\n# keep",
            Severity.INFO,
        ),
        # a step's own command changed: SRE reads it
        ("        run: make test", "        run: make test deploy", Severity.MEDIUM),
        # a local action is no dependency anyone rates
        (
            "      - uses: ./.github/actions/setup",
            "      - uses: ./.github/actions/setup2",
            Severity.MEDIUM,
        ),
    ],
)
def test_a_pipeline_edit_that_only_moves_action_pins_is_info(
    removed: str, added: str, severity: Severity
) -> None:
    edited = change(".github/workflows/ci.yml", added, removed=removed)
    assert _ci(edited).severity == severity


def test_pins_nobody_rated_keep_the_pipeline_edit_medium() -> None:
    """With the dependencies detector off, nothing rates the actions' new code: SRE."""
    edited = change(
        ".github/workflows/ci.yml",
        "      - uses: acme/deploy@0e279bb959325dab635dd2c09392533439d90093",
        removed="      - uses: acme/deploy@ac6db6d3c1f721f886538a378a2d73e85697340a",
    )
    assert _ci(edited).severity == Severity.INFO
    assert _ci(edited, dependencies=True).severity == Severity.MEDIUM


def test_a_new_workflow_of_only_pins_still_calls_sre() -> None:
    new = change(".github/workflows/ci.yml", "      - uses: actions/checkout@v5")
    assert _ci(new).severity == Severity.MEDIUM
