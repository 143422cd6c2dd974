"""Sequelize's queryInterface and TypeORM's queryRunner, which share most method names."""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis
from app.detect.migrations.readers.calls import JS_UP, body_of, calls, embedded_sql, first_name

_QI = re.compile(r"\b(?:queryInterface|queryRunner|qi)\.(\w+)\s*\(")


def sequelize_or_typeorm(text: str) -> Analysis:
    """Sequelize's queryInterface and TypeORM's queryRunner share most method names."""
    analysis = Analysis()
    lo, hi = body_of(text, JS_UP)
    for call in calls(text, _QI, lo, hi):
        table = first_name(call.args)
        what = f"{call.name}({table})"
        rule = _QI_RULES.get(call.name)
        if call.name in {"query", "sequelize"}:
            continue
        if call.name == "createTable":
            analysis.created.add(table or "")
        if call.name == "addColumn":
            not_null = re.search(r"allowNull:\s*false|isNullable:\s*false", call.args)
            default = re.search(r"defaultValue|default:", call.args)
            rule = "add-not-null-column" if not_null and not default else "add-nullable-column"
        elif call.name == "addIndex":
            if "concurrently: true" in call.args:
                rule = "concurrent-index"
            elif "unique: true" in call.args:
                rule = "add-unique-constraint"
        elif call.name == "addConstraint":
            kind = re.search(
                r"type:\s*['\"](foreign key|unique|check|primary key)", call.args, re.I
            )
            rule = {
                "foreign key": "add-foreign-key",
                "check": "add-check-constraint",
            }.get(kind.group(1).lower() if kind else "", "add-unique-constraint")
        elif rule == "backfill" and _no_where(call.name, call.args):
            rule = "delete-all-rows"
        if rule:
            analysis.add(rule, call.line, what, table)
    embedded_sql(
        text,
        re.compile(r"\b(?:queryRunner|sequelize|queryInterface\.sequelize)\.(query)\s*\("),
        lo,
        hi,
        analysis,
    )
    return analysis


_QI_RULES = {
    "createTable": "create-table",
    "dropTable": "drop-table",
    "removeColumn": "drop-column",
    "dropColumn": "drop-column",
    "dropColumns": "drop-column",
    "renameColumn": "rename",
    "renameTable": "rename",
    "changeColumn": "change-column-type",
    "createIndex": "blocking-index",
    "addIndex": "blocking-index",
    "createForeignKey": "add-foreign-key",
    "createForeignKeys": "add-foreign-key",
    "createUniqueConstraint": "add-unique-constraint",
    "createPrimaryKey": "add-unique-constraint",
    "createCheckConstraint": "add-check-constraint",
    "removeConstraint": "drop-constraint",
    "dropForeignKey": "drop-constraint",
    "dropUniqueConstraint": "drop-constraint",
    "dropCheckConstraint": "drop-constraint",
    "removeIndex": "drop-index",
    "dropIndex": "drop-index",
    "bulkDelete": "backfill",
    "bulkUpdate": "backfill",
    "bulkInsert": "data-migration",  # seed rows: nothing existing is rewritten
}


def _no_where(name: str, args: str) -> bool:
    """bulkDelete(table, where) and bulkUpdate(table, values, where) with no condition
    (absent, null or {}) touch every row."""
    where_at = 1 if name == "bulkDelete" else 2
    parts = _top_level(args)
    where = parts[where_at].strip() if len(parts) > where_at else ""
    return where in {"", "null", "{}", "undefined"}


def _top_level(args: str) -> list[str]:
    """Arguments split on the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(args):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(args[start:i])
            start = i + 1
    parts.append(args[start:])
    return parts
