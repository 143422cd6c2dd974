"""The migrations detector: find every migration, then rate each operation in it.

1. files.py says which changed files are migrations (and schema dumps).
2. Each new or edited migration is read by its framework's analyser (Python
   ast for Django/Alembic, the schema-builder readers for the rest); SQL files
   and the SQL embedded in code are collected as snippets.
3. All Postgres snippets of the diff go through squawk in one run; other
   dialects through sqlglot; the statement patterns fill squawk's gaps.
4. Each operation becomes one finding on its line (rating.py): rated by rules.py,
   then weighed by the rest of the file (a table it creates, a transaction it
   shares, a way back it lacks). rollback.py says which files have none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Finding, Kind, Severity
from app.detect.globs import compiled
from app.detect.migrations import rating, recipes, rollback, squawk
from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.filelevel import lint_only, lint_only_finding, worst_operation
from app.detect.migrations.files import (
    SCHEMA_FILES,
    MigrationSettings,
    ambiguous,
    head_text,
    identify,
    migration_finding,
    pairing_findings,
    schema_finding,
)
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
from app.detect.pathrules import NOT_CODE, scoped

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


class MigrationsDetector:
    name = "migrations"
    kind = Kind.MIGRATION
    settings_model = MigrationSettings

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        assert isinstance(settings, MigrationSettings)
        allowed = scoped(settings)
        extra = compiled(tuple(settings.paths))
        findings: list[Finding] = []
        frameworks: set[str] = set()
        schema_files: list[ChangedFile] = []
        reads: list[_Read] = []
        file_findings: dict[str, int] = {}  # path -> index of its file finding
        for changed in files:
            if not allowed(changed):
                continue
            if SCHEMA_FILES.match(changed.path):
                schema_files.append(changed)
                findings.append(schema_finding(changed))
                continue
            framework = identify(changed, extra)
            if framework is None:
                continue
            frameworks.add(framework)
            file_findings[changed.path] = len(findings)
            findings.append(_file_finding(changed, framework))
            read = _read(changed, framework)
            if read is not None:
                reads.append(read)
        _rate_sql(reads, settings.dialect)
        rollback.unpaired_ups(((read.changed, read.analysis) for read in reads), files)
        large = frozenset(t.lower() for t in settings.large_tables)
        proven = recipes.proven_not_null((read.changed.path, read.text) for read in reads)
        for read in reads:
            if settings.dialect != "postgres":
                read.analysis.ops = rating.not_in_place(read.analysis.ops, settings.dialect)
            operations = rating.findings(read.changed, read.framework, read.analysis, large)
            operations = recipes.lower_proven(operations, proven)
            index = file_findings[read.changed.path]
            if findings[index].rule == "migration.added":
                analysis = read.analysis
                findings[index] = worst_operation(
                    findings[index], operations, analysis.empty, analysis.python_only
                )
            findings.extend(operations)
        findings.extend(pairing_findings(frameworks, schema_files, files))
        return [_outside_the_app(f) for f in findings]

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        if not scoped(settings)(changed):
            return False
        if ambiguous(changed):
            return True
        # An edited migration is read whole: its operations need their context.
        edited = changed.status in (FileStatus.MODIFIED, FileStatus.RENAMED)
        return (edited or not changed.lines_known) and (
            identify(changed, compiled(tuple(settings.paths))) is not None
        )


def _file_finding(changed: ChangedFile, framework: str) -> Finding:
    """The file's own finding; an edit that only reformats is lint-only."""
    finding = migration_finding(changed, framework)
    if finding.rule == "migration.edited" and lint_only(changed, framework):
        return lint_only_finding(finding, framework)
    return finding


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


def _outside_the_app(finding: Finding) -> Finding:
    """A test app's or an example's migration (`wagtail/test/testapp/migrations/`) never
    runs against the database the DBA looks after: shown, at info."""
    if (
        finding.file is None
        or finding.severity == Severity.INFO
        or not NOT_CODE.match(finding.file)
    ):
        return finding
    message = f"{finding.message} (in tests, examples or docs: info)"
    return replace(finding, severity=Severity.INFO, message=message)
