"""Config x diff x findings x PR facts -> Decision. Pure: same input, same output."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from app.detect.base import ChangedFile, Finding
from app.policy import approvals
from app.policy.approvals import Demand
from app.policy.checklist import IN_COMMENT, IN_DESCRIPTION, in_comment, in_description
from app.policy.conditions import PullView, evidence
from app.policy.config import Condition, Config, Options, Role, display_name
from app.policy.facts import Override, PullFacts, Review, ReviewState
from app.policy.overrides import Judged, judge, label_waives


class RoleState(enum.StrEnum):
    NOT_REQUIRED = "not_required"
    REQUIRED = "required"  # reviews unknown (the CLI): needed, nothing more to say
    WAITING = "waiting"
    APPROVED = "approved"
    BLOCKED = "blocked"  # a member requested changes
    OVERRIDDEN = "overridden"  # waived by someone allowed, with the reason shown


class Conclusion(enum.StrEnum):
    NOTHING_REQUIRED = "nothing_required"
    REQUIRED = "required"  # reviews unknown
    WAITING = "waiting"
    APPROVED = "approved"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class RoleDecision:
    key: str
    name: str
    description: str | None
    required: bool
    state: RoleState
    reasons: tuple[Finding, ...]
    waived_by: tuple[Finding, ...] = ()
    teams: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    approvals_needed: int = 1
    approved_by: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    # (login, the commit they approved) of the stale approvals: what changed since
    stale_since: tuple[tuple[str, str], ...] = ()
    changes_requested_by: tuple[str, ...] = ()
    checklist: tuple[tuple[str, bool], ...] = ()
    checklist_in: str = IN_DESCRIPTION  # where the items are ticked
    unknown_teams: tuple[str, ...] = ()
    # members whose approval does not count: they contributed commits, or made the last
    contributed: tuple[str, ...] = ()
    members: frozenset[str] = frozenset()  # lower-case logins known to be the role's
    overridden: Override | None = None

    @property
    def approved(self) -> bool:
        return self.state in (RoleState.APPROVED, RoleState.OVERRIDDEN)

    @property
    def missing(self) -> int:
        return max(0, self.approvals_needed - len(self.approved_by))


@dataclass(frozen=True, slots=True)
class Decision:
    roles: tuple[RoleDecision, ...]
    findings: tuple[Finding, ...]
    files_changed: int
    lines_changed: int
    conclusion: Conclusion
    notes: tuple[str, ...] = field(default=())
    head_sha: str | None = None

    @property
    def required(self) -> tuple[RoleDecision, ...]:
        return tuple(r for r in self.roles if r.required)


@dataclass(frozen=True, slots=True)
class Ballot:
    """The votes of one role's members, sorted by what they count for."""

    fresh: frozenset[str] = frozenset()
    stale: frozenset[str] = frozenset()
    reviewed: Mapping[str, str] = field(default_factory=dict)  # stale vote -> its commit
    blocking: frozenset[str] = frozenset()
    contributed: frozenset[str] = frozenset()
    unknown_teams: tuple[str, ...] = ()
    members: frozenset[str] = frozenset()
    barred: frozenset[str] = frozenset()  # contributors and the last pusher


def evaluate(
    config: Config,
    files: Sequence[ChangedFile],
    findings: Sequence[Finding],
    facts: PullFacts,
) -> Decision:
    view = PullView(files, findings, facts, lambda label: label_waives(label, config, facts))
    triggered = [(key, role, *_requirement(role, view)) for key, role in config.roles.items()]
    judged = judge(config, facts) if facts.reviews is not None else Judged({}, ())
    ballots: dict[str, Ballot] = {}
    if facts.reviews is not None:
        votes = approvals.latest_votes(facts.reviews)
        for key, role, reasons, _waived in triggered:
            if reasons:
                relevant = _relevant_files(reasons, files)
                ballots[key] = _ballot(role, votes, facts, config, relevant)
    demands = [
        Demand(key, config.roles[key].approvals, ballot.fresh) for key, ballot in ballots.items()
    ]
    counted = approvals.assign(demands, config.options.separation_of_duties)
    where = IN_DESCRIPTION if facts.checklist_ticks is None else IN_COMMENT
    ticked = {
        key: _checklist(key, role, ballots.get(key), facts, config.options)
        for key, role, _reasons, _waived in triggered
    }
    roles = tuple(
        _overridden(
            _decide(key, role, reasons, waived, ballots.get(key), counted, ticked[key][0], where),
            judged,
        )
        for key, role, reasons, waived in triggered
    )
    return Decision(
        roles=roles,
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        files_changed=len(files),
        lines_changed=view.lines_changed,
        conclusion=_conclusion(roles, facts),
        head_sha=facts.head_sha,
        notes=_notes(files, roles)
        + judged.refused
        + _labels_not_waiving(config, view)
        + _uncounted(facts, roles)
        + tuple(note for r in roles if r.required for note in ticked[r.key][1]),
    )


