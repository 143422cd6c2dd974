"""The decide phase, pure: plain snapshots in, the intended effects out."""

from __future__ import annotations

from dataclasses import replace

from app.detect.base import ChangedFile, FileStatus
from app.github.gateway import PullInfo
from app.policy.facts import Review, ReviewState
from app.policy.loading import ConfigIssue, load_config
from app.report import messages
from app.service.plan import findings_of, plan_invalid, plan_pull, required_roles
from app.service.snapshot import InvalidConfig, PullSnapshot, ReviewFacts

CONFIG = load_config(
    """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations}]
options:
  check_name: Gate
""",
    "release-roles.yml",
).config
PULL = PullInfo(
    number=7,
    state="open",
    draft=False,
    merged=False,
    author="alice",
    head_sha="h" * 40,
    base_ref="main",
    base_sha="b" * 40,
    labels=frozenset(),
    body="",
    requested_users=frozenset(),
    requested_teams=frozenset(),
    html_url="https://github.com/acme/shop/pull/7",
)
MIGRATION = ChangedFile(
    path="db/migrate/20261101_drop.rb",
    status=FileStatus.ADDED,
    added=[(1, "class Drop < ActiveRecord::Migration[7.1]"), (2, "remove_column :users, :e")],
    additions=2,
)
NO_FACTS = ReviewFacts(
    team_members={"dba": frozenset({"dana"})}, changed_since={}, removed=frozenset()
)


def snapshot(**changes: object) -> PullSnapshot:
    base = PullSnapshot(PULL, [MIGRATION], [], CONFIG, None)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_waiting_role_asks_its_team_and_the_check_waits() -> None:
    snap = snapshot()
    findings = findings_of(snap)
    assert [r.reviewers.teams for r in required_roles(snap, findings)] == [["dba"]]
    plan = plan_pull(snap, findings, NO_FACTS, "acme")
    assert plan.request.teams == frozenset({"dba"})
    assert (plan.sha, plan.check_name, plan.check.status) == (PULL.head_sha, "Gate", "in_progress")
    assert plan.files_url == "https://github.com/acme/shop/pull/7/files"


def test_an_approval_by_a_member_makes_the_check_green_and_asks_nobody() -> None:
    approved = [Review("dana", ReviewState.APPROVED, PULL.head_sha)]
    snap = snapshot(reviews=approved)
    plan = plan_pull(snap, findings_of(snap), NO_FACTS, "acme")
    assert (plan.check.conclusion, bool(plan.request)) == ("success", False)


def test_a_draft_asks_nobody_yet_and_says_so() -> None:
    snap = snapshot(pull=replace(PULL, draft=True))
    plan = plan_pull(snap, findings_of(snap), NO_FACTS, "acme")
    assert not plan.request
    assert plan.check.summary.startswith(f"_{messages.DRAFT_NOTE}_")


def test_notes_of_the_read_phase_and_a_refusal_reach_the_check() -> None:
    snap = snapshot(notes=["2 files were judged by their diff alone"])
    plan = plan_pull(snap, findings_of(snap), NO_FACTS, "acme")
    assert "judged by their diff alone" in plan.check.summary
    refused = plan.check_with_notes(["GitHub refused to request team dba: no access"])
    assert "GitHub refused to request team dba" in refused.summary
    assert "judged by their diff alone" in refused.summary
    assert "GitHub refused" not in plan.check.summary


def test_request_reviews_false_asks_nobody() -> None:
    config = CONFIG.model_copy(
        update={"options": CONFIG.options.model_copy(update={"request_reviews": False})}
    )
    snap = snapshot(config=config)
    assert not plan_pull(snap, findings_of(snap), NO_FACTS, "acme").request


def test_an_invalid_config_is_a_failing_check_under_the_name_it_was_given() -> None:
    issue = ConfigIssue("release-roles.yml", 3, 5, "roles.dba.when: not a list", None)
    plan = plan_invalid(InvalidConfig(PULL, (issue,), "in this pull request", "Gate"), "Old")
    assert (plan.check_name, plan.check.conclusion) == ("Gate", "failure")
    assert "release-roles.yml:3:5" in plan.check.summary
    assert plan.check_with_notes(["x"]) == plan.check
