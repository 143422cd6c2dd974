"""Reading and rating the migrations of a change: each file through its framework's
analyser, every SQL snippet through squawk (Postgres) or sqlglot, then each operation
rated against the rest of its file and the change. Imported by the detector only when
a change holds a migration: the readers and the SQL grammar are most of the
detector's import time, which a one-file check of ordinary code would pay for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from app.detect.base import ChangedFile, FileStatus, Finding
from app.detect.migrations import rating, recipes, rollback, squawk
from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.files import MigrationSettings, head_text
from app.detect.migrations.readers import (
    add_sql,
    alembic,
    django,
    ecto,
    ef_core,
    knex,
    laravel,
    liquibase,
    node_pg_migrate,
    rails,
    sequelize,
    sql_in_code,
)
from app.detect.migrations.rules import Op
from app.detect.migrations.sql import (
    BESIDE_SQUAWK,
    SqlSyntaxError,
    Statement,
    created_table,
    fast_default,
    pattern_ops,
    split,
    sqlglot_ops,
    table_of,
)

ANALYSERS: dict[str, Callable[[str], Analysis]] = {
    "Django": django.django,
    "Alembic": alembic.alembic,
    "Rails": rails.rails,
    "Laravel": laravel.laravel,
    "Ecto": ecto.ecto,
    "Knex": knex.knex,
    "Sequelize": sequelize.sequelize_or_typeorm,
    "TypeORM": sequelize.sequelize_or_typeorm,
    "MikroORM": add_sql.add_sql,
    "Doctrine": add_sql.add_sql,
    "EF Core": ef_core.ef_core,
    "Liquibase": liquibase.liquibase,
    "node-pg-migrate": node_pg_migrate.node_pg_migrate,
}
_ALTER_TABLE = re.compile(r"\s*(?:--[^\n]*\n\s*)*ALTER\s+TABLE\b", re.IGNORECASE)


@dataclass
class _Read:
    """One migration being rated."""

    changed: ChangedFile
    framework: str
    analysis: Analysis
    text: str = ""


def rate(
    migrations: Sequence[tuple[ChangedFile, str]],
    files: Sequence[ChangedFile],
    settings: MigrationSettings,
) -> list[tuple[ChangedFile, list[Finding], Analysis]]:
    """Each readable migration (file, framework) with its operations' findings."""
    reads = [read for changed, framework in migrations if (read := _read(changed, framework))]
    _rate_sql(reads, settings.dialect)
    rollback.unpaired_ups(((read.changed, read.analysis) for read in reads), files)
    large = frozenset(t.lower() for t in settings.large_tables)
    proven = recipes.proven_not_null((read.changed.path, read.text) for read in reads)
    rated = []
    for read in reads:
        if settings.dialect != "postgres":
            read.analysis.ops = rating.not_in_place(read.analysis.ops, settings.dialect)
        operations = rating.findings(read.changed, read.framework, read.analysis, large)
        rated.append((read.changed, recipes.lower_proven(operations, proven), read.analysis))
    return rated


def _read(changed: ChangedFile, framework: str) -> _Read | None:
    if changed.status == FileStatus.REMOVED or rollback.DOWN_FILES.match(changed.path):
        return None
    text = head_text(changed)
    if text is None:
        return None
    if framework == "Django":  # reads the app's earlier migrations for AlterField
        folder = changed.path.rpartition("/")[0]
        return _Read(changed, framework, django.django(text, changed.base_loader, folder), text)
    if framework == "Rails":  # reads db/schema.rb for change_column
        return _Read(changed, framework, rails.rails(text, changed.base_loader, changed.path), text)
    analyser = ANALYSERS.get(framework)
    if analyser is not None and not (framework == "Liquibase" and changed.path.endswith(".sql")):
        return _Read(changed, framework, analyser(text), text)
    if changed.path.endswith(".sql"):
        return _Read(changed, framework, rollback.sql_file(text), text)
    if changed.path.endswith((".java", ".kt", ".go")):
        return _Read(changed, framework, sql_in_code.sql_in_code(text), text)  # Flyway, goose
    return None  # found by path, nothing known to read (configured paths, atlas.sum)


# --- SQL -----------------------------------------------------------------------------