Ticked = tuple[tuple[tuple[str, bool], ...], tuple[str, ...]]


def _checklist(
    key: str, role: Role, ballot: Ballot | None, facts: PullFacts, options: Options
) -> Ticked:
    """The role's items and whether each stands ticked; notes on ticks that do not."""
    if facts.checklist_ticks is None:
        return tuple(in_description(role.checklist, facts.body)), ()
    author = (facts.author or "").lower()
    name = display_name(key, role)

    def why_not(login: str) -> str | None:
        who = login.lower()
        if who == author:
            return None if options.checklist_by_author else "they wrote the pull request"
        if ballot is None or who not in ballot.members:
            return f"they are not a reviewer of {name}"
        if who in ballot.barred:
            return "they contributed to the pull request"
        return None

    state, refused = in_comment(key, role.checklist, facts.checklist_ticks, why_not)
    return tuple(state), tuple(f"{name}: {note}" for note in refused)


def _uncounted(facts: PullFacts, roles: Sequence[RoleDecision]) -> tuple[str, ...]:
    """Approvals that count for no required role and that no role's section explains
    already (stale, contributed): the author's own, and those of people no required
    role has as a member."""
    if facts.reviews is None:
        return ()
    required = [r for r in roles if r.required]
    said = {u for r in required for u in (*r.approved_by, *r.stale, *r.contributed)}
    author = (facts.author or "").lower()
    notes = []
    for user, review in sorted(approvals.latest_votes(facts.reviews).items()):
        if review.state != ReviewState.APPROVED or user in said or not required:
            continue
        if user == author:
            notes.append(f"@{user}'s approval does not count: they opened this pull request")
        elif not any(user in r.members for r in required):
            names = ", ".join(r.name for r in required)
            notes.append(f"@{user}'s approval counts for no role: not a member of {names}")
    return tuple(notes)


def _requirement(role: Role, view: PullView) -> tuple[list[Finding], list[Finding]]:
    """(reasons the role is required, reasons it was waived); reasons empty = not required."""
    waived = _first_holding(role.unless, view, waiving=True)
    if waived:
        return [], waived
    reasons: dict[tuple[str, str | None, int | None, str], Finding] = {}
    for condition in role.when:
        for finding in evidence(condition, view) or ():
            reasons.setdefault((finding.rule, finding.file, finding.line, finding.message), finding)
    return sorted(reasons.values(), key=Finding.sort_key), []


def _first_holding(
    conditions: Sequence[Condition], view: PullView, *, waiving: bool
) -> list[Finding]:
    for condition in conditions:
        found = evidence(condition, view, waiving=waiving)
        if found:
            return found
    return []


def _relevant_files(reasons: Sequence[Finding], files: Sequence[ChangedFile]) -> frozenset[str]:
    """The files whose change after an approval makes it stale: those the role's
    evidence names (every file a finding came from, lockfile and manifest alike); for a
    role its files did not trigger (a label, the size, the branch), every file of the
    pull request, so that a merge of the base alone keeps its approvals."""
    paths = {p for r in reasons for p in _files_of(r)}
    if not paths:
        paths = {f.path for f in files}
    # A renamed file counts under both names: a later edit may use either.
    renamed = {f.previous_path for f in files if f.path in paths and f.previous_path}
    return frozenset(paths | {p for p in renamed if p})


def _files_of(finding: Finding) -> list[str]:
    also = finding.extra.get("also_in", ())
    named = [finding.file] if finding.file is not None else []
    return named + [p for p in also if isinstance(p, str)]


def _ballot(
    role: Role,
    votes: dict[str, Review],
    facts: PullFacts,
    config: Config,
    relevant: frozenset[str],
) -> Ballot:
    team_members, unknown = approvals.members(role.reviewers.teams, role.reviewers.users, facts)
    author = (facts.author or "").lower()
    mode = role.stale_approvals or config.options.stale_approvals
    barred = _barred(config, facts)
    fresh: set[str] = set()
    stale: set[str] = set()
    blocking: set[str] = set()
    contributed: set[str] = set()
    for user, review in votes.items():
        if user == author or user not in team_members:
            continue
        if review.state == ReviewState.CHANGES_REQUESTED:
            blocking.add(user)
        elif review.state == ReviewState.APPROVED and user in barred:
            contributed.add(user)
        elif review.state == ReviewState.APPROVED:
            (fresh if approvals.is_fresh(review, facts, mode, relevant) else stale).add(user)
    return Ballot(
        fresh=frozenset(fresh),
        stale=frozenset(stale),
        reviewed={u: c for u in stale if (c := votes[u].commit_id)},
        blocking=frozenset(blocking),
        contributed=frozenset(contributed),
        unknown_teams=tuple(unknown),
        members=frozenset(team_members),
        barred=barred,
    )


