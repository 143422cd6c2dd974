"""SQL in migrations: split into statements, rate each one.

Postgres goes through squawk (a real linter, see squawk.py) for what it knows,
plus the statement patterns below for what its defaults leave out (DELETE
without WHERE, VACUUM FULL, grants, serial columns). MySQL, SQLite and generic
SQL are parsed with sqlglot and rated from its syntax tree; statements sqlglot
keeps opaque (`Command`) fall back to the same patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.detect.migrations.rules import Op

SQLGLOT_DIALECT = {"postgres": "postgres", "mysql": "mysql", "sqlite": "sqlite", "generic": None}


@dataclass(frozen=True, slots=True)
class Statement:
    line: int  # 1-based, in the snippet
    text: str


class SqlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def split(text: str, dialect: str) -> list[Statement]:
    """Statements with the line each starts on; raises SqlSyntaxError when the text
    cannot even be tokenized (an unterminated string, say)."""
    from app.detect.migrations import sql_tree

    return sql_tree.split(text, dialect)


def _error_line(text: str, message: str) -> int:
    match = re.search(r"Line (\d+)", message)
    return int(match.group(1)) if match else 1


# --- patterns: dialect-neutral, on one statement's text ------------------------------

_FLAGS = re.IGNORECASE | re.DOTALL
_TABLE = r"(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?(?P<table>[\w.\"`]+)"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (rule, re.compile(pattern, _FLAGS))
    for rule, pattern in (
        ("delete-all-rows", r"^\s*TRUNCATE\b"),
        ("delete-all-rows", r"^\s*DELETE\s+FROM\s+[\w.\"`]+\s*$"),
        ("delete-all-rows", r"^\s*UPDATE\s+[\w.\"`]+\s+SET\b(?!.*\bWHERE\b)"),
        ("backfill", r"^\s*UPDATE\s+[\w.\"`]+\s+(?:AS\s+\w+\s+)?SET\b.*\bWHERE\b"),
        ("backfill", r"^\s*DELETE\s+FROM\b.*\bWHERE\b"),
        ("backfill", r"^\s*INSERT\s+INTO\b.*?\bSELECT\b"),
        ("insert-rows", r"^\s*INSERT\s+INTO\b(?!.*\bSELECT\b)"),
        (
            "constraint-not-valid",
            r"\bADD\s+(CONSTRAINT\s+[\w\"`]+\s+)?(FOREIGN\s+KEY\b.*\bNOT\s+VALID|CHECK\b.*\bNOT\s+VALID"
            r"|(UNIQUE|PRIMARY\s+KEY)\s+USING\s+INDEX)\b",
        ),
        ("validate-constraint", r"\bVALIDATE\s+CONSTRAINT\b"),
        ("rename", r"^\s*ALTER\s+TYPE\b.*\bRENAME\s+(VALUE|TO)\b|^\s*ALTER\s+SCHEMA\b.*\bRENAME\b"),
        ("table-rewrite", r"^\s*(VACUUM\s+(\(\s*)?FULL|CLUSTER\b|REINDEX\b(?!.*\bCONCURRENTLY\b))"),
        ("table-rewrite", r"\bDETACH\s+PARTITION\b(?!.*\bCONCURRENTLY\b)"),
        ("access-control", r"^\s*(GRANT|REVOKE)\b|\b(CREATE|ALTER|DROP)\s+POLICY\b"),
        ("access-control", r"\bROW\s+LEVEL\s+SECURITY\b|^\s*ALTER\s+ROLE\b"),
        ("add-column-rewrite", r"\bADD\s+(COLUMN\s+)?[\w\"`]+\s+(BIG|SMALL)?SERIAL\b"),
        ("add-column-rewrite", r"\bADD\s+(COLUMN\s+)?.*\bGENERATED\s+ALWAYS\s+AS\s*\(.*\bSTORED\b"),
        (
            "add-column-rewrite",
            r"\bADD\s+(COLUMN\s+)?.*\bDEFAULT\s+(random|gen_random_uuid|uuid_generate_v4|clock_timestamp|nextval)\s*\(",
        ),
        ("mysql-table-copy", r"\bALGORITHM\s*=\s*COPY\b|\bLOCK\s*=\s*(SHARED|EXCLUSIVE)\b"),
        ("mysql-table-copy", r"^\s*OPTIMIZE\s+TABLE\b|\bCONVERT\s+TO\s+CHARACTER\s+SET\b"),
        ("enum-value", r"^\s*ALTER\s+TYPE\b.*\bADD\s+VALUE\b"),
        ("drop-table", r"^\s*DROP\s+(TABLE|SCHEMA|DATABASE)\b"),
        (
            "drop-column",
            r"^\s*ALTER\s+TABLE\b.*\bDROP\s+(COLUMN\s+)?(?!CONSTRAINT\b|INDEX\b|KEY\b|PRIMARY\b|FOREIGN\b|DEFAULT\b|NOT\b)[\w\"`]+",
        ),
        ("rename", r"^\s*ALTER\s+TABLE\b.*\bRENAME\b|^\s*RENAME\s+TABLE\b"),
        (
            "change-column-type",
            r"\bALTER\s+(COLUMN\s+)?[\w\"`]+\s+(SET\s+DATA\s+)?TYPE\b|\b(MODIFY|CHANGE)\s+(COLUMN\s+)?[\w\"`]+",
        ),
        ("set-not-null", r"\bALTER\s+(COLUMN\s+)?[\w\"`]+\s+SET\s+NOT\s+NULL\b"),
        ("drop-not-null", r"\bALTER\s+(COLUMN\s+)?[\w\"`]+\s+DROP\s+NOT\s+NULL\b"),
        ("drop-constraint", r"\bDROP\s+(CONSTRAINT|DEFAULT|FOREIGN\s+KEY|CHECK)\b"),
        ("blocking-index", r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\b(?!\s+CONCURRENTLY)"),
        ("concurrent-index", r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\b"),
        ("drop-index", r"^\s*DROP\s+INDEX\b(?!\s+CONCURRENTLY)"),
        (
            "add-foreign-key",
            r"\bADD\s+(CONSTRAINT\s+[\w\"`]+\s+)?FOREIGN\s+KEY\b(?!.*\bNOT\s+VALID\b)",
        ),
        (
            "add-check-constraint",
            r"\bADD\s+(CONSTRAINT\s+[\w\"`]+\s+)?CHECK\b(?!.*\bNOT\s+VALID\b)",
        ),
        (
            "add-unique-constraint",
            r"\bADD\s+(CONSTRAINT\s+[\w\"`]+\s+)?(UNIQUE|PRIMARY\s+KEY)\b(?!.*\bUSING\s+INDEX\b)",
        ),
        ("create-table", r"^\s*CREATE\s+(TEMP(ORARY)?\s+|UNLOGGED\s+)?TABLE\b"),
    )
)
# Rules a Postgres statement is checked for beside squawk's own (it leaves these out).
BESIDE_SQUAWK = frozenset(
    {
        "delete-all-rows",
        "backfill",
        "insert-rows",
        "constraint-not-valid",
        "validate-constraint",
        "rename",
        "table-rewrite",
        "access-control",
        "add-column-rewrite",
        "drop-table",
        "create-table",
        "concurrent-index",
    }
)
_CREATE_TABLE = re.compile(
    r"^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<table>[\w.\"`]+)",
    _FLAGS,
)
_TARGET = re.compile(
    rf"^\s*(?:ALTER\s+TABLE\s+{_TABLE}"
    rf"|CREATE\s+(?:UNIQUE\s+)?INDEX\b.*?\bON\s+{_TABLE.replace('table', 'on')}"
    rf"|(?:DELETE\s+FROM|UPDATE|TRUNCATE(?:\s+TABLE)?|INSERT\s+INTO)\s+"
    rf"{_TABLE.replace('table', 'dml')})",
    _FLAGS,
)


_OBJECT = r"(?:FUNCTION|PROCEDURE|VIEW|MATERIALIZED\s+VIEW|TYPE|SEQUENCE|DOMAIN|TRIGGER)"
_DROP_OBJECT = re.compile(
    rf"^\s*DROP\s+{_OBJECT}\s+(?:IF\s+EXISTS\s+)?(?P<object>[\w.\"`]+)", _FLAGS
)
_CREATE_OBJECT = re.compile(
    rf"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?{_OBJECT}\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<object>[\w.\"`]+)",
    _FLAGS,
)


_DEFAULT_EXPR = re.compile(
    r"\bDEFAULT\s+(.+?)(?=\s+(?:NOT\s+NULL|NULL|CONSTRAINT|CHECK|REFERENCES|UNIQUE|PRIMARY|"
    r"GENERATED|COLLATE)\b|\s*[,;]?\s*$)",
    _FLAGS,
)
# Functions whose value is fixed for the statement (immutable or stable): Postgres 11+
# stores such a default once in the catalogue instead of rewriting the table.
_FIXED_FOR_THE_STATEMENT = frozenset(
    {
        "pi", "now", "current_timestamp", "current_date", "current_time", "localtimestamp",
        "localtime", "transaction_timestamp", "statement_timestamp", "lower", "upper", "abs",
        "round", "coalesce", "concat", "length", "to_jsonb", "jsonb_build_object",
        "json_build_object", "jsonb_build_array", "json_build_array", "array", "to_char",
        "date_trunc", "make_interval", "power", "sqrt", "floor", "ceil",
    }
)  # fmt: skip


def fast_default(statement: str) -> bool:
    """Whether an added column's DEFAULT calls only functions fixed for the statement
    (`DEFAULT (PI())`, `DEFAULT now()`): no rewrite on Postgres 11+."""
    match = _DEFAULT_EXPR.search(statement)
    if match is None:
        return False
    called = re.findall(r"([A-Za-z_][\w.]*)\s*\(", match.group(1))
    return all(name.lower().rsplit(".", 1)[-1] in _FIXED_FOR_THE_STATEMENT for name in called)


def table_of(statement: str) -> str | None:
    """The table (or dropped object) a statement works on, normalised."""
    match = _TARGET.search(statement) or _CREATE_TABLE.search(statement)
    match = match or _DROP_OBJECT.search(statement)
    if match is None:
        return None
    name = next(g for g in match.groupdict().values() if g)
    return normalise(name)


def normalise(name: str) -> str:
    return name.strip("\"`'").split(".")[-1].strip("\"`'").lower()


def created_table(statement: str) -> str | None:
    """The table, function, view or type a statement creates."""
    match = _CREATE_TABLE.search(statement) or _CREATE_OBJECT.search(statement)
    return normalise(next(g for g in match.groupdict().values() if g)) if match else None


def pattern_ops(statement: Statement, rules: Iterable[str] | None = None) -> list[Op]:
    """Ops for one statement from the patterns, optionally only for `rules`."""
    wanted = None if rules is None else frozenset(rules)
    found: list[Op] = []
    seen: set[str] = set()
    text = _strip_comments(statement.text)
    for rule, pattern in PATTERNS:
        if (wanted is None or rule in wanted) and rule not in seen and pattern.search(text):
            seen.add(rule)
            found.append(Op(rule, statement.line, _shorten(text), table_of(text)))
    if "create-table" in seen:
        found = [op for op in found if op.rule in {"create-table", "drop-table"}]
    return found


def _strip_comments(text: str) -> str:
    return re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.DOTALL).strip()


def _shorten(text: str, limit: int = 80) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


# --- sqlglot: MySQL, SQLite and generic SQL (sql_tree.py, imported when needed) --------


def sqlglot_ops(statement: Statement, dialect: str) -> list[Op]:
    """Ops from sqlglot's syntax tree; opaque statements go to the patterns."""
    from app.detect.migrations import sql_tree  # sqlglot: 0.15 s to import, needed rarely

    return sql_tree.sqlglot_ops(statement, dialect)
