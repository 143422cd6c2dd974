"""Rails (ActiveRecord) migrations: `remove_column`, `add_index`, `execute` …

Only what runs forward is rated as forward: `def down` and `dir.down` are the
rollback, and the body of a `revert` block runs as its inverse (a `create_table`
there drops the table). Blocks are read in both Ruby syntaxes, `do … end` and
`{ … }`, so `safety_assured { remove_column … }` is rated like its `do` form.
A `change` method is also read for what Rails cannot reverse on its own.
"""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.readers.calls import blocks, first_name
from app.detect.migrations.readers.rails_schema import (
    Reader,
    column_type,
    old_column,
    schema_path,
)
from app.detect.migrations.rules import Op
from app.detect.migrations.types import in_place

_CALL = re.compile(r"^\s*(?:t\.)?([a-z_]+!?)\b\s*\(?(.*)$")
_RUBY_HEREDOC = re.compile(r"<<[~-]?['\"]?(\w+)['\"]?")

_ROLLBACK = re.compile(r"^(\s*)(?:def\s+(?:self\.)?down\b|\w+\.down\b)")
_SAFETY = re.compile(r"^(\s*)safety_assured\b")
_REVERT = re.compile(r"^(\s*)revert\b(?!\s*\(?\s*[A-Z])")  # `revert Other` is a call
_CREATE = re.compile(r"^(\s*)create_table\b")
_CHANGE = re.compile(r"^(\s*)def\s+change\b")
# Inside `change`, these blocks say their own way back (or that there is none).
_EXPLICIT = re.compile(r"^(\s*)(?:reversible|up_only|revert)\b")
# A one-line block around calls that run forward: the calls are read as if alone.
_INLINE = re.compile(
    r"^\s*(?:safety_assured|up_only|revert|\w+\.up)\s*"
    r"(?:\{\s*(?:\|[^|]*\|)?(?P<brace>.*)\}|do\b\s*(?:\|[^|]*\|)?(?P<do>.*)\bend)\s*$"
)
_RAISES_IRREVERSIBLE = re.compile(r"\braise\s+(?:ActiveRecord::)?IrreversibleMigration\b")
_UP = re.compile(r"^\s*def\s+(?:self\.)?up\b", re.MULTILINE)
_DOWN = re.compile(r"^\s*def\s+(?:self\.)?down\b", re.MULTILINE)

# Data changes through models: `User.where(…).update_all(…)`, `find_each { … }`, and
# record by record (`status.update_attribute(…)`, `.save!`) in a loop.
_DML = re.compile(
    r"\.(update_all|delete_all|destroy_all|update_columns?|update_attributes?|update!?|"
    r"save!?|destroy!?|find_each|find_in_batches|in_batches)(?![\w?])"
)
# New rows through a model or the connection: seed data.
_INSERT = re.compile(r"\b[A-Z]\w*(?:::[A-Z]\w*)*\.(?:create!?|insert_all!?|insert!?)(?![\w?])")
# Ruby's older hash syntax (`:null => false`) read as the newer one (`null: false`).
_HASH_ROCKET = re.compile(r""":(\w+)\s*=>\s*""")
# Schema calls that take a lock whether or not they are rated (validate: false ones).
_SCHEMA_CALL = re.compile(r"^(?:add|remove|change|rename)_\w+$")
_BATCHED = re.compile(r"\.(find_each|find_in_batches|in_batches)\b")
# The whole table at once: `User.update_all(…)`, `Account.unscoped.delete_all`.
_EVERY_ROW = re.compile(
    r"\b[A-Z]\w*(?:::[A-Z]\w*)*(?:\.unscoped|\.all)*\.(update_all|delete_all|destroy_all)\b"
)

# What `revert` does with a call: its inverse.
_INVERSE = {
    "create-table": "drop-table",
    "drop-table": "create-table",
    "add-nullable-column": "drop-column",
    "add-not-null-column": "drop-column",
    "add-column-rewrite": "drop-column",
    "drop-column": "add-nullable-column",
    "blocking-index": "drop-index",
    "concurrent-index": "drop-index",
    "drop-index": "blocking-index",
    "add-foreign-key": "drop-constraint",
    "add-check-constraint": "drop-constraint",
    "add-unique-constraint": "drop-constraint",
    "set-not-null": "drop-not-null",
    "drop-not-null": "set-not-null",
}


