"""What the pages keep of an evaluation (pure)."""

from __future__ import annotations

from dataclasses import replace

from app.detect.base import Finding, Kind, Severity
from app.service.history import MAX_FINDINGS, MAX_REASONS, evaluation_of
from app.service.plan import Plan, plan_pull
from tests.service.test_plan import NO_FACTS, PULL, snapshot


def decide(findings: list[Finding]) -> Plan:
    """The plan for the shop's migration PR, with these findings."""
    return plan_pull(snapshot(), findings, NO_FACTS, "acme")


def many(count: int) -> list[Finding]:
    severities = [Severity.LOW] * (count - 1) + [Severity.CRITICAL]
    return [
        Finding(Kind.MIGRATION, f"db/m{n}.sql", 1, severity, "migration.rule", f"m{n}")
        for n, severity in enumerate(severities)
    ]


def test_a_huge_pr_keeps_its_gravest_findings_and_says_how_many_it_left_out() -> None:
    plan = decide(many(MAX_FINDINGS + 40))
    kept = evaluation_of("acme/shop", plan)
    assert kept is not None
    decision = kept.record["decision"]
    assert len(decision["findings"]) == MAX_FINDINGS
    assert decision["findings_left_out"] == 40
    assert decision["findings"][0]["severity"] == "critical"  # the one critical is kept
    [role] = [r for r in decision["roles"] if r["required"]]
    assert len(role["reasons"]) == MAX_REASONS
    assert role["reasons_left_out"] == MAX_FINDINGS + 40 - MAX_REASONS
    assert role["reasons"][0]["severity"] == "critical"


def test_a_draft_starts_no_wait_and_a_title_is_redacted() -> None:
    plan = decide(many(2))
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    titled = replace(plan, pull=replace(PULL, title=f"rotate {token}"))
    kept = evaluation_of("acme/shop", titled)
    assert kept is not None
    assert token not in kept.record["title"]
    assert kept.pending == ("dba",)
    drafted = evaluation_of("acme/shop", replace(titled, draft_note="a draft"))
    assert drafted is not None
    assert drafted.pending == ()


def test_no_pull_request_nothing_kept() -> None:
    assert evaluation_of("acme/shop", Plan("h" * 40, "Gate", decide([]).check)) is None
