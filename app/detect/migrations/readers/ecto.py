"""Ecto (Elixir) migrations: `create table`, `alter table` blocks, indexes, `execute`."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.readers.calls import blocks, column_rule, first_name


def ecto(text: str) -> Analysis:
    analysis = Analysis()
    lines = split_lines(text)
    no_transaction = "@disable_ddl_transaction true" in text
    skip = blocks(lines, re.compile(r"^(\s*)def\s+down\b"))
    mode, table = "", None  # inside `create table` or `alter table` blocks
    for number, line in enumerate(lines, start=1):
        if number in skip:
            continue
        stripped = line.strip()
        what = " ".join(stripped.split())[:70]
        head = re.match(r"(create|create_if_not_exists|alter)\s+table\(\s*:?\"?(\w+)", stripped)
        if head:
            mode, table = ("create" if head.group(1) != "alter" else "alter"), head.group(2)
            if mode == "create":
                analysis.add("create-table", number, what, table)
                analysis.created.add(table.lower())
        elif stripped == "end":
            mode = ""
        elif not _statement(stripped, number, what, analysis, no_transaction) and mode == "alter":
            _ecto_alter(stripped, number, what, table, analysis)
    return analysis


def _statement(
    stripped: str, number: int, what: str, analysis: Analysis, no_transaction: bool
) -> bool:
    """A statement outside a table block (drop, index, rename, execute); False if the
    line is none of them."""
    on = first_name(stripped.split("(", 1)[1]) if "(" in stripped else None
    if re.match(r"drop(_if_exists)?\s+table\(", stripped):
        analysis.add("drop-table", number, what, on)
    elif re.match(r"(create|create_if_not_exists)\s+(unique_)?index\(", stripped):
        concurrently = "concurrently: true" in stripped
        unique = "unique_index" in stripped or "unique: true" in stripped
        rule = (
            "concurrent-index"
            if concurrently
            else ("add-unique-constraint" if unique else "blocking-index")
        )
        analysis.add(rule, number, what, on)
        if concurrently and not no_transaction:
            analysis.add("concurrently-in-transaction", number, what, on)
    elif re.match(r"drop(_if_exists)?\s+index\(", stripped):
        if "concurrently: true" not in stripped:
            analysis.add("drop-index", number, what, on)
    elif re.match(r"rename\s+table\(", stripped):
        analysis.add("rename", number, what, on)
    elif stripped.startswith("execute"):
        found = re.match(r"""execute\s*\(?\s*(["'])(.*)\1""", stripped)
        if found and "#{" not in found.group(2):
            analysis.sql.append(SqlSnippet(found.group(2), number))
        else:
            analysis.add("raw-sql", number, what)
    else:
        return False
    return True


def _ecto_alter(
    stripped: str, number: int, what: str, table: str | None, analysis: Analysis
) -> None:
    if re.match(r"(add|add_if_not_exists)\s", stripped):
        if "references(" in stripped and "validate: false" not in stripped:
            analysis.add("add-foreign-key", number, what, table)
        rule = column_rule(stripped, r"null:\s*true", r"default:")
        if "null: false" not in stripped:
            rule = "add-nullable-column"
        analysis.add(rule, number, what, table)
    elif re.match(r"(remove|remove_if_exists)\s", stripped):
        analysis.add("drop-column", number, what, table)
    elif re.match(r"modify\s", stripped):
        analysis.add("change-column-type", number, what, table)
        if "null: false" in stripped:
            analysis.add("set-not-null", number, what, table)
