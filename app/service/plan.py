"""The decide phase of one evaluation, pure: a snapshot becomes findings, a Decision
and the effects it calls for (whom to ask for review, the check run to show).

Nothing here reads or writes; the evaluator performs the Plan afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.detect.base import Finding
from app.detect.dependencies import graph
from app.detect.registry import redacted, run_detectors
from app.github.records import PullInfo
from app.policy.config import Role
from app.policy.evaluate import Decision, evaluate
from app.policy.facts import PullFacts, Review
from app.policy.notifications import Notice, notices
from app.policy.requests import People, ReviewRequest, holds, reviewers_to_request
from app.report import checkrun, messages
from app.report.checkrun import CheckRunContent
from app.report.comment import plan_comment
from app.service.snapshot import InvalidConfig, PullSnapshot, ReviewFacts


@dataclass(frozen=True, slots=True)
class Plan:
    """What one evaluation means to do, decided before anything is written."""

    sha: str
    check_name: str
    check: CheckRunContent
    request: ReviewRequest = field(default_factory=ReviewRequest)
    decision: Decision | None = None
    files_url: str | None = None
    draft_note: str | None = None
    paths: frozenset[str] = frozenset()  # every file the PR changes, renames by both names
    comment: str | None = None  # the release-plan comment's body (options.summary_comment)
    recheck_at: float | None = None  # evaluate again then: a held role may be due
    notices: tuple[Notice, ...] = ()  # notifications to send (once each)
    pull: PullInfo | None = None  # what the pages keep of it (history.py)
    reviews: tuple[Review, ...] = ()  # likewise: who approved when

    def check_with_notes(self, notes: list[str]) -> CheckRunContent:
        """The check with more notes (GitHub refused some review requests)."""
        if self.decision is None or not notes:
            return self.check
        decision = replace(self.decision, notes=(*self.decision.notes, *notes))
        return _render(decision, self.files_url, self.draft_note)


def findings_of(snapshot: PullSnapshot) -> list[Finding]:
    found = run_detectors(snapshot.files, snapshot.config.detectors.by_name())
    if snapshot.graph is not None:
        # GitHub's graph names versions as the manifest writes them: a URL may hold a token
        found = [redacted(f) for f in graph.replace_ours(found, snapshot.graph)]
    return found


def required_roles(snapshot: PullSnapshot, findings: list[Finding]) -> list[Role]:
    """The roles the change requires, before anyone's approvals are known (whose team
    members to look up)."""
    first = evaluate(snapshot.config, snapshot.files, findings, _facts(snapshot))
    return [snapshot.config.roles[r.key] for r in first.required]


def plan_pull(
    snapshot: PullSnapshot, findings: list[Finding], facts: ReviewFacts, owner: str
) -> Plan:
    pull, options = snapshot.pull, snapshot.config.options
    pull_facts = _with_reviews(snapshot, facts)
    decision = evaluate(snapshot.config, snapshot.files, findings, pull_facts)
    drafting = pull.draft and options.skip_drafts
    required = {r.key for r in decision.required if not r.approved}
    held = {k: h for k, h in holds(snapshot.config, pull_facts).items() if k in required}
    request = ReviewRequest()
    if options.request_reviews and not drafting:
        request = reviewers_to_request(decision, _people(snapshot, facts, owner), held)
    notes = (*snapshot.notes, *request.again, *(h.why for h in held.values()))
    dues = [h.until for h in held.values() if h.until is not None]
    if notes:
        decision = replace(decision, notes=(*decision.notes, *notes))
    files_url = f"{pull.html_url}/files"
    draft_note = messages.DRAFT_NOTE if drafting else None
    check = _render(decision, files_url, draft_note)
    paths = frozenset(p for f in snapshot.files for p in (f.path, f.base_path))
    heads_up = owner if drafting and options.early_notice else None
    comment = (
        plan_comment(decision, files_url, heads_up_org=heads_up)
        if options.summary_comment
        else None
    )
    return Plan(
        pull.head_sha,
        options.check_name,
        check,
        request,
        decision,
        files_url,
        draft_note,
        paths,
        comment,
        min(dues, default=None),
        tuple(notices(snapshot.config, decision, facts.notified, _where(snapshot), pull.html_url)),
        pull,
        tuple(snapshot.reviews),
    )


def _where(snapshot: PullSnapshot) -> str:
    repo = snapshot.pull.html_url.split("github.com/")[-1].split("/pull/")[0]
    return f"{repo}#{snapshot.pull.number}"


def plan_invalid(invalid: InvalidConfig, remembered_name: str) -> Plan:
    """A failing check with the config's errors: under the name the config in this PR
    gives it when that is known, else under the name the repository's checks last had
    (an invalid base config has no readable name)."""
    check = checkrun.config_error(invalid.issues, invalid.where)
    name = invalid.check_name or remembered_name
    return Plan(invalid.pull.head_sha, name, check, pull=invalid.pull)


def _render(decision: Decision, files_url: str | None, draft_note: str | None) -> CheckRunContent:
    return checkrun.from_decision(decision, files_url=files_url, draft_note=draft_note)


def _with_reviews(snapshot: PullSnapshot, facts: ReviewFacts) -> PullFacts:
    return replace(
        _facts(snapshot),
        team_members=facts.team_members,
        changed_since=facts.changed_since,
        contributors=facts.contributors,
        last_pusher=facts.last_pusher,
        overrides=facts.overrides,
        label_actors=facts.label_actors,
        retargeted_at=facts.retargeted_at,
        head_committed_at=facts.head_committed_at,
        now=facts.now,
        checklist_ticks=facts.checklist_ticks,
    )


def _facts(snapshot: PullSnapshot) -> PullFacts:
    pull = snapshot.pull
    return PullFacts(
        author=pull.author,
        labels=pull.labels,
        base_branch=pull.base_ref,
        body=pull.body,
        head_sha=pull.head_sha,
        draft=pull.draft,
        reviews=tuple(snapshot.reviews),
    )


def _people(snapshot: PullSnapshot, facts: ReviewFacts, owner: str) -> People:
    pull = snapshot.pull
    return People(
        owner=owner,
        author=pull.author,
        reviewed=frozenset(r.user.lower() for r in snapshot.reviews),
        requested_users=pull.requested_users,
        requested_teams=pull.requested_teams,
        removed=facts.removed,
        asked_before=facts.asked_before,
    )
