"""SQL through sqlglot: statements split by its tokenizer, and MySQL, SQLite and
generic SQL rated from its syntax tree. Imported by sql.py only when SQL is read, so
that a check without SQL does not pay for importing sqlglot."""

from __future__ import annotations

import logging

import sqlglot
from sqlglot import exp
from sqlglot.dialects import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.tokenizer_core import TokenType

from app.detect.migrations.rules import Op
from app.detect.migrations.sql import (
    SQLGLOT_DIALECT,
    SqlSyntaxError,
    Statement,
    _error_line,
    _shorten,
    _strip_comments,
    pattern_ops,
    table_of,
)

# sqlglot warns through `logging` when it falls back to an opaque Command, quoting
# the statement: in the App that would put migration SQL (and any secret in it) in
# the logs. We report what matters as findings instead.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


def split(text: str, dialect: str) -> list[Statement]:
    """Statements with the line each starts on; raises SqlSyntaxError when the text
    cannot even be tokenized (an unterminated string, say)."""
    try:
        tokens = Dialect.get_or_raise(SQLGLOT_DIALECT[dialect]).tokenize(text)
    except SqlglotError as error:
        raise SqlSyntaxError(_error_line(text, str(error)), str(error)) from None
    statements: list[Statement] = []
    start: int | None = None
    line = 1
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if start is not None:
                statements.append(Statement(line, text[start : token.start]))
            start = None
        elif start is None:
            start, line = token.start, token.line
    if start is not None:
        statements.append(Statement(line, text[start:]))
    return statements


def sqlglot_ops(statement: Statement, dialect: str) -> list[Op]:
    """Ops from sqlglot's syntax tree; opaque statements go to the patterns."""
    text = _strip_comments(statement.text)
    if not text:
        return []
    try:
        tree = sqlglot.parse_one(text, read=SQLGLOT_DIALECT[dialect])
    except SqlglotError as error:
        raise SqlSyntaxError(statement.line, str(error).splitlines()[0]) from None
    if tree is None or isinstance(tree, exp.Command):
        return pattern_ops(statement)
    rules = _tree_rules(tree, dialect)
    if rules is None:
        return pattern_ops(statement)
    table = table_of(text)
    return [Op(rule, statement.line, _shorten(text), table) for rule in rules]


def _tree_rules(tree: exp.Expr, dialect: str) -> list[str] | None:
    """Rules for a parsed statement; None means "ask the patterns"."""
    if isinstance(tree, exp.Create):
        kind = str(tree.args.get("kind") or "").upper()
        if kind == "TABLE":
            return ["create-table"]
        if kind == "INDEX":
            if tree.args.get("concurrently"):
                return ["concurrent-index"]
            # InnoDB builds secondary indexes online (writes continue); Postgres,
            # SQLite and generic SQL are assumed to block writes meanwhile.
            return ["concurrent-index"] if dialect == "mysql" else ["blocking-index"]
        return []
    if isinstance(tree, exp.Drop):
        kind = str(tree.args.get("kind") or "").upper()
        if kind in {"TABLE", "SCHEMA", "DATABASE"}:
            return ["drop-table"]
        return ["drop-index"] if kind == "INDEX" else []
    if isinstance(tree, exp.TruncateTable):
        return ["delete-all-rows"]
    if isinstance(tree, exp.Delete | exp.Update):
        return ["backfill"] if tree.args.get("where") else ["delete-all-rows"]
    if isinstance(tree, exp.Insert):
        # INSERT … SELECT copies existing rows; INSERT … VALUES is seed data
        return (
            ["backfill"] if isinstance(tree.args.get("expression"), exp.Select) else ["insert-rows"]
        )
    if isinstance(tree, exp.Alter):
        return [
            rule for action in tree.args.get("actions") or [] for rule in _action(action, dialect)
        ]
    return None


def _action(action: exp.Expr, dialect: str) -> list[str]:
    mysql = dialect == "mysql"
    if isinstance(action, exp.ColumnDef):
        return [_added_column(action)]
    if isinstance(action, exp.Drop):
        return (
            ["drop-column"]
            if str(action.args.get("kind") or "COLUMN").upper() == "COLUMN"
            else ["drop-constraint"]
        )
    if isinstance(action, exp.ModifyColumn):  # MySQL MODIFY/CHANGE: a table copy
        return ["mysql-table-copy" if mysql else "change-column-type"]
    if isinstance(action, exp.AlterColumn):
        if action.args.get("dtype"):
            return ["mysql-table-copy" if mysql else "change-column-type"]
        if action.args.get("allow_null") is False:
            return ["set-not-null"]
        if action.args.get("allow_null") is True:
            return ["drop-not-null"]
        if action.args.get("drop"):
            return ["drop-constraint"]
        return []
    if isinstance(action, exp.RenameColumn | exp.AlterRename):
        return ["rename"]
    if isinstance(action, exp.AddConstraint):
        sql = action.sql().upper()
        if "FOREIGN KEY" in sql:
            return ["add-foreign-key"]
        if "CHECK" in sql:
            return ["add-check-constraint"]
        if "UNIQUE" in sql or "PRIMARY KEY" in sql:
            return ["add-unique-constraint"]
        return ["blocking-index"]  # MySQL ADD [FULLTEXT|SPATIAL] INDEX
    return []


def _added_column(column: exp.ColumnDef) -> str:
    constraints = [c.args.get("kind") for c in column.args.get("constraints") or []]
    not_null = any(
        isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null")
        for k in constraints
    )
    default = any(isinstance(k, exp.DefaultColumnConstraint) for k in constraints)
    auto = any(
        isinstance(k, exp.AutoIncrementColumnConstraint | exp.GeneratedAsIdentityColumnConstraint)
        for k in constraints
    )
    if auto:
        return "add-column-rewrite"
    if not_null and not default:
        return "add-not-null-column"
    return "add-nullable-column"
