"""What an analyser reads out of one migration file."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.detect.migrations.rules import Op


@dataclass(frozen=True, slots=True)
class SqlSnippet:
    """SQL embedded in a migration (RunSQL, op.execute, execute, DB::statement …)."""

    text: str
    line: int  # the file line its first line is on


@dataclass
class Analysis:
    ops: list[Op] = field(default_factory=list)
    sql: list[SqlSnippet] = field(default_factory=list)
    created: set[str] = field(default_factory=set)  # tables created in this migration
    error: tuple[int, str] | None = None  # (line, why) when the file could not be parsed
    # Whether the framework runs the migration in one transaction (its default almost
    # everywhere; Rails' disable_ddl_transaction!, Django's atomic = False say no).
    transactional: bool = True
    # The reader saw the whole list of what the migration does, and it is empty.
    empty: bool = False
    # ... and each operation in it is one that runs no SQL (Django: an AlterField of
    # choices or help text, model options, managers): nothing it did not recognise.
    python_only: bool = False
    # ALTER TABLE statements found in its SQL, rated or not: each holds a lock until
    # the transaction commits (see backfill in the detector).
    locks: list[Op] = field(default_factory=list)

    def add(
        self,
        rule: str,
        line: int,
        what: str,
        table: str | None = None,
        note: str | None = None,
        batched: bool = False,
    ) -> None:
        self.ops.append(Op(rule, line, what, table.lower() if table else None, note, batched))
