"""Schema-builder migrations in Ruby, PHP, Elixir, JavaScript/TypeScript and C#.

These DSLs are regular enough to read by their calls: each analyser finds the
calls of its framework (Rails `remove_column`, Laravel `$table->dropColumn`,
Ecto `modify`, Knex `table.dropColumn`, Sequelize `queryInterface.changeColumn`,
TypeORM `queryRunner.query`, EF Core `migrationBuilder.AlterColumn`), takes
their arguments (balanced brackets, strings skipped) and maps them onto the
unified rules. Embedded SQL (`execute`, `DB::statement`, `knex.raw`,
`queryRunner.query`, `addSql`, `Sql(...)`) goes on to the SQL analysers. Only
the forward path is read: Rails `down`, Knex/Sequelize/TypeORM/EF `down`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.detect.migrations.analysis import Analysis, SqlSnippet

_STRING = re.compile(
    r"""@"(?:[^"]|"")*"|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`""", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    line: int
    args: str  # the text inside the call's brackets (or to the end of a Ruby line)
    start: int  # offset of `args` in the file


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _closing(text: str, open_at: int) -> int:
    """Offset of the bracket closing the one at `open_at` (strings skipped)."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    stack = [pairs[text[open_at]]]
    i = open_at + 1
    while i < len(text) and stack:
        ch = text[i]
        if ch in "\"'`@":
            match = _STRING.match(text, i)
            if match:
                i = match.end()
                continue
        if ch in pairs:
            stack.append(pairs[ch])
        elif ch == stack[-1]:
            stack.pop()
        i += 1
    return i - 1 if not stack else len(text)


def calls(
    text: str, pattern: re.Pattern[str], lo: int = 0, hi: int | None = None
) -> Iterator[Call]:
    """Calls whose name (group 1) matches `pattern` followed by `(`, in text[lo:hi]."""
    hi = len(text) if hi is None else hi
    for match in pattern.finditer(text, lo, hi):
        open_at = match.end() - 1
        close = _closing(text, open_at)
        yield Call(
            match.group(1), line_at(text, match.start(1)), text[open_at + 1 : close], open_at + 1
        )


def first_string(call: Call, text: str) -> tuple[str, int] | None:
    """The first string literal in a call's arguments, unquoted, and its line."""
    match = _STRING.search(call.args)
    if match is None:
        return None
    raw = match.group()
    body = raw[2:-1].replace('""', '"') if raw.startswith("@") else raw[1:-1]
    return body, line_at(text, call.start + match.start())


def _first_name(args: str) -> str | None:
    match = re.search(r"""(?:table:\s*|name:\s*)?["'`:]?(\w+)""", args)
    return match.group(1).lower() if match else None


def _table_kw(args: str) -> str | None:
    match = re.search(r"""\btable:\s*["']?(\w+)""", args)
    return match.group(1).lower() if match else _first_name(args)


def body_of(text: str, head: re.Pattern[str]) -> tuple[int, int]:
    """The braces-delimited body after the first `head` match (an `up` method), else all."""
    match = head.search(text)
    if match is None:
        return 0, len(text)
    brace = text.find("{", match.end())
    if brace < 0:
        return 0, len(text)
    return brace, _closing(text, brace)


def _sql_or_raw(call: Call, text: str, analysis: Analysis, what: str) -> None:
    found = first_string(call, text)
    if found is None or "${" in found[0] or "#{" in found[0]:
        analysis.add("raw-sql", call.line, f"{what} with SQL built at run time")
    else:
        analysis.sql.append(SqlSnippet(*found))


def _column_rule(chain: str, nullable: str, default: str) -> str:
    if re.search(nullable, chain):
        return "add-nullable-column"
    if re.search(default, chain):
        return "add-nullable-column"  # a constant default: metadata only on PG 11+
    return "add-not-null-column"


# --- Rails ---------------------------------------------------------------------------

_RUBY_CALL = re.compile(r"^[ \t]*(?:t\.)?([a-z_]+!?)\b[ \t]*\(?", re.MULTILINE)
_RUBY_HEREDOC = re.compile(r"<<[~-]?['\"]?(\w+)['\"]?")


