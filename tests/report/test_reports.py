from __future__ import annotations

import json

from app.detect.base import Change, ChangedFile, FileStatus, Finding, Kind, Severity
from app.policy.checklist import item_key
from app.policy.evaluate import evaluate
from app.policy.facts import PullFacts, Review, ReviewState, Tick
from app.policy.loading import load_config
from app.report import json as json_report
from app.report import markdown, text
from app.report.comment import plan_comment
from app.report.ticks import ticked

CONFIG = load_config(
    "version: 1\nroles:\n"
    "  dba: {reviewers: {teams: [dba]}, when: [{detector: migrations}]}\n"
    "  security: {reviewers: {teams: [appsec]}, when: [{detector: dependencies}]}\n"
    "  qa: {when: [{labels: [needs-qa]}]}\n"
).config
DROP = Finding(
    Kind.MIGRATION,
    "db/migrate/1_drop.rb",
    3,
    Severity.CRITICAL,
    "migration.drop-column",
    "drops users.legacy_email",
)
BUMP = Finding(
    Kind.DEPENDENCY,
    "poetry.lock",
    None,
    Severity.MEDIUM,
    "dependency.major",
    "django 4 -> 5",
    ecosystem="pypi",
    package="django",
    from_version="4.2.16",
    to_version="5.1.3",
    change=Change.MAJOR,
)
FILES = [
    ChangedFile("db/migrate/1_drop.rb", FileStatus.ADDED, additions=4),
    ChangedFile("poetry.lock", FileStatus.MODIFIED, additions=2, deletions=2),
]


def test_json_has_the_design_shape() -> None:
    decision = evaluate(CONFIG, FILES, [DROP, BUMP], PullFacts())
    data = json.loads(json_report.render(decision))
    dba = data["roles"][0]
    assert {k: dba[k] for k in ("name", "required", "approved")} == {
        "name": "dba",
        "required": True,
        "approved": False,
    }
    assert dba["reasons"] == [
        {
            "kind": "migration",
            "file": "db/migrate/1_drop.rb",
            "line": 3,
            "severity": "critical",
            "rule": "migration.drop-column",
            "message": "drops users.legacy_email",
        }
    ]
    dependency = data["findings"][1]
    assert dependency == {
        "kind": "dependency",
        "file": "poetry.lock",
        "line": None,
        "severity": "medium",
        "rule": "dependency.major",
        "message": "django 4 -> 5",
        "ecosystem": "pypi",
        "package": "django",
        "from": "4.2.16",
        "to": "5.1.3",
        "change": "major",
    }
    assert data["summary"] == {
        "conclusion": "required",
        "required": ["dba", "security"],
        "files_changed": 2,
        "lines_changed": 8,
    }


def test_text_report_lists_roles_reasons_and_others() -> None:
    decision = evaluate(CONFIG, FILES, [DROP], PullFacts())
    out = text.render(decision, title="main...HEAD")
    assert "● DBA — required: needs 1 approval from team dba" in out
    assert "critical db/migrate/1_drop.rb:3  migration.drop-column  drops users.legacy_email" in out
    assert "Not required: Security, QA" in out
    assert "\x1b[" not in out
    assert "\x1b[" in text.render(decision, colour=True)


def test_markdown_shows_approvers_and_links_evidence_to_the_diff() -> None:
    facts = PullFacts(
        author="alice",
        head_sha="h",
        reviews=(Review("dana", ReviewState.APPROVED, "h"),),
        team_members={"dba": frozenset({"dana"})},
    )
    decision = evaluate(CONFIG, FILES, [DROP, BUMP], facts)
    out = markdown.render(decision, files_url="https://github.com/o/r/pull/7/files")
    assert "**Waiting for release roles to approve.**" in out
    assert "| ✅ | **DBA** | approved by @dana |" in out
    assert "| ⏳ | **Security** | waiting (0/1) for team appsec |" in out
    anchor = markdown.diff_anchor("db/migrate/1_drop.rb", 3)
    assert f"[db/migrate/1_drop.rb:3](https://github.com/o/r/pull/7/files{anchor})" in out
    assert anchor.endswith("R3")
    assert len(anchor) == len("#diff-") + 64 + 2


def test_markdown_stays_under_githubs_limit_and_says_what_it_cut() -> None:
    many = [
        Finding(
            Kind.MIGRATION,
            f"db/migrate/{i:05}_x.rb",
            1,
            Severity.HIGH,
            "migration.edited",
            "x" * 300,
        )
        for i in range(2000)
    ]
    decision = evaluate(CONFIG, FILES, many, PullFacts())
    out = markdown.render(decision)
    assert len(out) <= markdown.GITHUB_SUMMARY_LIMIT
    assert "| 🔶 | **DBA** |" in out  # the table of roles survives the cut
    assert "- … and " in out
    assert " more" in out
    small = markdown.render(decision, limit=2000)
    assert len(small) <= 2000


def test_checklist_is_shown_as_marks_where_it_is_ticked_not_as_dead_task_boxes() -> None:
    config = load_config(
        "version: 1\nroles:\n"
        "  dba:\n"
        "    when: [{detector: migrations}]\n"
        "    checklist: ['Rollback plan tested', 'Backfill | timed']\n"
    ).config
    facts = PullFacts(body="- [x] Rollback plan tested\n")
    out = markdown.render(evaluate(config, FILES, [DROP], facts))
    # a task box here would be tickable in the comment and count for nothing
    assert not [line for line in out.splitlines() if line.lstrip().startswith(("- [", "* ["))]
    assert "ticked in the PR description" in out
    assert "- ☑ Rollback plan tested" in out
    assert "- ☐ Backfill \\| timed" in out


def test_the_comments_boxes_are_read_back_and_the_check_shows_marks() -> None:
    config = load_config(
        "version: 1\nroles:\n  dba:\n    reviewers: {users: [dana]}\n"
        "    when: [{detector: migrations}]\n"
        "    checklist: ['Rollback plan tested', 'Backfill timed']\n"
    ).config
    ticks_in_comment = (Tick("dba", item_key("Backfill timed"), "dana"),)
    facts = PullFacts(reviews=(), checklist_ticks=ticks_in_comment)
    decision = evaluate(config, FILES, [DROP], facts)
    body = plan_comment(decision, None)
    assert ticked(body) == {("dba", item_key("Backfill timed"))}
    assert "- [ ] Rollback plan tested <!-- release-roles:tick dba " in body
    assert "ticked in the release-plan comment" in body
    summary = markdown.render(decision)
    assert "<!--" not in summary
    assert "- ☐ Rollback plan tested" in summary


def test_a_globs_stars_are_shown_not_taken_for_emphasis() -> None:
    glob = Finding(
        Kind.MIGRATION, "db/x.rb", None, Severity.LOW, "migration.path", "by path (**/auth/**)"
    )
    out = markdown.render(evaluate(CONFIG, FILES, [glob, DROP], PullFacts()))
    assert "(\\*\\*/auth/\\*\\*)" in out
    assert "**critical**" in out  # our own emphasis stays
