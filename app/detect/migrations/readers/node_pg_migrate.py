"""node-pg-migrate: `pgm.` calls in `up`."""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis
from app.detect.migrations.readers.calls import JS_UP, body_of, calls, first_name, sql_or_raw

_PGM = re.compile(r"\bpgm\.(\w+)\s*\(")


_PGM_RULES = {
    "createTable": "create-table",
    "dropTable": "drop-table",
    "dropColumns": "drop-column",
    "dropColumn": "drop-column",
    "renameColumn": "rename",
    "renameTable": "rename",
    "alterColumn": "change-column-type",
    "createIndex": "blocking-index",
    "addIndex": "blocking-index",
    "dropIndex": "drop-index",
    "addConstraint": "add-check-constraint",
    "dropConstraint": "drop-constraint",
    "createFunction": "create-table",
}


def node_pg_migrate(text: str) -> Analysis:
    analysis = Analysis()
    lo, hi = body_of(text, JS_UP)
    for call in calls(text, _PGM, lo, hi):
        table = first_name(call.args)
        if call.name == "sql":
            sql_or_raw(call, text, analysis, "pgm.sql")
            continue
        rule = _PGM_RULES.get(call.name)
        if call.name in {"addColumns", "addColumn"}:
            rule = (
                "add-not-null-column"
                if re.search(r"notNull:\s*true", call.args) and "default:" not in call.args
                else "add-nullable-column"
            )
        elif call.name in {"createIndex", "addIndex"} and "concurrently: true" in call.args:
            rule = "concurrent-index"
        elif call.name == "addConstraint" and re.search(r"foreignKeys|references", call.args):
            rule = "add-foreign-key"
        elif (
            call.name == "alterColumn"
            and re.search(r"notNull:\s*true", call.args)
            and "type:" not in call.args
        ):
            rule = "set-not-null"
        if rule:
            analysis.add(rule, call.line, f"pgm.{call.name}({table})", table)
            if call.name == "createTable" and table:
                analysis.created.add(table)
    return analysis