def _barred(config: Config, facts: PullFacts) -> frozenset[str]:
    """People whose approval never counts on this PR: its contributors, and whoever
    made its head commit."""
    options = config.options
    barred: set[str] = set()
    if not options.allow_contributors and facts.contributors:
        barred |= facts.contributors
    last_push = options.require_last_push_approval
    if last_push is None:  # GitHub rulesets pair this with dismissing stale approvals
        last_push = options.stale_approvals == "any_push"
    if last_push and facts.last_pusher:
        barred.add(facts.last_pusher)
    return frozenset(barred)


def _decide(
    key: str,
    role: Role,
    reasons: list[Finding],
    waived: list[Finding],
    ballot: Ballot | None,
    counted: dict[str, list[str]],
    items: tuple[tuple[str, bool], ...],
    where: str,
) -> RoleDecision:
    decision = RoleDecision(
        key=key,
        name=display_name(key, role),
        description=role.description,
        required=bool(reasons),
        state=RoleState.NOT_REQUIRED,
        reasons=tuple(reasons),
        waived_by=tuple(waived),
        teams=tuple(role.reviewers.teams),
        users=tuple(role.reviewers.users),
        approvals_needed=role.approvals,
        checklist=items,
        checklist_in=where,
    )
    if not reasons:
        return decision
    if ballot is None:
        return replace(decision, state=RoleState.REQUIRED)
    approved_by = tuple(counted.get(key, ()))
    ticked = all(done for _, done in decision.checklist)
    if ballot.blocking:
        state = RoleState.BLOCKED
    elif len(approved_by) >= role.approvals and ticked:
        state = RoleState.APPROVED
    else:
        state = RoleState.WAITING
    return replace(
        decision,
        state=state,
        approved_by=approved_by,
        stale=tuple(sorted(ballot.stale)),
        stale_since=tuple(sorted(ballot.reviewed.items())),
        changes_requested_by=tuple(sorted(ballot.blocking)),
        unknown_teams=ballot.unknown_teams,
        contributed=tuple(sorted(ballot.contributed)),
        members=ballot.members,
    )


def _overridden(role: RoleDecision, judged: Judged) -> RoleDecision:
    """A required role an allowed person waived: satisfied, and says by whom and why.
    Changes requested still block (an override answers a missing review, not a no)."""
    override = judged.accepted.get(role.key)
    if override is None or not role.required or role.state == RoleState.BLOCKED:
        return role
    if role.state == RoleState.APPROVED:
        return replace(role, overridden=override)
    return replace(role, state=RoleState.OVERRIDDEN, overridden=override)


def _labels_not_waiving(config: Config, view: PullView) -> tuple[str, ...]:
    """Waiver labels that are set but do not waive: whoever set them may not."""
    notes = []
    actors = view.facts.label_actors or {}
    for key, role in config.roles.items():
        for condition in role.unless:
            for label in condition.labels or ():
                if label.lower() in view.labels and not view.label_waives(label):
                    who = actors.get(label.lower())
                    by = f"@{who}" if who else "someone GitHub does not name"
                    name = display_name(key, role)
                    notes.append(f"label {label!r} was set by {by}, who may not waive {name}")
    return tuple(dict.fromkeys(notes))


def _conclusion(roles: Sequence[RoleDecision], facts: PullFacts) -> Conclusion:
    required = [r for r in roles if r.required]
    if not required:
        return Conclusion.NOTHING_REQUIRED
    if facts.reviews is None:
        return Conclusion.REQUIRED
    if any(r.state == RoleState.BLOCKED for r in required):
        return Conclusion.BLOCKED
    if all(r.approved for r in required):
        return Conclusion.APPROVED
    return Conclusion.WAITING


def _notes(files: Sequence[ChangedFile], roles: Sequence[RoleDecision]) -> tuple[str, ...]:
    notes = [
        f"{f.path}: the diff could not be read ({f.parse_error}); it counts as a match "
        "for every detector and content condition"
        for f in files
        if f.parse_error
    ]
    notes += [
        f"{f.path}: GitHub left out the patch (too large); only its path was checked"
        for f in files
        if f.patch_missing
    ]
    for role in roles:
        for team in role.unknown_teams:
            notes.append(
                f"{role.name}: members of team {team!r} are unknown; their approvals "
                "cannot be counted"
            )
    return tuple(notes)
