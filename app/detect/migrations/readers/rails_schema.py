"""A Rails `change_column` rated against the column as db/schema.rb has it at the base.

schema.rb is the app's whole schema as Rails dumps it after every migration: one
`create_table "name"` block per table, one `t.<type> "column", limit: …` line per
column. With the old column known, a varchar widened or turned into text is
`widen-column` (Postgres rewrites nothing); anything else stays a type change.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.detect.migrations.types import ColumnType

Reader = Callable[[str], str | None]

# Rails column types by the column Postgres gives them.
_TYPES = {"string": "varchar", "text": "text", "integer": "integer", "bigint": "bigint",
          "decimal": "numeric", "numeric": "numeric"}  # fmt: skip
_TABLE = re.compile(r"""^\s*create_table\s+["'](?P<table>[\w.]+)["'].*?\bdo\b""")
_OPTION = r"""\b{name}:\s*(?P<value>\d+|nil)"""


def schema_path(migration: str) -> str:
    """db/schema.rb beside the migration's db/migrate (an engine's own too)."""
    folder = migration.rpartition("/")[0]  # …/db/migrate
    db = folder.rpartition("/")[0]
    return f"{db}/schema.rb" if db else "schema.rb"


def old_column(schema: str, table: str, column: str) -> tuple[ColumnType, bool] | None:
    """The column's type and whether it is NOT NULL, as schema.rb dumps it."""
    inside = False
    for line in schema.split("\n"):
        start = _TABLE.match(line)
        if start is not None:
            inside = start.group("table").rsplit(".", 1)[-1] == table
            continue
        if not inside:
            continue
        if re.match(r"^\s*end\b", line):
            return None
        found = re.match(rf"""^\s*t\.(\w+)\s+["']{re.escape(column)}["'](.*)$""", line)
        if found is not None:
            return column_type(found.group(1), found.group(2)), "null: false" in found.group(2)
    return None


def column_type(kind: str, options: str) -> ColumnType:
    """A Rails column type with its options (limit:, precision:, scale:) as a ColumnType."""
    name = _TYPES.get(kind, kind)
    if name == "integer" and _number(options, "limit") == 8:
        name = "bigint"
    if name == "varchar":
        return ColumnType(name, _number(options, "limit"))
    if name == "numeric":
        return ColumnType(name, _number(options, "precision"), _number(options, "scale"))
    return ColumnType(name)


def _number(options: str, name: str) -> int | None:
    found = re.search(_OPTION.format(name=name), options)
    return int(found.group("value")) if found and found.group("value") != "nil" else None