def rails(text: str, read: Reader | None = None, path: str = "") -> Analysis:
    """A Rails migration's operations; `read` gives the base commit's files, so a
    change_column is rated against the column as db/schema.rb has it."""
    analysis = Analysis(transactional="disable_ddl_transaction!" not in text)
    lines = split_lines(text)
    schema = read(schema_path(path)) if read is not None and "change_column" in text else None
    _Reader(analysis, lines, schema).read()
    up = _UP.search(text)
    if up is not None and _DOWN.search(text) is None:
        line = text.count("\n", 0, up.start()) + 1
        note = "a rollback runs no down, so it changes nothing back"
        analysis.add("irreversible", line, "up without down", None, note)
    return analysis


class _Reader:
    """One pass over a migration's lines, knowing which block each line is in."""

    def __init__(self, analysis: Analysis, lines: list[str], schema: str | None) -> None:
        self.analysis = analysis
        self.lines = lines
        self.schema = schema  # db/schema.rb at the base, when it could be read
        self.rollback = blocks(lines, _ROLLBACK)
        self.acknowledged = blocks(lines, _SAFETY)
        self.reverted = blocks(lines, _REVERT)
        self.creating = blocks(lines, _CREATE)
        self.in_change = blocks(lines, _CHANGE) - blocks(lines, _EXPLICIT)

    def read(self) -> None:
        index = 0
        while index < len(self.lines):
            index = self._line(index)

    def _line(self, index: int) -> int:
        """Read the line at `index`; the index of the next line not yet read."""
        number, line = index + 1, self.lines[index]
        if number in self.rollback:
            if _RAISES_IRREVERSIBLE.search(line):
                self.analysis.add("irreversible", number, "down raises IrreversibleMigration")
            return index + 1
        inline = _INLINE.match(line)
        code = (inline.group("brace") or inline.group("do") or "") if inline else line
        self._data_change(code, number)
        match = _CALL.match(code)
        if match is None:
            return index + 1
        name, args = match.group(1), match.group(2)
        index += 1
        while args.rstrip().endswith(",") and index < len(self.lines):  # continued arguments
            args += " " + self.lines[index].strip()
            index += 1
        args = _HASH_ROCKET.sub(r"\1: ", args)
        heredoc = _RUBY_HEREDOC.search(args) if name == "execute" else None
        if heredoc:
            end = next(
                (
                    i
                    for i in range(index, len(self.lines))
                    if self.lines[i].strip() == heredoc.group(1)
                ),
                len(self.lines),
            )
            self.analysis.sql.append(SqlSnippet("\n".join(self.lines[index:end]), index + 1))
            self._irreversible_in_change(name, args, code, number)
            return end + 1
        if number in self.creating and not code.lstrip().startswith("create_table"):
            return index  # columns of a table this migration creates
        self._call(name, args, number)
        self._irreversible_in_change(name, args, code, number)
        return index

    def _call(self, name: str, args: str, line: int) -> None:
        table = first_name(args)
        what = f"{name} {' '.join(args.split())[:60]}".strip()
        notes = []
        if line in self.acknowledged:
            notes.append("acknowledged with safety_assured")
        if name == "execute":
            found = re.match(r"""\s*(["'])(.*)\1""", args)
            if found and "#{" not in found.group(2):
                self.analysis.sql.append(SqlSnippet(found.group(2), line))
                return
        elif name in ("create_table", "create_join_table") and table and line not in self.reverted:
            self.analysis.created.add(table)
        rules = _rules(name, args, not self.analysis.transactional)
        if name == "change_column" and self.schema is not None:
            rules, why = _against_schema(args, self.schema)
            notes.extend(why)
        if line in self.reverted and rules:
            rules = [_INVERSE.get(rule, rule) for rule in rules]
            notes.append("inside revert, so it runs as its inverse")
        for rule in rules:
            self.analysis.add(rule, line, what, table, "; ".join(notes) or None)
        if _SCHEMA_CALL.match(name) and line not in self.reverted:
            self.analysis.locks.append(Op("alter-table", line, what, table))

    def _data_change(self, code: str, line: int) -> None:
        """Rows changed through the models; a rollback's are not read."""
        found = _DML.search(code)
        what = " ".join(code.split())[:60]
        if found is None:
            if _INSERT.search(code):
                self.analysis.add("insert-rows", line, what)
            return
        if _BATCHED.search(code):
            self.analysis.add("backfill", line, what, None, "in batches", batched=True)
        elif _EVERY_ROW.search(code):
            self.analysis.add("delete-all-rows", line, what)
        else:
            self.analysis.add("backfill", line, what)

    def _irreversible_in_change(self, name: str, args: str, code: str, line: int) -> None:
        if line not in self.in_change:
            return
        why = _why_irreversible(name, args, code)
        if why is not None:
            what = f"{name} {' '.join(args.split())[:50]}".strip()
            self.analysis.add("irreversible", line, what, first_name(args), why)


