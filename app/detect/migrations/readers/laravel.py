"""Laravel migrations: `Schema::` calls, their `$table->` blueprints, `DB::statement`."""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis
from app.detect.migrations.readers.calls import (
    Call,
    body_of,
    calls,
    column_rule,
    first_name,
    sql_or_raw,
)

_SCHEMA = re.compile(r"Schema::(create|table|drop|dropIfExists|rename)\s*\(")


_BLUEPRINT = re.compile(r"\$table->(\w+)\s*\(")


_DB = re.compile(r"DB::(statement|unprepared|table)\s*\(")


_LARAVEL_UP = re.compile(r"function\s+up\s*\(")


def laravel(text: str) -> Analysis:
    analysis = Analysis()
    lo, hi = body_of(text, _LARAVEL_UP)
    for call in calls(text, _SCHEMA, lo, hi):
        table = first_name(call.args)
        what = f"Schema::{call.name}({table})"
        if call.name == "create":
            analysis.add("create-table", call.line, what, table)
            if table:
                analysis.created.add(table)
        elif call.name in {"drop", "dropIfExists"}:
            analysis.add("drop-table", call.line, what, table)
        elif call.name == "rename":
            analysis.add("rename", call.line, what, table)
        else:
            _blueprint(text, call, table, analysis)
    for call in calls(text, _DB, lo, hi):
        if call.name == "table":
            chain = text[call.start : call.start + 400].split(";", 1)[0]
            write = re.search(r"->(update|delete|truncate)\s*\(", chain)
            if write:
                bounded = write.group(1) != "truncate" and re.search(r"->where\w*\s*\(", chain)
                rule = "backfill" if bounded else "delete-all-rows"
                table = first_name(call.args)
                analysis.add(rule, call.line, f"DB::table({table})->{write.group(1)}", table)
        else:
            sql_or_raw(call, text, analysis, f"DB::{call.name}")
    return analysis


_LARAVEL_TYPES = re.compile(
    r"^(string|text|(tiny|small|medium|big|unsignedBig|unsigned)?[iI]nteger|boolean|"
    r"decimal|float|double|date|dateTime|dateTimeTz|time|timestamp|timestampTz|json|jsonb|"
    r"uuid|ulid|char|enum|binary|foreignId|foreignUuid|longText|mediumText|year|ipAddress)$"
)


def _blueprint(text: str, schema: Call, table: str | None, analysis: Analysis) -> None:
    for call in calls(text, _BLUEPRINT, schema.start, schema.start + len(schema.args)):
        end = text.find(";", call.start)
        chain = text[call.start : end if end > 0 else len(text)]
        what = f"$table->{call.name}({' '.join(call.args.split())[:40]})"
        name = call.name
        if "->change()" in chain:
            analysis.add("change-column-type", call.line, what, table)
        elif _LARAVEL_TYPES.match(name):
            analysis.add(
                column_rule(chain, r"->nullable\(", r"->default\("), call.line, what, table
            )
            if "->constrained(" in chain or name.startswith("foreign"):
                analysis.add("add-foreign-key", call.line, what, table)
        elif name in {"dropColumn", "dropColumns", "dropTimestamps", "dropForeignIdFor"}:
            analysis.add("drop-column", call.line, what, table)
        elif name == "renameColumn":
            analysis.add("rename", call.line, what, table)
        elif name == "index":
            analysis.add("blocking-index", call.line, what, table)
        elif name in {"unique", "primary"}:
            analysis.add("add-unique-constraint", call.line, what, table)
        elif name == "foreign":
            analysis.add("add-foreign-key", call.line, what, table)
        elif name in {"dropForeign", "dropUnique", "dropPrimary", "dropConstrainedForeignId"}:
            analysis.add("drop-constraint", call.line, what, table)
        elif name == "dropIndex":
            analysis.add("drop-index", call.line, what, table)