def rails(text: str) -> Analysis:
    analysis = Analysis()
    lines = text.splitlines()
    skip = _blocks(lines, re.compile(r"^(\s*)def\s+(down|self\.down)\b"))
    acknowledged = _blocks(lines, re.compile(r"^(\s*)safety_assured\b"))
    no_transaction = "disable_ddl_transaction!" in text
    creating = _blocks(lines, re.compile(r"^(\s*)create_table\b"))
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


def _blocks(lines: list[str], head: re.Pattern[str]) -> set[int]:
    """Line numbers inside blocks opened by `head` (to the `end` at its indentation)."""
    inside: set[int] = set()
    for i, line in enumerate(lines):
        match = head.match(line)
        if match is None:
            continue
        if re.search(r"\{.*\}|\bdo\b.*\bend\b", line):  # one-line block
            inside.add(i + 1)
            continue
        indent = match.group(1)
        for j in range(i, len(lines)):
            inside.add(j + 1)
            if j > i and re.match(rf"^{indent}(end|\}})\b", lines[j]):
                break
    return inside


def _rails_call(
    name: str, args: str, line: int, analysis: Analysis, no_transaction: bool, note: str | None
) -> None:
    table = _first_name(args)
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


# --- Laravel -------------------------------------------------------------------------

_SCHEMA = re.compile(r"Schema::(create|table|drop|dropIfExists|rename)\s*\(")
_BLUEPRINT = re.compile(r"\$table->(\w+)\s*\(")
_DB = re.compile(r"DB::(statement|unprepared|table)\s*\(")
_LARAVEL_UP = re.compile(r"function\s+up\s*\(")


def laravel(text: str) -> Analysis:
    analysis = Analysis()
    lo, hi = body_of(text, _LARAVEL_UP)
    for call in calls(text, _SCHEMA, lo, hi):
        table = _first_name(call.args)
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
            tail = text[call.start : call.start + 400]
            if re.search(r"->(update|delete|truncate)\s*\(", tail.split(";", 1)[0]):
                analysis.add("data-migration", call.line, f"DB::table({_first_name(call.args)})")
        else:
            _sql_or_raw(call, text, analysis, f"DB::{call.name}")
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
                _column_rule(chain, r"->nullable\(", r"->default\("), call.line, what, table
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


# --- Ecto ----------------------------------------------------------------------------


def ecto(text: str) -> Analysis:
    analysis = Analysis()
    lines = text.splitlines()
    no_transaction = "@disable_ddl_transaction true" in text
    skip = _blocks(lines, re.compile(r"^(\s*)def\s+down\b"))
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
            continue
        if stripped == "end":
            mode = ""
            continue
        if re.match(r"drop(_if_exists)?\s+table\(", stripped):
            analysis.add("drop-table", number, what, _first_name(stripped.split("(", 1)[1]))
        elif re.match(r"(create|create_if_not_exists)\s+(unique_)?index\(", stripped):
            on = _first_name(stripped.split("(", 1)[1])
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
        elif (
            re.match(r"drop(_if_exists)?\s+index\(", stripped)
            and "concurrently: true" not in stripped
        ):
            analysis.add("drop-index", number, what, _first_name(stripped.split("(", 1)[1]))
        elif re.match(r"rename\s+table\(", stripped):
            analysis.add("rename", number, what, _first_name(stripped.split("(", 1)[1]))
        elif stripped.startswith("execute"):
            found = re.match(r"""execute\s*\(?\s*(["'])(.*)\1""", stripped)
            if found and "#{" not in found.group(2):
                analysis.sql.append(SqlSnippet(found.group(2), number))
            else:
                analysis.add("raw-sql", number, what)
        elif mode == "alter":
            _ecto_alter(stripped, number, what, table, analysis)
    return analysis


def _ecto_alter(
    stripped: str, number: int, what: str, table: str | None, analysis: Analysis
) -> None:
    if re.match(r"(add|add_if_not_exists)\s", stripped):
        if "references(" in stripped and "validate: false" not in stripped:
            analysis.add("add-foreign-key", number, what, table)
        rule = _column_rule(stripped, r"null:\s*true", r"default:")
        if "null: false" not in stripped:
            rule = "add-nullable-column"
        analysis.add(rule, number, what, table)
    elif re.match(r"(remove|remove_if_exists)\s", stripped):
        analysis.add("drop-column", number, what, table)
    elif re.match(r"modify\s", stripped):
        analysis.add("change-column-type", number, what, table)
        if "null: false" in stripped:
            analysis.add("set-not-null", number, what, table)


