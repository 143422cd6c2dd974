"""Liquibase changelogs (XML, YAML, JSON): change types and their `sql` (rollbacks skipped)."""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.readers.calls import line_at

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
    "dropNotNullConstraint": "drop-not-null",
    "dropUniqueConstraint": "drop-constraint",
    "dropDefaultValue": "drop-constraint",
    "addColumn": "add-nullable-column",
    "delete": "backfill",
    "update": "backfill",
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
