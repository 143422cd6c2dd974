from __future__ import annotations

import pytest

from app.detect.base import Change, ChangedFile, FileStatus, Finding, Kind, Severity
from app.policy.checklist import IN_COMMENT, item_key
from app.policy.evaluate import Conclusion, RoleState, evaluate
from app.policy.facts import PullFacts, Review, ReviewState, Tick
from app.policy.loading import load_config

HEAD, OLD = "h" * 40, "a" * 40
MIGRATION = Finding(
    Kind.MIGRATION,
    "db/migrate/1_drop.rb",
    3,
    Severity.CRITICAL,
    "migration.drop-column",
    "drops users.legacy_email",
)
AUTH = Finding(Kind.AUTH, "app/auth/token.rb", None, Severity.LOW, "auth.path", "auth path")
DEP = Finding(
    Kind.DEPENDENCY,
    "Gemfile",
    4,
    Severity.MEDIUM,
    "dependency.major",
    "rails 7->8",
    ecosystem="gem",
    package="rails",
    from_version="7.2.0",
    to_version="8.0.0",
    change=Change.MAJOR,
)
FILES = [
    ChangedFile(
        "db/migrate/1_drop.rb", FileStatus.ADDED, added=[(3, "remove_column :users")], additions=5
    ),
    ChangedFile(
        "app/auth/token.rb",
        FileStatus.MODIFIED,
        added=[(1, "JWT.decode(t)")],
        additions=1,
        deletions=1,
    ),
    ChangedFile("Gemfile", FileStatus.MODIFIED, additions=1, deletions=1),
    ChangedFile("docs/notes.md", FileStatus.MODIFIED, additions=1),
]
CONFIG = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations, min_severity: high}]
    unless: [{labels: [trivial-migration]}]
  security:
    reviewers: {teams: [appsec], users: [sec-lead]}
    when:
      - detector: auth
      - detector: dependencies
        changes: [added, major]
  qa:
    reviewers: {teams: [qa]}
    when: [{lines_changed: {gt: 400}}, {labels: [needs-qa]}]
  release-manager:
    reviewers: {users: [octocat]}
    when: [{base_branches: ["release/*"]}]
options:
  stale_approvals: %s
  separation_of_duties: %s
