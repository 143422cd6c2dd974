"""Rating a migration's operations: one finding each, weighed by the rest of the file.

An operation's rule gives its severity (rules.py); the file can move it: work on a
table the same migration creates is low, a backfill that shares a transaction with
a schema change is high (the change's lock is held while it runs), an irreversible
migration that destroys something is medium, and `large_tables` raise the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.detect.base import ChangedFile, FileStatus, Finding, Kind, Severity
from app.detect.migrations.analysis import Analysis
from app.detect.migrations.rules import (
    DEESCALATE_ON_NEW_TABLE,
    DESTRUCTIVE,
    LOCKING,
    RULES,
    SCANS,
    Op,
)

# Rules squawk repeats on every statement; one per file says it.
_ONCE_PER_FILE = {"lock-timeout", "not-idempotent"}


def not_in_place(ops: list[Op], dialect: str) -> list[Op]:
    """A widened column is rewritten in place on Postgres only: on MySQL, SQLite or an
    unknown database it stays a type change (MODIFY copies the table)."""
    out = []
    for op in ops:
        if op.rule == "widen-column":
            why = "; ".join(filter(None, (op.note, f"but this project's database is {dialect}")))
            op = replace(op, rule="change-column-type", note=why)
        out.append(op)
    return out


def findings(
    changed: ChangedFile, framework: str, analysis: Analysis, large: frozenset[str]
) -> list[Finding]:
    """A finding per operation the change wrote, and one if the file could not be read."""
    added_lines = {n for n, _ in changed.added}
    only_added = changed.status != FileStatus.ADDED and changed.lines_known
    context = _Context.of(analysis)
    found: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    once: set[str] = set()
    for op in sorted(analysis.ops, key=lambda o: o.line):
        if only_added and op.line not in added_lines:
            continue  # an edited migration: rate what the edit wrote
        if (op.rule, op.line) in seen or op.rule in once:
            continue
        seen.add((op.rule, op.line))
        if op.rule in _ONCE_PER_FILE:
            once.add(op.rule)
        found.append(_finding(changed, framework, analysis, op, large, context))
    if analysis.error is not None:
        line, why = analysis.error
        rule = RULES["unparsable"]
        found.append(
            Finding.for_line(
                Kind.MIGRATION,
                changed.path,
                line,
                rule.severity,
                "migration.unparsable",
                f"{framework} migration {rule.risk} ({why})",
                extra={"framework": framework},
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class _Context:
    """What the rest of a migration says about one of its operations."""

    destructive: Op | None  # the first operation a rollback could not give back
    locks: tuple[Op, ...]  # schema changes whose locks the transaction holds, in order

    @classmethod
    def of(cls, analysis: Analysis) -> _Context:
        existing = [op for op in analysis.ops if op.table not in analysis.created]
        locks = [op for op in existing if op.rule in LOCKING] + [
            op for op in analysis.locks if op.table not in analysis.created
        ]
        return cls(
            next((op for op in existing if op.rule in DESTRUCTIVE), None),
            tuple(sorted(locks, key=lambda op: op.line)) if analysis.transactional else (),
        )

    def held_before(self, op: Op) -> Op | None:
        """The first lock taken earlier in the same transaction than `op`."""
        return next((lock for lock in self.locks if lock.line < op.line), None)


def _finding(
    changed: ChangedFile,
    framework: str,
    analysis: Analysis,
    op: Op,
    large: frozenset[str],
    context: _Context,
) -> Finding:
    rule = RULES[op.rule]
    severity = rule.severity
    notes = [op.note] if op.note else []
    if op.table and op.table in analysis.created and op.rule in DEESCALATE_ON_NEW_TABLE:
        severity = min(severity, Severity.LOW)
        notes.append(f"{op.table} is created in this migration, so nobody is using it yet")
    elif op.rule == "irreversible" and context.destructive is not None:
        severity = max(severity, Severity.MEDIUM)
        done = context.destructive
        notes.append(f"and {done.what} at line {done.line} cannot be undone without it")
    elif op.rule in SCANS and not op.batched and (held := context.held_before(op)):
        severity = max(severity, Severity.HIGH)
        notes.append(
            f"it runs in one transaction after {held.what} at line {held.line}, "
            "whose lock is held until it ends"
        )
    elif (
        op.table
        and _bare(op.table) in large
        and not op.batched
        and Severity.MEDIUM <= severity < Severity.CRITICAL
    ):
        severity = Severity(severity + 1)
        notes.append(f"{_bare(op.table)} is listed in large_tables")
    message = f"{op.what}: {rule.risk}"
    if rule.safer and severity >= Severity.MEDIUM:
        message += f". Safer: {rule.safer}"
    if notes:
        message += f" ({'; '.join(notes)})"
    return Finding.for_line(
        Kind.MIGRATION,
        changed.path,
        op.line,
        severity,
        f"migration.{op.rule}",
        message,
        extra={"framework": framework, "operation": op.what},
    )


def _bare(table: str) -> str:
    """`public.users`, `"users"` and `Users` all name the table users."""
    return table.strip("\"`'").rsplit(".", 1)[-1].strip("\"`'").lower()
