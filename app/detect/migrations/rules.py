"""The unified list of risky schema operations: what each breaks and the safe way.

Every analyser (SQL through squawk or sqlglot, Django and Alembic through
Python's ast, Rails, Laravel, Ecto, Knex, Sequelize, TypeORM and EF Core
through their schema-builder calls) reduces what it reads to `Op`s naming one
of these rules, so a role's `min_severity` means the same whatever the
framework. Severities follow shared/research/detection.md §2.6: critical loses
data by design, high takes a long blocking lock, rewrites a table or breaks the
running code during a deploy, medium depends on size or setup, low is hygiene.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.detect.base import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    severity: Severity
    risk: str  # what locks, breaks or is lost
    safer: str | None = None  # the safe alternative, when there is one


C, H, M, LOW, INFO = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)

RULES: dict[str, Rule] = {
    # critical
    "drop-table": Rule(
        C,
        "the table and its data are gone, and code still reading it fails",
        "stop using it in one deploy, keep a backup, drop it in a later one",
    ),
    "drop-column": Rule(
        C,
        "the column's data is gone, and running code that still selects it fails",
        "deploy code that ignores the column first (ignored_columns, "
        "SeparateDatabaseAndState), then drop it in a later migration",
    ),
    "delete-all-rows": Rule(
        C,
        "removes or rewrites every row (TRUNCATE, or DELETE/UPDATE without WHERE)",
        "bound it with WHERE, batch it, and run data changes outside schema migrations",
    ),
    # high
    "change-column-type": Rule(
        H,
        "rewrites the table under an ACCESS EXCLUSIVE lock and can break clients",
        "add a new column, backfill it in batches, switch readers, then drop the old one",
    ),
    "add-not-null-column": Rule(
        H,
        "a NOT NULL column without a default fails on a non-empty table and breaks "
        "running code that inserts without it",
        "add it nullable (or with a constant default), backfill, then add NOT NULL",
    ),
    "add-column-rewrite": Rule(
        H,
        "a volatile default, serial/identity or stored generated column rewrites "
        "the whole table under lock",
        "add the column without it, backfill in batches, then set the default",
    ),
    "set-not-null": Rule(
        H,
        "scans the whole table under an ACCESS EXCLUSIVE lock",
        "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL",
    ),
    "rename": Rule(
        H,
        "running code still uses the old name and fails until it is deployed",
        "add the new name beside the old, write both, move readers, drop the old later",
    ),
    "blocking-index": Rule(
        H,
        "building the index blocks writes to the table until it is done",
        "create it CONCURRENTLY (outside a transaction)",
    ),
    "add-foreign-key": Rule(
        H,
        "validating the key scans the table while blocking writes on both tables",
        "add it NOT VALID (validate: false), then VALIDATE CONSTRAINT in a later step",
    ),
    "add-check-constraint": Rule(
        H,
        "validating the constraint scans the table under lock",
        "add it NOT VALID, then VALIDATE CONSTRAINT separately",
    ),
    "add-unique-constraint": Rule(
        H,
        "builds a unique index while blocking reads and writes",
        "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX",
    ),
    "table-rewrite": Rule(
        H,
        "VACUUM FULL, CLUSTER, REINDEX or DETACH PARTITION holds an exclusive lock "
        "for the whole operation",
        "use the CONCURRENTLY forms (REINDEX CONCURRENTLY, DETACH … CONCURRENTLY, pg_repack)",
    ),
    "mysql-table-copy": Rule(
        H,
        "MySQL copies the table to do this (ALGORITHM=COPY, MODIFY/CHANGE, charset "
        "conversion, OPTIMIZE), blocking writes for the duration",
        "run it with gh-ost or pt-online-schema-change on large tables",
    ),
    # medium
    "drop-index": Rule(
        M,
        "dropping an index takes an ACCESS EXCLUSIVE lock, and queries that used it slow down",
        "DROP INDEX CONCURRENTLY",
    ),
    "drop-constraint": Rule(
        M,
        "removes an integrity guarantee (constraint, NOT NULL or default) that code may rely on",
    ),
    "alter-field": Rule(
        M,
        "Django's AlterField may change the column's type, nullability or constraints (a "
        "rewrite or a long lock) or only Python-side options (no SQL at all); the previous "
        "definition is in an earlier migration",
        "check `manage.py sqlmigrate`; for a type change add a new column and backfill",
    ),
    "drop-object": Rule(
        M,
        "a view, function, type, sequence or trigger is dropped: queries and code using it fail",
    ),
    "raw-sql": Rule(
        M,
        "raw SQL or code that its framework cannot describe; read what it does",
    ),
    "data-migration": Rule(
        M,
        "runs code or writes data in the migration (RunPython, bulk inserts); long "
        "transactions lock rows",
        "run backfills in batches outside the schema migration",
    ),
    "backfill": Rule(
        M,
        "rewrites existing rows (UPDATE/DELETE … WHERE, INSERT … SELECT, update_all): every "
        "row it touches stays locked until the migration commits",
        "backfill in batches, outside the transaction of any schema change",
    ),
    "revert": Rule(
        M,
        "reverts an earlier migration: whatever it created is dropped, with its data",
        "read the migration it reverts",
    ),
    "concurrently-in-transaction": Rule(
        M,
        "a CONCURRENTLY operation inside a transaction fails at deploy time",
        "disable the migration's transaction (atomic = False, disable_ddl_transaction!, "
        "autocommit_block())",
    ),
    "access-control": Rule(
        M,
        "changes row-level security, policies or grants: a security change, not only a schema one",
    ),
    "unparsable": Rule(
        M,
        "could not be parsed in full, so only the statements that could be read were "
        "rated; read the rest",
    ),
    # low
    "enum-value": Rule(LOW, "adding an enum value cannot be undone inside a transaction"),
    "drop-not-null": Rule(
        LOW,
        "the column accepts NULL now: no writer breaks, but readers that assume a value "
        "may meet one",
    ),
    "irreversible": Rule(
        LOW,
        "the migration cannot be rolled back",
        "write the way back (a down/downgrade, reverse code) and test it",
    ),
    "lock-timeout": Rule(
        LOW,
        "no lock_timeout is set, so a lock-taking statement can queue behind a long "
        "query and block everything behind it",
        "SET lock_timeout before lock-taking DDL",
    ),
    "create-table": Rule(LOW, "a new table: nothing existing is locked or lost"),
    "sql-lint": Rule(LOW, "a SQL lint"),
    # info
    "insert-rows": Rule(INFO, "inserts rows (seed data): nothing existing is locked or rewritten"),
    "constraint-not-valid": Rule(
        INFO,
        "a constraint added without a scan (NOT VALID, or USING an index built before)",
    ),
    "validate-constraint": Rule(
        INFO,
        "validates existing rows while reads and writes go on (SHARE UPDATE EXCLUSIVE)",
        "validate in a migration of its own, after the one that added the constraint",
    ),
    "options-only": Rule(
        INFO, "changes only what Python sees (help text, choices, validators): no SQL runs"
    ),
    "widen-column": Rule(INFO, "a type change Postgres makes in place, rewriting nothing"),
    "add-nullable-column": Rule(INFO, "a nullable column: metadata-only, no lock to speak of"),
    "concurrent-index": Rule(INFO, "a concurrent index build: writes continue"),
    "hygiene": Rule(INFO, "a type or naming choice that is hard to change later"),
    "not-idempotent": Rule(INFO, "no IF [NOT] EXISTS: a half-applied run cannot be retried"),
}

# Operations on a table created earlier in the same migration lock nothing anyone uses.
DEESCALATE_ON_NEW_TABLE = frozenset(
    {
        "blocking-index",
        "add-foreign-key",
        "add-check-constraint",
        "add-unique-constraint",
        "add-not-null-column",
        "add-column-rewrite",
        "set-not-null",
        "change-column-type",
        "lock-timeout",
        "drop-object",  # dropped and created again in the same migration: a replacement
        "backfill",
    }
)
# What a rollback cannot give back: with no way back, the migration's `irreversible`
# finding is raised to medium, so a role can ask for a rollback plan exactly then.
# A type change is not in it: its way back is another type change, and widening a
# column (most of them) loses nothing.
# Scans that are safe alone and not after a lock taken earlier in the same transaction.
SCANS = frozenset({"backfill", "validate-constraint"})
DESTRUCTIVE = frozenset({"drop-table", "drop-column", "delete-all-rows", "backfill", "revert"})
# Schema operations whose lock a migration's transaction holds until it commits: a
# backfill in the same transaction keeps the table locked for as long as it runs.
LOCKING = frozenset(
    {
        "drop-column",
        "change-column-type",
        "add-not-null-column",
        "add-column-rewrite",
        "add-nullable-column",
        "set-not-null",
        "rename",
        "blocking-index",
        "add-foreign-key",
        "add-check-constraint",
        "add-unique-constraint",
        "drop-constraint",
        "drop-index",
        "alter-field",
        "table-rewrite",
        "mysql-table-copy",
    }
)


@dataclass(frozen=True, slots=True)
class Op:
    """One operation found in a migration, on the line where it is written."""

    rule: str
    line: int
    what: str  # the operation as written, shortened: "RemoveField(order.note)"
    table: str | None = None
    note: str | None = None  # e.g. "acknowledged with safety_assured"
    batched: bool = False  # a backfill that walks the table in batches (find_each …)