def _against_schema(args: str, schema: str) -> tuple[list[str], list[str]]:
    """change_column's rules and notes, from the column as schema.rb has it."""
    found = re.match(r"""\s*[:"'](\w+)["']?\s*,\s*[:"'](\w+)["']?\s*,\s*:(\w+)(.*)$""", args)
    old = old_column(schema, found.group(1), found.group(2)) if found else None
    if found is None or old is None:
        return ["change-column-type"], ["the column is not in db/schema.rb at the base"]
    (old_type, was_not_null), options = old, found.group(4)
    why = in_place(old_type, column_type(found.group(3), options))
    if why is None:
        return ["change-column-type"], []
    rules = ["widen-column"]
    if re.search(r"null:\s*false", options) and not was_not_null:
        rules.append("set-not-null")
    return rules, [f"{why} (db/schema.rb has it as {old_type.name})"]


def _why_irreversible(name: str, args: str, code: str) -> str | None:
    """Why Rails cannot reverse this call written in `change`, or None if it can."""
    args = re.sub(r"\s+#.*$", "", args).rstrip().removesuffix(")")
    keywords = set(re.findall(r"\b(\w+):\s", args))
    positional = [a for a in args.split(",") if a.strip() and not re.match(r"\s*\w+:\s", a)]
    match name:
        case "remove_column" if len(positional) < 3 and "type" not in keywords:
            return "remove_column without the column's type cannot be reversed in change"
        case "remove_columns" if "type" not in keywords:
            return "remove_columns without type: cannot be reversed in change"
        case "drop_table" if not re.search(r"\bdo\b|\{", code):
            return "drop_table without the table's definition cannot be reversed in change"
        case "change_column":
            return "change_column cannot be reversed in change (use up/down or reversible)"
        case "change_column_default" if "from" not in keywords:
            return "change_column_default without from:/to: cannot be reversed in change"
        case "execute":
            return "execute in change cannot be reversed (use up/down or reversible)"
        case "remove_index" if len(positional) < 2 and "column" not in keywords:
            return "remove_index by name alone cannot be reversed in change"
    return None


# Calls whose rule is fixed by their name alone.
_BY_NAME = {
    **dict.fromkeys(("drop_table", "drop_join_table", "drop_schema"), "drop-table"),
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
    **dict.fromkeys(
        (
            "rename_column",
            "rename_table",
            "rename_index",
            "rename",
            "rename_schema",
            "rename_enum",
            "rename_enum_value",
        ),
        "rename",
    ),
    "add_exclusion_constraint": "add-unique-constraint",
    **dict.fromkeys(("remove_foreign_key", "remove_check_constraint"), "drop-constraint"),
    "drop_enum": "drop-object",
    "change_column_default": "hygiene",
    "irreversible_migration": "irreversible",
}


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
            return ["set-not-null" if re.search(r",\s*false\b", args) else "drop-not-null"]
        case "add_index" | "index":
            index = "concurrent-index" if concurrently else "blocking-index"
            in_transaction = concurrently and not no_transaction
            return [index, "concurrently-in-transaction"] if in_transaction else [index]
        case "remove_index":
            return [] if concurrently else ["drop-index"]
        case "add_reference" | "add_belongs_to" | "references" | "belongs_to":
            return _reference(args, concurrently)
        case "add_foreign_key":
            return ["add-foreign-key"] if validated else ["constraint-not-valid"]
        case "add_check_constraint":
            return ["add-check-constraint"] if validated else ["constraint-not-valid"]
        case "validate_foreign_key" | "validate_check_constraint" | "validate_constraint":
            return ["validate-constraint"]
        case "add_unique_constraint" if "using_index:" in args:
            return ["constraint-not-valid"]  # the index was built (concurrently) before
        case "add_unique_constraint":
            return ["add-unique-constraint"]
        case "execute":
            return ["raw-sql"]  # its SQL is built at run time
        case "revert" if re.match(r"\s*\(?\s*[A-Z]", args):
            return ["revert"]  # `revert OtherMigration` undoes all that one did
    return []


# Defaults Postgres computes per row: each one rewrites the table under lock.
# (`-> { "now()" }` is not one: now() is fixed for the statement, a fast default.)
_VOLATILE_DEFAULT = re.compile(
    r"""default:\s*(?:->\s*\{\s*)?["'](?:gen_random_uuid|uuid_generate_v\w+|random|"""
    r"""clock_timestamp|timeofday|nextval)\s*\("""
)


def _add_column(args: str) -> str:
    if re.search(
        r":(big)?serial\b|:primary_key\b|primary_key:\s*true|stored:\s*true", args
    ) or _VOLATILE_DEFAULT.search(args):
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
