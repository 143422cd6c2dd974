"""Rails (ActiveRecord) migrations: `remove_column`, `add_index`, `execute` …
Only the forward path is read: `down` is a rollback.
"""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.readers.calls import blocks, first_name

_RUBY_CALL = re.compile(r"^[ \t]*(?:t\.)?([a-z_]+!?)\b[ \t]*\(?", re.MULTILINE)


_RUBY_HEREDOC = re.compile(r"<<[~-]?['\"]?(\w+)['\"]?")


def rails(text: str) -> Analysis:
    analysis = Analysis()
    lines = text.splitlines()
    skip = blocks(lines, re.compile(r"^(\s*)def\s+(down|self\.down)\b"))
    acknowledged = blocks(lines, re.compile(r"^(\s*)safety_assured\b"))
    no_transaction = "disable_ddl_transaction!" in text
    creating = blocks(lines, re.compile(r"^(\s*)create_table\b"))
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index]
        index += 1
        if number in skip:
            continue
        match = re.match(r"^\s*(?:t\.)?([a-z_]+!?)\b\s*\(?(.*)$", line)
        if match is None:
            continue
        name, args = match.group(1), match.group(2)
        while args.rstrip().endswith(",") and index < len(lines):  # continued arguments
            args += " " + lines[index].strip()
            index += 1
        heredoc = _RUBY_HEREDOC.search(args) if name == "execute" else None
        if heredoc:
            end = next(
                (i for i in range(index, len(lines)) if lines[i].strip() == heredoc.group(1)),
                len(lines),
            )
            analysis.sql.append(SqlSnippet("\n".join(lines[index:end]), index + 1))
            index = end + 1
            continue
        note = "acknowledged with safety_assured" if number in acknowledged else None
        if number in creating and not line.lstrip().startswith("create_table"):
            continue  # columns of a table this migration creates
        _rails_call(name, args, number, analysis, no_transaction, note)
    return analysis


def _rails_call(
    name: str, args: str, line: int, analysis: Analysis, no_transaction: bool, note: str | None
) -> None:
    table = first_name(args)
    what = f"{name} {' '.join(args.split())[:60]}".strip()

    def add(rule: str) -> None:
        if note:
            analysis.add(rule, line, what, table, note=note)
        else:
            analysis.add(rule, line, what, table)

    concurrently = "algorithm: :concurrently" in args
    match name:
        case "create_table" | "create_join_table":
            add("drop-table" if re.search(r"force:\s*(true|:cascade)", args) else "create-table")
            if table:
                analysis.created.add(table)
        case "drop_table" | "drop_join_table":
            add("drop-table")
        case (
            "remove_column"
            | "remove_columns"
            | "remove_timestamps"
            | "remove_reference"
            | "remove_belongs_to"
            | "remove"
        ):
            add("drop-column")
        case "add_column":
            if re.search(r":(big)?serial\b", args) or re.search(r"default:\s*->", args):
                add("add-column-rewrite")
            elif re.search(r"null:\s*false", args) and "default:" not in args:
                add("add-not-null-column")
            else:
                add("add-nullable-column")
        case "change_column":
            add("change-column-type")
        case "change_column_null":
            add("set-not-null" if re.search(r",\s*false\b", args) else "drop-constraint")
        case "rename_column" | "rename_table" | "rename_index" | "rename":
            add("rename")
        case "add_index" | "index":
            add("concurrent-index" if concurrently else "blocking-index")
            if concurrently and not no_transaction:
                add("concurrently-in-transaction")
        case "remove_index":
            if not concurrently:
                add("drop-index")
        case "add_reference" | "add_belongs_to" | "references" | "belongs_to":
            if "index: false" not in args:
                add("concurrent-index" if concurrently else "blocking-index")
            if re.search(r"foreign_key:\s*(true|\{)", args) and "validate: false" not in args:
                add("add-foreign-key")
        case "add_foreign_key":
            if "validate: false" not in args:
                add("add-foreign-key")
        case "add_check_constraint":
            if "validate: false" not in args:
                add("add-check-constraint")
        case "add_unique_constraint" | "add_exclusion_constraint":
            add("add-unique-constraint")
        case "remove_foreign_key" | "remove_check_constraint" | "change_column_default":
            add("drop-constraint" if name != "change_column_default" else "hygiene")
        case "execute":
            found = re.match(r"""\s*(["'])(.*)\1""", args)
            if found and "#{" not in found.group(2):
                analysis.sql.append(SqlSnippet(found.group(2), line))
            else:
                add("raw-sql")
        case "update_all" | "delete_all" | "find_each" | "in_batches":
            add("data-migration")
        case "irreversible_migration":
            add("irreversible")
