"""The check run a Decision becomes: never green unless earned, titles capped,
annotations one per place and rule."""

from __future__ import annotations

from app.detect.base import Finding, Kind, Severity
from app.policy.evaluate import Conclusion, Decision, RoleDecision, RoleState
from app.policy.loading import ConfigIssue
from app.report import checkrun, messages

DROP = Finding.for_line(
    Kind.MIGRATION, "db/1.sql", 3, Severity.CRITICAL, "migration.drop-column", "drops a column"
)


def role(state: RoleState, *reasons: Finding, name: str = "DBA") -> RoleDecision:
    return RoleDecision(
        name.lower(), name, None, True, state, reasons, teams=("dba",), approvals_needed=1
    )


def decision(conclusion: Conclusion, *roles: RoleDecision) -> Decision:
    return Decision(roles, tuple(f for r in roles for f in r.reasons), 1, 3, conclusion)


def test_waiting_is_in_progress_not_red() -> None:
    content = checkrun.from_decision(decision(Conclusion.WAITING, role(RoleState.WAITING, DROP)))
    assert (content.status, content.conclusion) == ("in_progress", None)
    assert content.title == "Waiting for DBA (0/1)"


def test_only_approval_or_nothing_required_is_green() -> None:
    approved = checkrun.from_decision(decision(Conclusion.APPROVED, role(RoleState.APPROVED)))
    nothing = checkrun.from_decision(decision(Conclusion.NOTHING_REQUIRED))
    blocked = checkrun.from_decision(decision(Conclusion.BLOCKED, role(RoleState.BLOCKED)))
    assert (approved.conclusion, nothing.conclusion, blocked.conclusion) == (
        "success",
        "success",
        "failure",
    )
    assert nothing.title == messages.NOTHING_REQUIRED_TITLE


def test_annotations_are_one_per_place_and_rule_with_github_levels() -> None:
    twice = decision(
        Conclusion.WAITING,
        role(RoleState.WAITING, DROP),
        role(RoleState.WAITING, DROP, name="SRE"),
    )
    [annotation] = checkrun.from_decision(twice).annotations
    assert annotation["annotation_level"] == "failure"
    assert (annotation["path"], annotation["start_line"]) == ("db/1.sql", 3)


def test_titles_are_capped_at_githubs_limit() -> None:
    many = [role(RoleState.WAITING, name=f"Role {i:03}") for i in range(60)]
    content = checkrun.from_decision(decision(Conclusion.WAITING, *many))
    assert len(content.title) == checkrun.TITLE_LIMIT
    assert content.title.endswith("…")


def test_errors_fail_closed_and_say_what_to_do() -> None:
    error = checkrun.evaluation_error("GitHub answered 502 for pull #7")
    assert error.conclusion == "failure"
    assert messages.RECHECK_COMMAND in error.summary
    issue = ConfigIssue(
        ".github/release-roles.yml", 4, 7, "unknown key 'whne'", "did you mean 'when'?"
    )
    invalid = checkrun.config_error([issue], "on main")
    assert invalid.conclusion == "failure"
    assert ".github/release-roles.yml:4:7" in invalid.summary


def test_the_digest_changes_with_what_is_shown() -> None:
    one = checkrun.from_decision(decision(Conclusion.WAITING, role(RoleState.WAITING, DROP)))
    same = checkrun.from_decision(decision(Conclusion.WAITING, role(RoleState.WAITING, DROP)))
    other = checkrun.from_decision(decision(Conclusion.WAITING, role(RoleState.WAITING)))
    assert one.digest() == same.digest() != other.digest()


def test_a_role_leads_with_its_worst_finding_and_folds_path_matches() -> None:
    added = Finding.for_file(Kind.MIGRATION, "db/1.sql", Severity.MEDIUM, "migration.added", "new")
    path = Finding.for_file(
        Kind.PATH, "db/1.sql", Severity.INFO, "path.match", "db/1.sql matches db/**"
    )
    dba = role(RoleState.WAITING, added, path, DROP)
    summary = checkrun.from_decision(decision(Conclusion.WAITING, dba)).summary
    row = next(line for line in summary.splitlines() if line.startswith("| ⏳ | **DBA**"))
    assert "🟥 **critical** `migration.drop-column` db/1.sql:3 (+1 more)" in row
    section = summary[summary.index("### ⏳ DBA") :]
    assert section.index("migration.drop-column") < section.index("migration.added")
    assert "path.match" not in section  # the migration findings say more about db/1.sql


def test_the_gravest_role_comes_first_and_the_author_is_told_what_happens_next() -> None:
    low = Finding.for_file(Kind.AUTH, "app/auth.py", Severity.LOW, "auth.path", "auth path")
    security = role(RoleState.WAITING, low, name="Security")
    dba = role(RoleState.WAITING, DROP)
    summary = checkrun.from_decision(decision(Conclusion.WAITING, security, dba)).summary
    assert summary.index("**DBA**") < summary.index("**Security**")
    assert "**What happens next:**" in summary
    assert "- DBA: 1 more approval from team dba" in summary
    assert messages.RECHECK_COMMAND in summary


def test_an_invalid_config_title_is_one_line_and_the_hints_are_in_the_summary() -> None:
    issues = [
        ConfigIssue(".github/release-roles.yml", 4, 7, "unknown key 'whne'", "try 'when'"),
        ConfigIssue(".github/release-roles.yml", 9, 3, "unknown key 'reviwers'", "try 'reviewers'"),
    ]
    content = checkrun.config_error(issues, "on main")
    assert (
        content.title
        == "Invalid config: .github/release-roles.yml:4:7: unknown key 'whne' (+1 more)"
    )
    assert "\n" not in content.title
    assert "hint: try 'when'" in content.summary
    assert "hint: try 'reviewers'" in content.summary