# --- Knex, Sequelize, TypeORM, MikroORM, Doctrine ---------------------------------------

_JS_UP = re.compile(
    r"(?:exports\.up\s*=|\bup\s*:|\basync\s+up\s*\(|\bfunction\s+up\s*\(|\bpublic\s+(?:async\s+)?up\s*\()"
)
_KNEX_SCHEMA = re.compile(
    r"\.(createTable|createTableIfNotExists|dropTable|dropTableIfExists|renameTable|alterTable|table)\s*\("
)
_KNEX_COLUMN = re.compile(r"\b(?:table|t|tbl)\.(\w+)\s*\(")
_KNEX_TYPES = re.compile(
    r"^(string|text|integer|bigInteger|bigint|boolean|decimal|float|double|date|datetime|"
    r"timestamp|json|jsonb|uuid|enu|enum|binary|specificType|tinyint|smallint|mediumint)$"
)


def knex(text: str) -> Analysis:
    analysis = Analysis()
    lo, hi = body_of(text, _JS_UP)
    for call in calls(text, _KNEX_SCHEMA, lo, hi):
        table = _first_name(call.args)
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
    _embedded_sql(text, re.compile(r"\b(?:knex|trx|db)\.(raw)\s*\("), lo, hi, analysis)
    return analysis


def _knex_column(text: str, call: Call, table: str | None, analysis: Analysis) -> None:
    end = min(
        (i for i in (text.find(";", call.start), text.find("\n", call.start)) if i > 0),
        default=len(text),
    )
    chain = text[call.start : end]
    what = f"table.{call.name}({' '.join(call.args.split())[:40]})"
    if ".alter()" in chain:
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
    elif call.name in {"dropForeign", "dropUnique", "dropPrimary", "dropNullable"}:
        analysis.add("drop-constraint", call.line, what, table)
    elif call.name == "dropIndex":
        analysis.add("drop-index", call.line, what, table)


_QI = re.compile(r"\b(?:queryInterface|queryRunner|qi)\.(\w+)\s*\(")


def sequelize_or_typeorm(text: str) -> Analysis:
    """Sequelize's queryInterface and TypeORM's queryRunner share most method names."""
    analysis = Analysis()
    lo, hi = body_of(text, _JS_UP)
    for call in calls(text, _QI, lo, hi):
        table = _first_name(call.args)
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
        if rule:
            analysis.add(rule, call.line, what, table)
    _embedded_sql(
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
    "bulkDelete": "data-migration",
    "bulkUpdate": "data-migration",
    "bulkInsert": "data-migration",
}


def add_sql(text: str) -> Analysis:
    """MikroORM and Doctrine: migrations are `addSql('…')` calls."""
    analysis = Analysis()
    lo, hi = body_of(text, _JS_UP)
    _embedded_sql(text, re.compile(r"\b(addSql)\s*\("), lo, hi, analysis)
    return analysis


def _embedded_sql(
    text: str, pattern: re.Pattern[str], lo: int, hi: int, analysis: Analysis
) -> None:
    for call in calls(text, pattern, lo, hi):
        _sql_or_raw(call, text, analysis, call.name)


# --- EF Core -------------------------------------------------------------------------

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
        table = _table_kw(call.args) if call.name != "CreateTable" else _first_name(call.args)
        what = f"{call.name}({table})"
        args = call.args
        if call.name == "Sql":
            _sql_or_raw(call, text, analysis, "Sql")
            continue
        rule: str | None = _EF_RULES.get(call.name)
        if call.name == "AddColumn":
            rule = _column_rule(args, r"nullable:\s*true", r"defaultValue(Sql)?:")
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


# --- Liquibase changelogs (XML, YAML, JSON) ---------------------------------------------

