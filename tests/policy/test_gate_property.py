"""The gate, as a property: over random configs and review, push and override
histories, the check is green exactly when every required role has enough fresh
approvals from members who are neither the author nor a contributor, or an
authorised override, and nobody blocks it. The oracle below is written from the
README's semantics, apart from the code it checks."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.detect.base import ChangedFile, FileStatus
from app.policy.evaluate import Conclusion, evaluate
from app.policy.facts import Override, PullFacts, Review, ReviewState
from app.policy.loading import load_config

FILES = ("db/migrate/1_add.rb", "app/auth/login.py", "README.md")
PEOPLE = ("author", "ana", "ben", "cat", "dev")
STATES = (
    ReviewState.APPROVED,
    ReviewState.CHANGES_REQUESTED,
    ReviewState.COMMENTED,
    ReviewState.DISMISSED,
)
MODES = ("relevant", "any_push", "never")


@dataclass(frozen=True)
class RoleSpec:
    path: str
    members: tuple[str, ...]
    approvals: int
    mode: str | None


@dataclass(frozen=True)
class History:
    roles: tuple[RoleSpec, ...]
    default_mode: str
    pushes: tuple[frozenset[str], ...]  # files each push after the first changed
    reviews: tuple[tuple[str, ReviewState, int], ...]  # (user, state, commit index)
    contributors: frozenset[str]
    last_pusher: str | None
    overriders: tuple[str, ...]
    overrides: tuple[tuple[int, str, str], ...]  # (role index, by, reason)


@st.composite
def histories(draw: st.DrawFn) -> History:
    roles = tuple(
        RoleSpec(
            draw(st.sampled_from(FILES)),
            tuple(draw(st.sets(st.sampled_from(PEOPLE), min_size=1, max_size=4))),
            draw(st.integers(1, 2)),
            draw(st.sampled_from((None, *MODES))),
        )
        for _ in range(draw(st.integers(1, 3)))
    )
    pushes = tuple(
        frozenset(draw(st.sets(st.sampled_from(FILES), max_size=2)))
        for _ in range(draw(st.integers(0, 3)))
    )
    commits = len(pushes) + 1
    reviews = tuple(
        (
            draw(st.sampled_from(PEOPLE)),
            draw(st.sampled_from(STATES)),
            draw(st.integers(0, commits - 1)),
        )
        for _ in range(draw(st.integers(0, 6)))
    )
    return History(
        roles,
        draw(st.sampled_from(MODES)),
        pushes,
        reviews,
        frozenset(draw(st.sets(st.sampled_from(PEOPLE[1:]), max_size=2))),
        draw(st.sampled_from((None, *PEOPLE[1:]))),
        tuple(draw(st.sets(st.sampled_from(PEOPLE), max_size=2))),
        tuple(
            (
                draw(st.integers(0, len(roles) - 1)),
                draw(st.sampled_from(PEOPLE)),
                draw(st.sampled_from(("", "why"))),
            )
            for _ in range(draw(st.integers(0, 2)))
        ),
    )


def sha(index: int) -> str:
    return f"{index:040x}"


def config_text(h: History) -> str:
    lines = ["version: 1", "roles:"]
    for i, role in enumerate(h.roles):
        users = ", ".join(role.members)
        mode = f", stale_approvals: {role.mode}" if role.mode else ""
        lines.append(
            f"  r{i}: {{reviewers: {{users: [{users}]}}, approvals: {role.approvals}, "
            f"when: [{{paths: ['{role.path}']}}]{mode}}}"
        )
    lines.append(f"options: {{stale_approvals: {h.default_mode}}}")
    if h.overriders:
        lines.append(f"overrides: {{by: {{users: [{', '.join(h.overriders)}]}}}}")
    return "\n".join(lines) + "\n"


def facts(h: History) -> PullFacts:
    head = len(h.pushes)
    changed = {
        sha(c): frozenset().union(*h.pushes[c:]) if h.pushes[c:] else frozenset()
        for c in range(head)
    }
    return PullFacts(
        author="author",
        head_sha=sha(head),
        reviews=tuple(Review(user, state, sha(c)) for user, state, c in h.reviews),
        changed_since=changed,
        contributors=h.contributors,
        last_pusher=h.last_pusher,
        overrides=tuple(Override(f"r{i}", by, reason, 0.0) for i, by, reason in h.overrides),
    )


def oracle(h: History) -> bool:
    """Green or not, from the README's rules."""
    votes: dict[str, tuple[ReviewState, int]] = {}
    for user, state, commit in h.reviews:
        if state != ReviewState.COMMENTED:
            votes[user] = (state, commit)
    head = len(h.pushes)
    last_push_barred = h.default_mode == "any_push"
    for i, role in enumerate(h.roles):
        mode = role.mode or h.default_mode
        members = set(role.members) - {"author"}
        if any(votes.get(m, (None,))[0] == ReviewState.CHANGES_REQUESTED for m in members):
            return False
        fresh = 0
        for member in members - h.contributors:
            if last_push_barred and member == h.last_pusher:
                continue
            state, commit = votes.get(member, (None, -1))
            if state != ReviewState.APPROVED:
                continue
            later = frozenset().union(*h.pushes[commit:]) if h.pushes[commit:] else frozenset()
            if mode == "never" or commit == head or (mode == "relevant" and role.path not in later):
                fresh += 1
        overridden = any(
            index == i and by in h.overriders and by != "author" and reason
            for index, by, reason in h.overrides
        )
        if fresh < role.approvals and not overridden:
            return False
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=histories())
def test_green_exactly_when_every_role_earned_it(h: History) -> None:
    config = load_config(config_text(h), "property.yml").config
    files = [ChangedFile(path, FileStatus.MODIFIED, additions=1) for path in FILES]
    decision = evaluate(config, files, [], facts(h))
    green = decision.conclusion in (Conclusion.APPROVED, Conclusion.NOTHING_REQUIRED)
    assert green == oracle(h), (config_text(h), h)
