"""Rollbacks: which files are one, and which migrations have no way back.

A migration's way back is its framework's business: the readers say it for Rails,
Django and Alembic. SQL migrations keep theirs beside them: a down section in the
same file (goose, dbmate, sql-migrate, Play) or a down.sql next to the up.sql
(golang-migrate, Diesel, Hasura).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from app.detect.base import ChangedFile, FileStatus
from app.detect.globs import compiled
from app.detect.migrations.analysis import Analysis, SqlSnippet

# Rollback scripts: what they do runs only when a deploy is undone.
DOWN_FILES = compiled(("**/*.down.sql", "**/down.sql", "**/revert/*.sql", "**/U[0-9]*__*.sql"))
# Up/down sections inside one SQL file (goose, dbmate, sql-migrate, Play).
_DOWN_MARKER = re.compile(
    r"^\s*(--\s*\+goose\s+Down|--\s*migrate:down|--\s*\+migrate\s+Down|#\s*---\s*!Downs)",
    re.MULTILINE | re.IGNORECASE,
)
_UP_MARKER = re.compile(
    r"^\s*(--\s*\+goose\s+Up|--\s*migrate:up|--\s*\+migrate\s+Up|#\s*---\s*!Ups)",
    re.MULTILINE | re.IGNORECASE,
)
_UP_FILE = re.compile(r"(\.|/|^)up\.sql$")
_NO_WAY_BACK = "a rollback changes nothing back"


def sql_file(text: str) -> Analysis:
    """A SQL migration: its forward part to rate, and whether its down part is missing."""
    down = _DOWN_MARKER.search(text)
    analysis = Analysis(sql=[SqlSnippet(text[: down.start()] if down else text, 1)])
    up = _UP_MARKER.search(text)
    if up is not None and (down is None or not _has_statements(text[down.end() :])):
        line = text.count("\n", 0, up.start()) + 1
        what = "an up section with no down" if down is None else "an empty down section"
        analysis.add("irreversible", line, what, None, _NO_WAY_BACK)
    return analysis


def unpaired_ups(
    analysed: Iterable[tuple[ChangedFile, Analysis]], files: Sequence[ChangedFile]
) -> None:
    """A new up.sql whose down.sql the change does not add (or adds empty)."""
    by_path = {changed.path: changed for changed in files}
    for changed, analysis in analysed:
        if changed.status != FileStatus.ADDED or not _UP_FILE.search(changed.path):
            continue
        down_path = changed.path[: -len("up.sql")] + "down.sql"
        down = by_path.get(down_path)
        if down is not None and _has_statements("\n".join(line for _, line in down.added)):
            continue
        name = down_path.rsplit("/", 1)[-1]
        what = f"no {name}" if down is None else f"an empty {name}"
        analysis.add("irreversible", 1, what, None, _NO_WAY_BACK)


def _has_statements(sql: str) -> bool:
    """Whether SQL holds anything but comments and blank space."""
    return bool(re.sub(r"--[^\n]*|/\*.*?\*/|\s+", "", sql, flags=re.DOTALL))
