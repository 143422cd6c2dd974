"""The board, the charts and the details page from stored records (pure)."""

from __future__ import annotations

import hashlib
from typing import Any

from app.jobs.store.history import StoredPull, Wait
from app.web import board, charts, details

NOW = 1_800_000_000.0
HOUR = 3600.0


def role(name: str, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "display_name": name.upper(),
        "required": state != "not_required",
        "approved": state in ("approved", "overridden"),
        "state": state,
        "approvals_needed": 1,
        "approved_by": ["dana"] if state == "approved" else [],
        "missing": 0,
        "changes_requested_by": ["sam"] if state == "blocked" else [],
        "stale_approvals": [],
        "contributor_approvals": [],
        "overridden": None,
        "reviewers": {"teams": [name], "users": []},
        "checklist": [],
        "reasons": [],
        "waived_by": [],
    } | extra


def stored(number: int, roles: list[dict[str, Any]], **extra: Any) -> StoredPull:
    states = {r["state"] for r in roles if r["required"]}
    conclusion = "success" if states <= {"approved", "overridden"} else "in_progress"
    record = {
        "repo": "acme/shop",
        "number": number,
        "title": f"PR {number}",
        "author": "alice",
        "base_ref": "main",
        "milestone": None,
        "labels": [],
        "draft": False,
        "html_url": f"https://github.com/acme/shop/pull/{number}",
        "head_sha": "a" * 40,
        "conclusion": conclusion,
        "summary": "",
        "decision": {"roles": roles, "findings": [], "notes": []},
    } | extra
    return StoredPull("acme/shop", number, record, NOW - HOUR)


def test_ready_blocked_and_waiting_each_in_their_place() -> None:
    pulls = [
        stored(1, [role("dba", "approved")]),
        stored(2, [role("dba", "waiting"), role("security", "blocked")]),
        stored(3, [role("dba", "waiting")], milestone="v2.0"),
    ]
    waits = [Wait("acme/shop", 3, "dba", "v2.0", NOW - 5 * HOUR, None)]
    built = board.build("acme", pulls, waits, board.Filters(), NOW)
    assert [r.number for r in built.ready] == [1]
    assert [r.number for r in built.rows] == [2, 3, 1]  # worst first
    assert [(g.release, [r.number for r in g.rows]) for g in built.groups] == [
        ("main", [2, 1]),
        ("v2.0", [3]),
    ]
    dba = next(b for b in built.blocked if b.role == "dba")
    assert [(row.number, round(waited / HOUR)) for row, waited in dba.waiting] == [(3, 5), (2, 1)]
    assert built.rows[0].state == "blocked"


def test_filters_by_role_state_label_and_author() -> None:
    pulls = [
        stored(1, [role("dba", "waiting")], labels=["db"]),
        stored(2, [role("security", "waiting")], author="bob"),
    ]

    def numbers(**chosen: str) -> list[int]:
        return [r.number for r in board.build("x", pulls, [], board.Filters(**chosen), NOW).rows]

    assert numbers(role="dba") == [1]
    assert numbers(label="db") == [1]
    assert numbers(author="BOB") == [2]
    assert numbers(state="ready") == []


def test_the_changes_going_into_a_release_name_package_and_versions() -> None:
    finding = {
        "kind": "dependency",
        "file": "requirements.txt",
        "line": 3,
        "severity": "medium",
        "rule": "dependency.major",
        "message": "django 4.2 -> 5.0",
        "package": "django",
        "from": "4.2",
        "to": "5.0",
    }
    pull = stored(1, [role("security", "waiting")])
    pull.record["decision"]["findings"] = [finding]
    [group] = board.build("x", [pull], [], board.Filters(), NOW).groups
    [(_, change)] = group.changes
    assert change.text == "django 4.2 → 5.0"


def test_timings_take_the_nearest_rank_median_and_p90() -> None:
    waits = [
        Wait("acme/shop", n, "dba", "main", NOW - 50 * HOUR, NOW - 50 * HOUR + n * HOUR)
        for n in range(1, 11)
    ]
    waits.append(Wait("acme/shop", 99, "dba", "main", NOW - 200 * 86400, NOW - 199 * 86400))
    [timing] = charts.timings(waits, NOW)
    assert (timing.count, timing.median / HOUR, timing.p90 / HOUR) == (10, 5, 9)
    [bar] = charts.bars([timing])
    assert charts.LABEL < bar.p90_x <= charts.WIDTH


def test_trends_count_the_roles_pending_at_each_day_end() -> None:
    waits = [
        Wait("a/b", 1, "dba", "v1", NOW - 3 * 86400 - 10, None),
        Wait("a/b", 2, "dba", "v1", NOW - 2 * 86400 - 10, NOW - 86400 - 10),
    ]
    [trend] = charts.trends(waits, NOW)
    assert trend.counts[-4:] == (1, 2, 1, 1)


def test_durations_read_at_a_glance() -> None:
    assert [charts.duration(s) for s in (40, 420, 5 * 3600 + 720, 3 * 86400 + 4 * 3600)] == [
        "40 s",
        "7 min",
        "5 h 12 min",
        "3 d 4 h",
    ]


def test_details_put_the_worst_finding_first_and_link_its_diff_line() -> None:
    reasons = [
        {"file": "a.py", "line": 3, "rule": "r1", "severity": "low", "message": "m1"},
        {"file": "db/x.sql", "line": 9, "rule": "r2", "severity": "critical", "message": "m2"},
    ]
    pull = stored(1, [role("dba", "waiting", reasons=reasons), role("qa", "not_required")])
    view = details.build(pull, [], [])
    [dba, qa] = view.roles
    assert [e.rule for e in dba.evidence] == ["r2", "r1"]
    # GitHub's anchor: the SHA-256 of the path, R and the line on the new side
    anchor = hashlib.sha256(b"db/x.sql").hexdigest()
    assert dba.evidence[0].link == f"https://github.com/acme/shop/pull/1/files#diff-{anchor}R9"
    assert not qa.required


def test_history_says_what_changed_between_evaluations() -> None:
    first = stored(1, [role("dba", "waiting")]).record
    second = stored(1, [role("dba", "approved")], head_sha="b" * 40).record
    view = details.build(stored(1, []), [(2.0, second), (1.0, first)], [])
    assert view.history[0].changes == ("new commits: bbbbbbb", "dba: waiting → approved")
    assert view.history[1].changes == ("first evaluation",)


def test_the_tables_group_by_release_branch_or_milestone() -> None:
    pulls = [stored(1, [role("dba", "waiting")], milestone="v2.0"), stored(2, [])]

    def groups(by: str) -> list[str]:
        built = board.build("x", pulls, [], board.Filters(group=by), NOW)
        return [g.release for g in built.groups]

    assert groups("release") == ["main", "v2.0"]
    assert groups("branch") == ["main"]
    assert groups("milestone") == ["no milestone", "v2.0"]
