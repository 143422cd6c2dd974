"""Severity is honest (new tables, edits, large tables, messages); bad input is a
finding, never a crash; squawk runs once per diff.
"""

from __future__ import annotations

import subprocess

import pytest

from app.detect.base import ChangedFile, FileStatus, Severity
from app.detect.migrations import MigrationsDetector, MigrationSettings, squawk
from tests.detect.migrations.helpers import SQL, detect, new_file, rules


def test_operations_on_a_table_created_in_the_same_migration_are_low() -> None:
    found = detect(
        new_file(
            SQL,
            """
            CREATE TABLE coupons (id bigint PRIMARY KEY, code text);
            CREATE INDEX coupons_code ON coupons (code);
            CREATE INDEX users_email ON users (email);
            """,
        )
    )
    index = {f.line: f for f in found if f.rule == "migration.blocking-index"}
    assert index[2].severity == Severity.LOW
    assert "created in this migration" in index[2].message
    assert index[3].severity == Severity.HIGH


def test_an_edited_migration_rates_only_the_lines_the_edit_wrote() -> None:
    text = "ALTER TABLE a DROP COLUMN x;\nALTER TABLE b DROP COLUMN y;\n"
    edited = ChangedFile(
        path=SQL,
        status=FileStatus.MODIFIED,
        added=[(2, "ALTER TABLE b DROP COLUMN y;")],
        removed=[(2, "ALTER TABLE b ADD COLUMN y int;")],
        head_loader=lambda _path: text,
    )
    found = {(f.rule, f.line) for f in detect(edited)}
    assert ("migration.edited", None) in found
    assert ("migration.drop-column", 2) in found
    assert ("migration.drop-column", 1) not in found


def test_messages_say_what_breaks_and_the_safer_way() -> None:
    [finding] = [
        f
        for f in detect(new_file(SQL, "CREATE INDEX i ON users (age);\n"))
        if f.rule == "migration.blocking-index"
    ]
    assert "blocks writes" in finding.message
    assert "CONCURRENTLY" in finding.message
    assert finding.extra["operation"] == "CREATE INDEX i ON users (age)"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("app/migrations/0002_x.py", "class Migration(migrations.Migration:\n    operations = ["),
        ("migrations/versions/abc.py", "from alembic import op\ndef upgrade(:\n"),
        (SQL, "SELECT 'unterminated;\n"),
    ],
)
def test_malformed_migrations_are_medium_findings(path: str, text: str) -> None:
    found = detect(new_file(path, text))
    [unparsable] = [f for f in found if f.rule == "migration.unparsable"]
    assert unparsable.severity == Severity.MEDIUM
    assert unparsable.line is not None


def test_without_squawk_postgres_falls_back_to_sqlglot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(squawk, "binary", lambda: None)
    assert {"drop-column", "blocking-index"} <= rules(
        SQL, "ALTER TABLE users DROP COLUMN age;\nCREATE INDEX i ON users (x);\n"
    )


def test_squawk_runs_once_for_the_whole_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[list[str]] = []
    real = subprocess.run

    def counting(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        runs.append(args)
        return real(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(subprocess, "run", counting)
    files = [new_file(f"db/migrations/V{i}__x.sql", f"DROP TABLE t{i};\n") for i in range(5)]
    found = detect(*files)
    assert len(runs) == 1
    assert sum(f.rule == "migration.drop-table" for f in found) == 5


def test_large_tables_raise_the_severity_one_level() -> None:
    sql = "CREATE INDEX i ON orders (sku);\nDROP INDEX j;\nCREATE INDEX k ON carts (sku);\n"
    settings = MigrationSettings(large_tables=["orders"])
    found = MigrationsDetector().detect([new_file(SQL, sql)], settings)
    by_line = {f.line: f for f in found if f.rule == "migration.blocking-index"}
    assert by_line[1].severity == Severity.CRITICAL
    assert "large_tables" in by_line[1].message
    assert by_line[3].severity == Severity.HIGH
