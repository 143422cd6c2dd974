"""Knex migrations: `knex.schema` calls, their column builders, `knex.raw`."""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis
from app.detect.migrations.readers.calls import (
    JS_UP,
    Call,
    body_of,
    calls,
    embedded_sql,
    first_name,
    line_at,
    no_transaction,
)

_KNEX_SCHEMA = re.compile(
    r"\.(createTable|createTableIfNotExists|dropTable|dropTableIfExists|renameTable|alterTable|table)\s*\("
)


_KNEX_COLUMN = re.compile(r"\b(?:table|t|tbl)\s*\.\s*(\w+)\s*\(")


_KNEX_TYPES = re.compile(
    r"^(string|text|integer|bigInteger|bigint|boolean|decimal|float|double|date|datetime|"
    r"timestamp|json|jsonb|uuid|enu|enum|binary|specificType|tinyint|smallint|mediumint|"
    r"time|increments|bigIncrements|geometry|point)$",
    re.IGNORECASE,  # dateTime and datetime, bigInteger and biginteger
)


def knex(text: str) -> Analysis:
    analysis = Analysis(transactional=not no_transaction(text))
    lo, hi = body_of(text, JS_UP)
    for call in calls(text, _KNEX_SCHEMA, lo, hi):
        table = first_name(call.args)
        what = f"{call.name}({table})"
        if call.name.startswith("createTable"):
            analysis.add("create-table", call.line, what, table)
            if table:
                analysis.created.add(table)
        elif call.name.startswith("dropTable"):
            analysis.add("drop-table", call.line, what, table)
        elif call.name == "renameTable":
            analysis.add("rename", call.line, what, table)
        else:
            for column in calls(text, _KNEX_COLUMN, call.start, call.start + len(call.args)):
                _knex_column(text, column, table, analysis)
    embedded_sql(
        text, re.compile(r"\b(?:knex|trx|tx|db)(?:\.schema)?\.(raw)\s*\("), lo, hi, analysis
    )
    for insert in _KNEX_INSERT.finditer(text, lo, hi):
        what = f"{insert.group('table').lower()}.insert()"
        analysis.add("insert-rows", line_at(text, insert.start()), what, insert.group("table"))
    for write in _KNEX_WRITE.finditer(text, lo, hi):
        table, chain = write.group("table").lower(), write.group("chain")
        rule = "backfill" if re.search(r"\.where\w*\s*\(", chain) else "delete-all-rows"
        what = f"{table}.{write.group('verb')}()"
        analysis.add(rule, line_at(text, write.start()), what, table)
    return analysis


_KNEX_RAW = re.compile(r"\b(?:knex|trx|tx|db)(?:\.schema)?\.(raw)\s*\(")
_KNEX_INSERT = re.compile(
    r"\b(?:knex|trx|tx|db)\s*\(\s*['\"`](?P<table>\w+)['\"`]\s*\)\s*\.\s*insert\s*\("
)
# Rows changed through the query builder: knex('users').where(…).update(…), .del().
_KNEX_WRITE = re.compile(
    r"\b(?:knex|trx|db)\s*\(\s*['\"`](?P<table>\w+)['\"`]\s*\)"
    r"(?P<chain>(?:\s*\.\s*\w+\s*\([^;]*?\))*?)\s*\.\s*(?P<verb>update|del|delete|truncate)\s*\("
)


def _chain(text: str, start: int) -> str:
    """A builder chain from `start` to its end: `;`, or a line not going on with `.`
    (`table\n  .text('x')\n  .nullable()` is one chain)."""
    at = start
    while True:
        newline, semicolon = text.find("\n", at), text.find(";", at)
        if semicolon != -1 and (newline == -1 or semicolon < newline):
            return text[start:semicolon]
        if newline == -1 or not text[newline + 1 :].lstrip().startswith("."):
            return text[start : newline if newline != -1 else len(text)]
        at = newline + 1


def _knex_column(text: str, call: Call, table: str | None, analysis: Analysis) -> None:
    chain = _chain(text, call.start)
    what = f"table.{call.name}({' '.join(call.args.split())[:40]})"
    if ".alter(" in chain:
        analysis.add("change-column-type", call.line, what, table)
    elif _KNEX_TYPES.match(call.name):
        rule = (
            "add-not-null-column"
            if ".notNullable()" in chain and ".defaultTo(" not in chain
            else "add-nullable-column"
        )
        analysis.add(rule, call.line, what, table)
        if ".references(" in chain:
            analysis.add("add-foreign-key", call.line, what, table)
    elif call.name in {"dropColumn", "dropColumns", "dropTimestamps"}:
        analysis.add("drop-column", call.line, what, table)
    elif call.name == "renameColumn":
        analysis.add("rename", call.line, what, table)
    elif call.name == "index":
        analysis.add("blocking-index", call.line, what, table)
    elif call.name in {"unique", "primary"}:
        analysis.add("add-unique-constraint", call.line, what, table)
    elif call.name == "foreign":
        analysis.add("add-foreign-key", call.line, what, table)
    elif call.name in {"dropForeign", "dropUnique", "dropPrimary"}:
        analysis.add("drop-constraint", call.line, what, table)
    elif call.name == "dropNullable":  # Knex's name for SET NOT NULL
        analysis.add("set-not-null", call.line, what, table)
    elif call.name == "setNullable":
        analysis.add("drop-not-null", call.line, what, table)
    elif call.name == "dropIndex":
        analysis.add("drop-index", call.line, what, table)