_LIQUIBASE = {
    "createTable": "create-table",
    "dropTable": "drop-table",
    "dropColumn": "drop-column",
    "renameColumn": "rename",
    "renameTable": "rename",
    "modifyDataType": "change-column-type",
    "addNotNullConstraint": "set-not-null",
    "createIndex": "blocking-index",
    "addForeignKeyConstraint": "add-foreign-key",
    "addUniqueConstraint": "add-unique-constraint",
    "addPrimaryKey": "add-unique-constraint",
    "dropIndex": "drop-index",
    "dropForeignKeyConstraint": "drop-constraint",
    "dropNotNullConstraint": "drop-constraint",
    "dropUniqueConstraint": "drop-constraint",
    "dropDefaultValue": "drop-constraint",
    "addColumn": "add-nullable-column",
    "delete": "data-migration",
    "update": "data-migration",
}
_LIQUIBASE_CHANGE = re.compile(
    rf"""(?:<|^\s*-\s*|"\s*)({"|".join(_LIQUIBASE)})\b["\s:>/]""", re.MULTILINE
)
_LIQUIBASE_SQL = re.compile(
    r"<sql[^>]*>(.*?)</sql>|^\s*sql:\s*[|>]?-?\s*\n?(.*?)(?=^\s*-\s|\Z)", re.DOTALL | re.MULTILINE
)
_LIQUIBASE_ROLLBACK = re.compile(
    r"<rollback\b.*?</rollback>|^\s*rollback:.*?(?=^\s*-\s*changeSet:|\Z)", re.DOTALL | re.MULTILINE
)


def liquibase(text: str) -> Analysis:
    """Change types of XML/YAML/JSON changelogs (formatted SQL changelogs are SQL files)."""
    analysis = Analysis()
    rollback = [(m.start(), m.end()) for m in _LIQUIBASE_ROLLBACK.finditer(text)]
    for match in _LIQUIBASE_CHANGE.finditer(text):
        if any(a <= match.start() < b for a, b in rollback):
            continue
        change = match.group(1)
        window = text[match.end() : match.end() + 600]
        table = re.search(r"""tableName["']?\s*[:=]\s*["']?(\w+)""", window)
        name = table.group(1).lower() if table else None
        rule = _LIQUIBASE[change]
        if (
            change == "addColumn"
            and re.search(r"""nullable["']?\s*[:=]\s*["']?false""", window)
            and "defaultValue" not in window
        ):
            rule = "add-not-null-column"
        if change in {"delete", "update"} and not re.search(r"<where>|\bwhere:", window):
            rule = "delete-all-rows"
        line = line_at(text, match.start(1))
        analysis.add(rule, line, f"{change}({name or '…'})", name)
        if change == "createTable" and name:
            analysis.created.add(name)
    for match in _LIQUIBASE_SQL.finditer(text):
        body = match.group(1) if match.group(1) is not None else match.group(2)
        start = match.start(1) if match.group(1) is not None else match.start(2)
        if body and body.strip() and not any(a <= start < b for a, b in rollback):
            analysis.sql.append(
                SqlSnippet(body.replace("<![CDATA[", "").replace("]]>", ""), line_at(text, start))
            )
    return analysis


# --- code that runs SQL: Flyway Java/Kotlin, goose Go, node-pg-migrate ----------------------

_EXEC = re.compile(r"\b(execute|executeUpdate|executeQuery|update|Exec|ExecContext|sql)\s*\(")


def sql_in_code(text: str) -> Analysis:
    """Migrations written as code that hands SQL strings to a driver: the strings are
    rated; a migration whose SQL cannot be seen is raw-sql (medium, read it)."""
    analysis = Analysis()
    lo, hi = body_of(text, re.compile(r"\b(?:migrate|Up\w*|up)\s*\(|exports\.up\s*="))
    for call in calls(text, _EXEC, lo, hi):
        _sql_or_raw(call, text, analysis, call.name)
    if not analysis.sql and not analysis.ops:
        analysis.add("raw-sql", 1, "a migration written as code, with no SQL string to read")
    return analysis


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
    lo, hi = body_of(text, _JS_UP)
    for call in calls(text, _PGM, lo, hi):
        table = _first_name(call.args)
        if call.name == "sql":
            _sql_or_raw(call, text, analysis, "pgm.sql")
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
