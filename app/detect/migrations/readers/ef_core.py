"""EF Core migrations: `migrationBuilder.` calls in `Up`."""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis
from app.detect.migrations.readers.calls import (
    body_of,
    calls,
    column_rule,
    first_name,
    sql_or_raw,
    table_kw,
)

_EF_UP = re.compile(r"\bvoid\s+Up\s*\(")


_EF = re.compile(r"\bmigrationBuilder\.(\w+)(?:<[^>]*>)?\s*\(")


_EF_RULES = {
    "CreateTable": "create-table",
    "DropTable": "drop-table",
    "DropColumn": "drop-column",
    "RenameColumn": "rename",
    "RenameTable": "rename",
    "RenameIndex": "rename",
    "AddForeignKey": "add-foreign-key",
    "AddPrimaryKey": "add-unique-constraint",
    "AddUniqueConstraint": "add-unique-constraint",
    "AddCheckConstraint": "add-check-constraint",
    "DropForeignKey": "drop-constraint",
    "DropPrimaryKey": "drop-constraint",
    "DropUniqueConstraint": "drop-constraint",
    "DropCheckConstraint": "drop-constraint",
    "DropIndex": "drop-index",
}


def ef_core(text: str) -> Analysis:
    analysis = Analysis()
    lo, hi = body_of(text, _EF_UP)
    for call in calls(text, _EF, lo, hi):
        table = table_kw(call.args) if call.name != "CreateTable" else first_name(call.args)
        what = f"{call.name}({table})"
        args = call.args
        if call.name == "Sql":
            sql_or_raw(call, text, analysis, "Sql")
            continue
        rule: str | None = _EF_RULES.get(call.name)
        if call.name == "AddColumn":
            rule = column_rule(args, r"nullable:\s*true", r"defaultValue(Sql)?:")
        elif call.name == "AlterColumn":
            rule = "change-column-type"
            if re.search(r"nullable:\s*false", args) and re.search(r"oldNullable:\s*true", args):
                analysis.add("set-not-null", call.line, what, table)
        elif call.name == "CreateIndex":
            rule = (
                "add-unique-constraint" if re.search(r"unique:\s*true", args) else "blocking-index"
            )
        if rule:
            analysis.add(rule, call.line, what, table)
            if call.name == "CreateTable" and table:
                analysis.created.add(table)
    return analysis
