from __future__ import annotations

import re

import pytest

from app.github.events import BadDeliveryError, route
from app.jobs.model import JobKind
from app.policy.checklist import item_key
from app.report import ticks
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


def test_unknown_events_are_notes_and_broken_payloads_are_refused() -> None:
    assert "not used" in route("star", {}, APP).note
    with pytest.raises(BadDeliveryError, match="pull_request payload: 'pull_request' is missing"):
        route("pull_request", {"action": "opened"}, APP)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"repository": {"owner": {"login": "acme\x00/x"}}}, "is not a GitHub account name"),
        ({"repository": {"name": "../shop"}}, "is not a repository name"),
        ({"pull_request": {"number": 2**40}}, "number 1099511627776 is out of range"),
        ({"pull_request": {"number": True}}, "expected an integer, got bool"),
        ({"pull_request": {"number": 1.5}}, "expected an integer, got float"),
        ({"installation": {"id": "77"}}, "expected an integer, got str"),
        ({"repository": {"owner": {"login": False}}}, "is not a string"),
    ],
)
def test_fields_a_job_is_built_from_must_be_githubs(change: dict, reason: str) -> None:
    body = payload("pull_request.opened", **change)
    with pytest.raises(BadDeliveryError, match=re.escape(reason)):
        route("pull_request", body, APP)


def test_a_head_sha_that_is_not_one_is_dropped_not_trusted() -> None:
    body = payload("pull_request.opened", pull_request={"head": {"sha": "not-a-sha"}})
    [job] = route("pull_request", body, APP).jobs
    assert job.sha is None


def _edited(before: str, after: str, sender_type: str = "User") -> dict[str, object]:
    body = payload("issue_comment.created", action="edited")
    body["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    body["comment"]["body"] = after
    body["changes"] = {"body": {"from": before}}
    body["sender"]["type"] = sender_type
    return body


def test_ticks_in_the_release_plan_are_read_from_the_edit_and_its_before() -> None:
    plan = "<!-- release-roles: release plan -->\n" + "\n".join(
        ticks.box("dba", item, False, item) for item in ("Backup taken", "Rollback tested")
    )
    ticked = plan.replace("- [ ] Backup taken", "- [x] Backup taken")
    routed = route("issue_comment", _edited(plan, ticked), 4242)
    assert routed.ticks is not None
    assert routed.ticks.ticked == {("dba", item_key("Backup taken"))}
    assert routed.ticks.cleared == frozenset()
    assert [j.kind for j in routed.jobs] == [JobKind.PULL]
    cleared = route("issue_comment", _edited(ticked, plan), 4242).ticks
    assert cleared is not None
    assert cleared.cleared == {("dba", item_key("Backup taken"))}
    # the App rewriting its plan, a comment that is not the plan, an edit of the words
    for body in (
        _edited(plan, ticked, sender_type="Bot"),
        _edited(plan.replace("release plan", "x"), ticked.replace("release plan", "x")),
        _edited(plan, plan + "\nmore words"),
    ):
        routed = route("issue_comment", body, 4242)
        assert routed.ticks is None
        assert routed.jobs == ()