"""
TEAMS = {
    "dba": frozenset({"dana", "sam"}),
    "appsec": frozenset({"sam", "eve"}),
    "qa": frozenset({"quinn"}),
}


def decide(
    reviews=None,
    *,
    stale="relevant",
    sod="false",
    findings=(MIGRATION, AUTH, DEP),
    config=None,
    **facts,
):
    cfg = load_config(config or CONFIG % (stale, sod)).config
    base = {
        "author": "alice",
        "head_sha": HEAD,
        "team_members": TEAMS,
        "reviews": tuple(reviews) if reviews is not None else None,
    }
    decision = evaluate(cfg, FILES, list(findings), PullFacts(**(base | facts)))
    return decision, {r.key: r for r in decision.roles}


def approve(user: str, commit: str = HEAD) -> Review:
    return Review(user, ReviewState.APPROVED, commit)


def test_requirement_and_reasons_without_reviews() -> None:
    decision, roles = decide()
    assert decision.conclusion == Conclusion.REQUIRED
    assert [r.key for r in decision.required] == ["dba", "security"]
    assert roles["dba"].state == RoleState.REQUIRED
    assert roles["dba"].reasons == (MIGRATION,)
    assert roles["security"].reasons == (DEP, AUTH)
    assert not roles["qa"].required
    assert not roles["release-manager"].required


def test_min_severity_and_changes_filters() -> None:
    minor = Finding(
        Kind.DEPENDENCY,
        "Gemfile",
        4,
        Severity.LOW,
        "dependency.minor",
        "m",
        ecosystem="gem",
        change=Change.MINOR,
    )
    unclassified = Finding(
        Kind.DEPENDENCY,
        "yarn.lock",
        None,
        Severity.LOW,
        "dependency.lockfile-changed",
        "u",
        ecosystem="npm",
    )
    low_migration = Finding(
        Kind.MIGRATION, "db/migrate/2.rb", None, Severity.MEDIUM, "migration.added", "new"
    )
    _, roles = decide(findings=[minor, low_migration])
    assert not roles["dba"].required
    assert not roles["security"].required
    _, roles = decide(findings=[unclassified])
    assert roles["security"].reasons == (unclassified,)  # unknown change: fail closed


def test_gates_labels_branches_and_sizes() -> None:
    _, roles = decide(labels=frozenset({"Needs-QA"}), base_branch="release/2.1")
    assert roles["qa"].reasons[0].message == "label 'needs-qa' is set"
    assert roles["release-manager"].reasons[0].rule == "condition.base-branch"
    _, roles = decide(labels=frozenset({"trivial-migration"}))
    assert not roles["dba"].required
    assert roles["dba"].waived_by[0].message == "label 'trivial-migration' is set"


def test_paths_and_content_conditions_give_file_and_line() -> None:
    config = (
        "version: 1\nroles:\n"
        "  docs: {when: [{paths: ['docs/**']}]}\n"
        "  jwt: {when: [{content: 'JWT\\.decode', paths: ['app/**'], "
        "paths_ignore: ['app/legacy/**']}]}\n"
    )
    _, roles = decide(config=config, findings=())
    assert [(f.kind, f.file, f.line) for f in roles["docs"].reasons] == [
        (Kind.PATH, "docs/notes.md", None)
    ]
    assert [(f.kind, f.file, f.line) for f in roles["jwt"].reasons] == [
        (Kind.CONTENT, "app/auth/token.rb", 1)
    ]


def test_approval_by_a_member_satisfies_the_role() -> None:
    decision, roles = decide([approve("dana"), approve("eve")])
    assert roles["dba"].state == RoleState.APPROVED
    assert roles["dba"].approved_by == ("dana",)
    assert roles["security"].approved_by == ("eve",)
    assert decision.conclusion == Conclusion.APPROVED


def test_author_and_non_members_never_count() -> None:
    _, roles = decide(
        [approve("alice"), approve("mallory")],
        author="alice",
        team_members=TEAMS | {"dba": frozenset({"alice"})},
    )
    assert roles["dba"].state == RoleState.WAITING
    assert roles["dba"].approved_by == ()
    assert roles["dba"].missing == 1


def test_latest_decisive_review_per_person_counts() -> None:
    commented = Review("dana", ReviewState.COMMENTED, HEAD)
    _, roles = decide([approve("dana"), commented])
    assert roles["dba"].state == RoleState.APPROVED  # a comment does not undo an approval
    later_block = Review("dana", ReviewState.CHANGES_REQUESTED, HEAD)
    decision, roles = decide([approve("dana"), later_block, approve("eve")])
    assert roles["dba"].state == RoleState.BLOCKED
    assert roles["dba"].changes_requested_by == ("dana",)
    assert decision.conclusion == Conclusion.BLOCKED
    _, roles = decide([later_block, approve("dana")])
    assert roles["dba"].state == RoleState.APPROVED  # superseded by a new approval


def test_dismissed_review_leaves_no_vote() -> None:
    dismissed = Review("dana", ReviewState.DISMISSED, HEAD)
    _, roles = decide([approve("dana"), dismissed])
    assert roles["dba"].state == RoleState.WAITING
    _, roles = decide([Review("dana", ReviewState.CHANGES_REQUESTED, HEAD), dismissed])
    assert roles["dba"].state == RoleState.WAITING  # a dismissed block stops blocking


def test_changes_requested_by_a_non_member_does_not_block() -> None:
    _, roles = decide([approve("dana"), Review("quinn", ReviewState.CHANGES_REQUESTED, HEAD)])
    assert roles["dba"].state == RoleState.APPROVED


@pytest.mark.parametrize(
    ("mode", "changed_since", "fresh"),
    [
        ("never", {}, True),
        ("any_push", {OLD: frozenset({"docs/notes.md"})}, False),
        ("relevant", {OLD: frozenset({"docs/notes.md"})}, True),  # unrelated file changed
        ("relevant", {OLD: frozenset({"db/migrate/1_drop.rb"})}, False),  # trigger changed
        ("relevant", {}, False),  # history unknown: fail closed
        ("relevant", {OLD: None}, False),
    ],
)
def test_stale_approval_modes(mode: str, changed_since: dict, fresh: bool) -> None:
    _, roles = decide([approve("dana", OLD)], stale=mode, changed_since=changed_since)
    assert (roles["dba"].state == RoleState.APPROVED) is fresh
    assert roles["dba"].stale == (() if fresh else ("dana",))


def test_approval_on_head_is_always_fresh() -> None:
    _, roles = decide([approve("dana", HEAD)], stale="any_push")
    assert roles["dba"].state == RoleState.APPROVED


def test_relevant_staleness_for_roles_triggered_without_files() -> None:
    """A role a label (or the size, the branch) triggered goes stale when any file of
    the PR changes, and stays fresh across a merge of the base alone."""
    args = {"labels": frozenset({"needs-qa"}), "stale": "relevant"}
    _, roles = decide([approve("quinn", OLD)], changed_since={OLD: frozenset()}, **args)
    assert roles["qa"].state == RoleState.APPROVED
    base_only = {OLD: frozenset({"docs/from-main.md"})}  # "Update branch" brought it
    _, roles = decide([approve("quinn", OLD)], changed_since=base_only, **args)
    assert roles["qa"].state == RoleState.APPROVED
    pr_file = {OLD: frozenset({"app/auth/token.rb"})}
    _, roles = decide([approve("quinn", OLD)], changed_since=pr_file, **args)
    assert roles["qa"].state == RoleState.WAITING


def test_a_change_to_any_file_of_a_merged_dependency_finding_stales_it() -> None:
    """The finding names the manifest; its lockfile changing alone must stale too."""
    locked = Finding(
        Kind.DEPENDENCY,
        "Gemfile",
        4,
        Severity.MEDIUM,
        "dependency.major",
        "rails 7->8; also in Gemfile.lock",
        ecosystem="gem",
        package="rails",
        change=Change.MAJOR,
        extra={"also_in": ("Gemfile.lock",)},
    )
    only_lock = {OLD: frozenset({"Gemfile.lock"})}
    _, roles = decide([approve("sam", OLD)], findings=(locked,), changed_since=only_lock)
    assert roles["security"].stale == ("sam",)


def test_separation_of_duties_maximises_satisfied_roles() -> None:
    # sam is in dba and appsec; eve only appsec. Without separation sam fills both.
    _, roles = decide([approve("sam")], sod="false")
    assert roles["dba"].approved
    assert roles["security"].approved
    _, roles = decide([approve("sam")], sod="true")
    assert [roles["dba"].approved, roles["security"].approved].count(True) == 1
    # With eve too, the matching gives sam to dba and eve to security.
    _, roles = decide([approve("sam"), approve("eve")], sod="true")
    assert roles["dba"].approved_by == ("sam",)
    assert roles["security"].approved_by == ("eve",)


def test_separation_of_duties_with_multi_approval_roles() -> None:
    config = (
        "version: 1\noptions: {separation_of_duties: true}\nroles:\n"
        "  a: {approvals: 2, reviewers: {users: [p1, p2, p3]}, when: [{labels: [x]}]}\n"
        "  b: {reviewers: {users: [p1]}, when: [{labels: [x]}]}\n"
        "  c: {reviewers: {users: [p2, p3]}, when: [{labels: [x]}]}\n"
    )
    reviews = [approve(p) for p in ("p1", "p2", "p3")]
    _, roles = decide(reviews, config=config, labels=frozenset({"x"}))
    # Three people, four seats: the best is two roles; a (2 seats) + b, or b + c.
    assert sum(r.approved for r in roles.values()) == 2
    people = [p for r in roles.values() if r.approved for p in r.approved_by]
    assert len(people) == len(set(people))


def test_checklist_must_be_ticked() -> None:
    config = (
        "version: 1\nroles:\n  dba:\n    reviewers: {users: [dana]}\n"
        "    when: [{detector: migrations}]\n"
        "    checklist: ['Rollback plan tested', 'Backfill timed']\n"
    )
    body = "Notes\n- [x] Rollback plan   tested\n- [ ] Backfill timed\n"
    _, roles = decide([approve("dana")], config=config, body=body)
    assert roles["dba"].checklist == (("Rollback plan tested", True), ("Backfill timed", False))
    assert roles["dba"].state == RoleState.WAITING
    _, roles = decide([approve("dana")], config=config, body=body.replace("[ ]", "[X]"))
    assert roles["dba"].state == RoleState.APPROVED


def test_checklist_in_the_comment_counts_the_roles_reviewers_ticks_only() -> None:
    config = (
        "version: 1\nroles:\n  dba:\n    reviewers: {users: [dana]}\n"
        "    when: [{detector: migrations}]\n    checklist: ['Rollback plan tested']\n"
    )
    key = item_key("rollback plan  TESTED")  # the words, normalised
    body = "- [x] Rollback plan tested\n"  # the description does not count here
    by_author = (Tick("dba", key, "alice"),)
    decision, roles = decide([approve("dana")], config=config, body=body, checklist_ticks=())
    assert roles["dba"].state == RoleState.WAITING
    assert roles["dba"].checklist_in == IN_COMMENT
    decision, roles = decide([approve("dana")], config=config, checklist_ticks=by_author)
    assert roles["dba"].state == RoleState.WAITING
    assert "DBA: the tick of @alice on 'Rollback plan tested' does not count: they wrote" in (
        " ".join(decision.notes)
    )
    stranger = (Tick("dba", key, "mallory"),)
    decision, roles = decide([approve("dana")], config=config, checklist_ticks=stranger)
    assert roles["dba"].state == RoleState.WAITING
    assert any("they are not a reviewer of DBA" in n for n in decision.notes)
    ticks = (Tick("dba", key, "Dana"),)
    _, roles = decide([approve("dana")], config=config, checklist_ticks=ticks)
    assert roles["dba"].state == RoleState.APPROVED
    lenient = config + "options: {checklist_by_author: true}\n"
    decision, roles = decide([approve("dana")], config=lenient, checklist_ticks=by_author)
    assert roles["dba"].state == RoleState.APPROVED
    assert not [n for n in decision.notes if "tick" in n]


def test_unknown_team_membership_is_noted_not_guessed() -> None:
    decision, roles = decide([approve("dana")], team_members={})
    assert roles["dba"].state == RoleState.WAITING
    assert any("members of team 'dba' are unknown" in n for n in decision.notes)


def test_same_input_same_decision() -> None:
    assert decide([approve("dana")])[0] == decide([approve("dana")])[0]


def test_an_unreadable_file_counts_for_every_detector_and_content_condition() -> None:
    """Fail closed: no rule read its lines, so no filter may let it pass."""
    config = load_config(
        "version: 1\nroles:\n"
        "  sre: {when: [{detector: migrations, min_severity: high}]}\n"
        "  security: {when: [{detector: secrets, rules: ['secret.aws-*']}]}\n"
        "  qa: {when: [{content: 'TODO'}]}\n"
        "  docs: {when: [{detector: auth, paths: ['docs/**']}]}\n"
    ).config
    unreadable = Finding(
        Kind.PATH, "db/migrate/1.rb", None, Severity.MEDIUM, "diff.unreadable", "unreadable"
    )
    files = [ChangedFile("db/migrate/1.rb", FileStatus.MODIFIED, parse_error="bad hunk")]
    decision = evaluate(config, files, [unreadable], PullFacts())
    required = {r.key for r in decision.required}
    assert required == {"sre", "security", "qa"}  # docs: out of its paths
    assert all(r.reasons == (unreadable,) for r in decision.required)


def test_a_role_may_keep_its_own_staleness() -> None:
    """QA tested that build (any push stales it); the DBA only cares about the migration."""
    config = load_config(
        "version: 1\nroles:\n"
        "  dba: {reviewers: {users: [dana]}, when: [{detector: migrations}]}\n"
        "  qa: {reviewers: {users: [quinn]}, when: [{detector: migrations}],"
        " stale_approvals: any_push}\n"
    ).config
    facts = PullFacts(
        head_sha=HEAD,
        reviews=(approve("dana", OLD), approve("quinn", OLD)),
        changed_since={OLD: frozenset({"README.md"})},
    )
    decision = evaluate(config, FILES, [MIGRATION], facts)
    states = {r.key: r.state for r in decision.roles}
    assert states == {"dba": RoleState.APPROVED, "qa": RoleState.WAITING}
