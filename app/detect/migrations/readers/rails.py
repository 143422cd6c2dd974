"""Rails (ActiveRecord) migrations: `remove_column`, `add_index`, `execute` …
Only the forward path is read: `down` is a rollback.
"""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.readers.calls import blocks, first_name

_RUBY_CALL = re.compile(r"^[ \t]*(?:t\.)?([a-z_]+!?)\b[ \t]*\(?", re.MULTILINE)


_RUBY_HEREDOC = re.compile(r"<<[~-]?['\"]?(\w+)['\"]?")


def rails(text: str) -> Analysis:
    analysis = Analysis()
    lines = split_lines(text)
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


# Calls whose rule is fixed by their name alone.
_BY_NAME = {
    **dict.fromkeys(("drop_table", "drop_join_table"), "drop-table"),
    **dict.fromkeys(
        (
            "remove_column",
            "remove_columns",
            "remove_timestamps",
            "remove_reference",
            "remove_belongs_to",
            "remove",
        ),
        "drop-column",
    ),
    "change_column": "change-column-type",
    **dict.fromkeys(("rename_column", "rename_table", "rename_index", "rename"), "rename"),
    **dict.fromkeys(("add_unique_constraint", "add_exclusion_constraint"), "add-unique-constraint"),
    **dict.fromkeys(("remove_foreign_key", "remove_check_constraint"), "drop-constraint"),
    "change_column_default": "hygiene",
    **dict.fromkeys(("update_all", "delete_all", "find_each", "in_batches"), "data-migration"),
    "irreversible_migration": "irreversible",
}


def _rails_call(
    name: str, args: str, line: int, analysis: Analysis, no_transaction: bool, note: str | None
) -> None:
    table = first_name(args)
    what = f"{name} {' '.join(args.split())[:60]}".strip()
    extra = {"note": note} if note else {}
    if name == "execute":
        found = re.match(r"""\s*(["'])(.*)\1""", args)
        if found and "#{" not in found.group(2):
            analysis.sql.append(SqlSnippet(found.group(2), line))
            return
    elif name in ("create_table", "create_join_table") and table:
        analysis.created.add(table)
    for rule in _rules(name, args, no_transaction):
        analysis.add(rule, line, what, table, **extra)


def _rules(name: str, args: str, no_transaction: bool) -> list[str]:
    """The rules one call of the Rails migration DSL falls under (most: one)."""
    if name in _BY_NAME:
        return [_BY_NAME[name]]
    concurrently = "algorithm: :concurrently" in args
    validated = "validate: false" not in args
    match name:
        case "create_table" | "create_join_table":
            return [
                "drop-table" if re.search(r"force:\s*(true|:cascade)", args) else "create-table"
            ]
        case "add_column":
            return [_add_column(args)]
        case "change_column_null":
            return ["set-not-null" if re.search(r",\s*false\b", args) else "drop-constraint"]
        case "add_index" | "index":
            index = "concurrent-index" if concurrently else "blocking-index"
            in_transaction = concurrently and not no_transaction
            return [index, "concurrently-in-transaction"] if in_transaction else [index]
        case "remove_index":
            return [] if concurrently else ["drop-index"]
        case "add_reference" | "add_belongs_to" | "references" | "belongs_to":
            return _reference(args, concurrently)
        case "add_foreign_key":
            return ["add-foreign-key"] if validated else []
        case "add_check_constraint":
            return ["add-check-constraint"] if validated else []
        case "execute":
            return ["raw-sql"]  # its SQL is built at run time
    return []


def _add_column(args: str) -> str:
    if re.search(r":(big)?serial\b", args) or re.search(r"default:\s*->", args):
        return "add-column-rewrite"
    if re.search(r"null:\s*false", args) and "default:" not in args:
        return "add-not-null-column"
    return "add-nullable-column"


def _reference(args: str, concurrently: bool) -> list[str]:
    rules = []
    if "index: false" not in args:
        rules.append("concurrent-index" if concurrently else "blocking-index")
    if re.search(r"foreign_key:\s*(true|\{)", args) and "validate: false" not in args:
        rules.append("add-foreign-key")
    return rules
