from __future__ import annotations

from app.github.events import route
from app.jobs.model import JobKind
from tests.harness import payload

APP = 4242


def test_pull_request_actions_that_cannot_change_the_decision_queue_nothing() -> None:
    for action in ("assigned", "closed", "locked", "review_requested"):
        body = payload("pull_request.opened")
        body["action"] = action
        assert route("pull_request", body, APP).jobs == ()


def test_edited_including_a_base_change_reevaluates() -> None:
    body = payload("pull_request.opened")
    body["action"] = "edited"
    body["changes"] = {"base": {"ref": {"from": "develop"}}}
    [job] = route("pull_request", body, APP).jobs
    assert (job.kind, job.number) == (JobKind.PULL, 2)


def test_review_request_removed_remembers_the_person_or_team() -> None:
    body = payload("pull_request.review_request_removed")
    routed = route("pull_request", body, APP)
    assert routed.removed_reviewer == ("Codertocat/Hello-World", 2, "octocat")
    body["requested_team"] = {"slug": "dba"}
    assert route("pull_request", body, APP).removed_reviewer == (
        "Codertocat/Hello-World",
        2,
        "team:dba",
    )


def test_only_our_own_checks_are_rerequested_and_our_other_check_events_ignored() -> None:
    body = payload("check_run.rerequested")
    assert route("check_run", body, APP).jobs == ()  # another app's run
    body["check_run"]["app"]["id"] = APP
    body["check_run"]["pull_requests"] = [{"number": 9}]
    assert [j.number for j in route("check_run", body, APP).jobs] == [9]
    completed = payload("check_run.completed")
    completed["check_run"]["app"]["id"] = APP
    assert route("check_run", completed, APP).jobs == ()  # our own update: no loop


def test_push_that_changes_the_config_reevaluates_the_branch() -> None:
    body = payload("push")
    body["ref"] = "refs/heads/release/2.0"
    body["commits"] = [{"added": [], "removed": [], "modified": ["src/a.py"]}]
    assert route("push", body, APP).jobs == ()
    body["commits"].append({"added": [".github/release-roles.yml"], "removed": [], "modified": []})
    [job] = route("push", body, APP).jobs
    assert (job.kind, job.ref) == (JobKind.CONFIG_CHANGED, "release/2.0")


def test_recheck_command_only_on_pull_request_comments() -> None:
    body = payload("issue_comment.created")
    body["comment"]["body"] = "/release-roles recheck please"
    assert route("issue_comment", body, APP).jobs == ()  # an issue, not a PR
    body["issue"]["pull_request"] = {"url": "x"}
    assert [j.number for j in route("issue_comment", body, APP).jobs] == [body["issue"]["number"]]
    body["comment"]["body"] = "looks good"
    assert route("issue_comment", body, APP).jobs == ()


def test_unknown_events_and_broken_payloads_are_notes_not_crashes() -> None:
    assert "not used" in route("star", {}, APP).note
    assert "payload lacks" in route("pull_request", {"action": "opened"}, APP).note
