"""The readiness board, from what the journal keeps (pure): open pull requests by
roles, grouped by release (the milestone, else the target branch), what is ready,
what each role blocks and for how long, and the migrations and dependency changes
going into each release."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from app.jobs.store.history import StoredPull, Wait

# worst first: the order roles and pull requests are shown in
STATE_ORDER = ("blocked", "waiting", "required", "overridden", "approved", "not_required")
STATES = ("ready", "waiting", "blocked", "failing")  # the board's state filter
GROUPINGS = ("release", "branch", "milestone")  # release: the milestone, else the branch
# how other checks ended: a check suite's conclusion, or a commit status's state
FAILED = frozenset(
    {"failure", "error", "timed_out", "cancelled", "action_required", "startup_failure", "stale"}
)


@dataclass(frozen=True, slots=True)
class Cell:
    role: str
    name: str
    state: str
    since: float | None = None  # waiting since (the role was first asked for)
    approved_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """A migration or a dependency change going into a release."""

    kind: str  # migration | dependency
    file: str | None  # None: about the change as a whole
    line: int | None
    severity: str
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    repo: str  # owner/name as GitHub spells it
    number: int
    title: str
    author: str
    base_ref: str
    milestone: str | None
    labels: tuple[str, ...]
    draft: bool
    conclusion: str
    summary: str
    github_url: str
    cells: dict[str, Cell]
    changes: tuple[Change, ...]
    evaluated_at: float
    checks: dict[str, str] = field(default_factory=dict)  # other apps' suites on the head

    @property
    def release(self) -> str:
        return self.milestone or self.base_ref

    def group(self, by: str) -> str:
        if by == "branch":
            return self.base_ref
        if by == "milestone":
            return self.milestone or "no milestone"
        return self.release

    @property
    def failing_checks(self) -> list[str]:
        return sorted(app for app, conclusion in self.checks.items() if conclusion in FAILED)

    @property
    def pending_checks(self) -> list[str]:
        return sorted(app for app, conclusion in self.checks.items() if conclusion == "pending")

    @property
    def state(self) -> str:
        if any(c.state == "blocked" for c in self.cells.values()):
            return "blocked"
        if self.conclusion == "failure" or self.failing_checks:
            return "failing"  # a check failed, the config is invalid, or an evaluation error
        if self.conclusion == "success" and not self.draft and not self.pending_checks:
            return "ready"
        return "waiting"

    @property
    def waiting_on(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.state in ("waiting", "blocked", "required")]

    @property
    def path(self) -> str:
        return f"/{self.repo}/pull/{self.number}"


@dataclass(frozen=True, slots=True)
class Filters:
    role: str = ""
    label: str = ""
    author: str = ""
    state: str = ""
    group: str = "release"  # what the tables are grouped by (GROUPINGS)

    def keep(self, row: Row) -> bool:
        if self.role and self.role not in {c.role for c in row.waiting_on}:
            return False
        if self.label and self.label not in row.labels:
            return False
        if self.author and self.author.lower() != row.author.lower():
            return False
        return not self.state or row.state == self.state


@dataclass(frozen=True, slots=True)
class Group:
    release: str
    rows: tuple[Row, ...]
    changes: tuple[tuple[Row, Change], ...]


@dataclass(frozen=True, slots=True)
class Blocked:
    role: str
    name: str
    waiting: tuple[tuple[Row, float], ...]  # (pull request, seconds waited), longest first


@dataclass(frozen=True, slots=True)
class Board:
    title: str
    roles: tuple[tuple[str, str], ...]  # (key, display name) of every role seen
    groups: tuple[Group, ...]
    ready: tuple[Row, ...]
    blocked: tuple[Blocked, ...]
    filters: Filters
    labels: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    total: int = 0
    rows: tuple[Row, ...] = field(default=())


def row_of(
    pull: StoredPull,
    waits: dict[tuple[str, int, str], float],
    suites: dict[tuple[str, str], dict[str, str]] | None = None,
) -> Row:
    record = pull.record
    decision = record.get("decision") or {}
    cells = {}
    for role in decision.get("roles", []):
        if not role["required"]:
            continue
        key = role["name"]
        since = waits.get((pull.repo, pull.number, key))
        approvers = tuple(role["approved_by"])
        cells[key] = Cell(key, role["display_name"], role["state"], since, approvers)
    return Row(
        repo=record.get("repo", pull.repo),
        number=pull.number,
        title=record.get("title", ""),
        author=record.get("author", ""),
        base_ref=record.get("base_ref", ""),
        milestone=record.get("milestone"),
        labels=tuple(record.get("labels", ())),
        draft=bool(record.get("draft")),
        conclusion=record.get("conclusion", ""),
        summary=record.get("summary", ""),
        github_url=record.get("html_url", ""),
        cells=cells,
        changes=tuple(_changes(decision)),
        evaluated_at=pull.saved_at,
        checks=(suites or {}).get((pull.repo, record.get("head_sha", "")), {}),
    )


def _changes(decision: dict[str, Any]) -> list[Change]:
    changes = []
    for finding in decision.get("findings", []):
        kind = finding["kind"]
        if kind == "migration":
            text = finding["message"]
        elif kind == "dependency":
            package, old, new = finding.get("package"), finding.get("from"), finding.get("to")
            text = f"{package} {old or '—'} → {new or 'removed'}" if package else finding["message"]
        else:
            continue
        changes.append(Change(kind, finding["file"], finding["line"], finding["severity"], text))
    return changes


def build(
    title: str,
    pulls: list[StoredPull],
    waits: list[Wait],
    filters: Filters,
    now: float,
    suites: dict[tuple[str, str], dict[str, str]] | None = None,
) -> Board:
    open_waits = {
        (w.repo, w.number, w.role): w.requested_at for w in waits if w.approved_at is None
    }
    every = [row_of(p, open_waits, suites) for p in pulls]
    every.sort(key=lambda r: (_rank(r), r.repo.lower(), r.number))
    rows = [r for r in every if filters.keep(r)]
    names: dict[str, str] = {}
    for row in every:
        for cell in row.cells.values():
            names.setdefault(cell.role, cell.name)
    by_release: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_release[row.group(filters.group)].append(row)
    groups = tuple(
        Group(release, tuple(members), tuple((r, c) for r in members for c in r.changes))
        for release, members in sorted(by_release.items())
    )
    return Board(
        title=title,
        roles=tuple(sorted(names.items())),
        groups=groups,
        ready=tuple(r for r in rows if r.state == "ready"),
        blocked=_blocked(rows, names, now),
        filters=filters,
        labels=tuple(sorted({label for r in every for label in r.labels})),
        authors=tuple(sorted({r.author for r in every}, key=str.lower)),
        total=len(every),
        rows=tuple(rows),
    )


def _blocked(rows: list[Row], names: dict[str, str], now: float) -> tuple[Blocked, ...]:
    waiting: dict[str, list[tuple[Row, float]]] = defaultdict(list)
    for row in rows:
        for cell in row.waiting_on:
            waited = now - cell.since if cell.since is not None else now - row.evaluated_at
            waiting[cell.role].append((row, max(0.0, waited)))
    return tuple(
        Blocked(role, names.get(role, role), tuple(sorted(items, key=lambda i: -i[1])))
        for role, items in sorted(waiting.items())
    )


def _rank(row: Row) -> int:
    states = [STATE_ORDER.index(c.state) for c in row.cells.values() if c.state in STATE_ORDER]
    return min(states, default=len(STATE_ORDER))


CSV_FIELDS = ("repo", "number", "title", "author", "release", "state", "url")


def csv_rows(board: Board) -> tuple[list[str], list[list[str]]]:
    """The board as a table: one line per pull request, a column per role."""
    header = [*CSV_FIELDS, *(f"role:{key}" for key, _ in board.roles)]
    lines = []
    for row in board.rows:
        cells = [row.cells[key].state if key in row.cells else "" for key, _ in board.roles]
        fields = [row.repo, str(row.number), row.title, row.author, row.release, row.state]
        lines.append([*fields, row.github_url, *cells])
    return header, lines


def as_json(board: Board, now: float) -> dict[str, Any]:
    return {
        "title": board.title,
        "roles": [{"name": k, "display_name": n} for k, n in board.roles],
        "pulls": [
            {
                "repo": r.repo,
                "number": r.number,
                "title": r.title,
                "author": r.author,
                "release": r.release,
                "base_ref": r.base_ref,
                "milestone": r.milestone,
                "labels": list(r.labels),
                "draft": r.draft,
                "state": r.state,
                "conclusion": r.conclusion,
                "checks": r.checks,
                "url": r.github_url,
                "roles": {
                    k: {
                        "state": c.state,
                        "waiting_seconds": None if c.since is None else round(now - c.since),
                        "approved_by": list(c.approved_by),
                    }
                    for k, c in r.cells.items()
                },
                "changes": [
                    {"kind": c.kind, "file": c.file, "line": c.line, "text": c.text}
                    for c in r.changes
                ],
            }
            for r in board.rows
        ],
        "ready": [f"{r.repo}#{r.number}" for r in board.ready],
    }