def _rate_sql(reads: list[_Read], dialect: str) -> None:
    """Rate every SQL snippet of every migration; Postgres in one squawk run."""
    snippets = [(read, snippet) for read in reads for snippet in read.analysis.sql]
    # Backtick-quoted SQL is MySQL's, whatever the project's main dialect (Django
    # projects often carry a vendor-specific RunSQL per backend).
    dialects = [
        "mysql" if "`" in s.text and dialect == "postgres" else dialect for _, s in snippets
    ]
    postgres = [i for i, d in enumerate(dialects) if d == "postgres"]
    linted_some = squawk.lint([snippets[i][1].text for i in postgres]) if postgres else []
    linted = None if linted_some is None else dict(zip(postgres, linted_some, strict=True))
    for index, (read, snippet) in enumerate(snippets):
        dialect = dialects[index]
        try:
            statements = split(snippet.text, dialect)
        except SqlSyntaxError as error:
            _unparsable(read.analysis, snippet.line + error.line - 1, str(error))
            statements = _naive_split(snippet.text)
            ops = [op for s in statements for op in pattern_ops(s)]
        else:
            if linted is not None and index in linted:
                ops = _from_squawk(linted[index], statements, read.analysis, snippet)
            else:
                ops = _from_sqlglot(statements, dialect, read.analysis, snippet)
        for statement in statements:
            table = created_table(statement.text)
            if table:
                read.analysis.created.add(table)
            if _ALTER_TABLE.match(statement.text):  # squawk rates no nullable ADD COLUMN
                what = " ".join(statement.text.split())[:80]
                lock = Op("alter-table", statement.line, what, table_of(statement.text))
                read.analysis.locks.append(_shift(lock, snippet.line))
        read.analysis.ops.extend(_shift(op, snippet.line) for op in ops)


def _from_squawk(
    found: list[squawk.SquawkFinding],
    statements: list[Statement],
    analysis: Analysis,
    snippet: SqlSnippet,
) -> list[Op]:
    ops: list[Op] = []
    syntax_error = next((f for f in found if f.rule == "syntax-error"), None)
    if syntax_error is not None:
        # squawk rates nothing in a file it cannot parse: say so, and keep the patterns
        _unparsable(analysis, snippet.line + syntax_error.line - 1, syntax_error.message)
        return [op for s in statements for op in pattern_ops(s)]
    for item in found:
        rule = squawk.RULE_MAP.get(item.rule, "sql-lint")
        if not rule:
            continue
        statement = _statement_at(statements, item.line)
        text = statement.text if statement else ""
        if rule == "rename" and re.match(r"\s*ALTER\s+INDEX\b", text, re.IGNORECASE):
            rule = "hygiene"  # an index's name is used by nobody's code
        if item.rule == "adding-field-with-default" and fast_default(text):
            continue  # a default fixed for the statement is stored once, not written per row
        if item.rule == "constraint-missing-not-valid" and not re.search(
            r"\bCHECK\b", text, re.IGNORECASE
        ):
            continue  # a foreign key or unique constraint: squawk's own rule for it says so
        what = " ".join(text.split())[:80] or item.rule
        note = (
            f"squawk {item.rule}: {item.message}" if rule == "sql-lint" else f"squawk: {item.rule}"
        )
        ops.append(Op(rule, item.line, what, table_of(text), note=note))
    for statement in statements:
        ops.extend(pattern_ops(statement, BESIDE_SQUAWK))
    lines_with_fk = {op.line for op in ops if op.rule == "add-foreign-key"}
    # squawk reports a foreign key twice (also as constraint-missing-not-valid)
    return [
        op for op in ops if not (op.rule == "add-check-constraint" and op.line in lines_with_fk)
    ]


def _from_sqlglot(
    statements: list[Statement], dialect: str, analysis: Analysis, snippet: SqlSnippet
) -> list[Op]:
    ops: list[Op] = []
    for statement in statements:
        try:
            ops.extend(sqlglot_ops(statement, dialect))
        except SqlSyntaxError as error:
            _unparsable(analysis, snippet.line + statement.line - 1, str(error))
            ops.extend(pattern_ops(statement))
    return ops


def _statement_at(statements: list[Statement], line: int) -> Statement | None:
    before = [s for s in statements if s.line <= line]
    return before[-1] if before else None


def _naive_split(text: str) -> list[Statement]:
    """Split on every `;` (for text the tokenizer rejected), keeping line numbers."""
    out, line = [], 1
    for chunk in text.split(";"):
        leading = len(chunk) - len(chunk.lstrip())
        out.append(Statement(line + chunk[:leading].count("\n"), chunk))
        line += chunk.count("\n")
    return out


def _unparsable(analysis: Analysis, line: int, why: str) -> None:
    if analysis.error is None:
        analysis.error = (line, why)


def _shift(op: Op, first_line: int) -> Op:
    return replace(op, line=op.line + first_line - 1)
