"""New migration files, and what the migrations detector finds in them.

The migrations in this folder are ours, written after the shapes real projects use
(the cases in squawk's, strong_migrations' and django-migration-linter's suites);
bench/bench_migrations.py measures the same code on real migrations others wrote.
"""

from __future__ import annotations

import textwrap

from app.detect.base import ChangedFile, FileStatus, Finding
from app.detect.migrations import MigrationsDetector, MigrationSettings

SQL = "db/migrations/V1__x.sql"  # a Flyway file: any SQL a test wants rated


def new_file(path: str, text: str) -> ChangedFile:
    text = textwrap.dedent(text).lstrip("\n")
    lines = list(enumerate(text.splitlines(), start=1))
    return ChangedFile(path=path, status=FileStatus.ADDED, added=lines, additions=len(lines))


def detect(*files: ChangedFile, dialect: str = "postgres") -> list[Finding]:
    return MigrationsDetector().detect(list(files), MigrationSettings(dialect=dialect))  # type: ignore[arg-type]


def ops(path: str, text: str, dialect: str = "postgres") -> set[tuple[str, int | None]]:
    """(rule, line) of every operation finding, without the "migration." prefix."""
    return {
        (f.rule.removeprefix("migration."), f.line)
        for f in detect(new_file(path, text), dialect=dialect)
        if f.line is not None
    }


def rules(path: str, text: str, dialect: str = "postgres") -> set[str]:
    return {rule for rule, _ in ops(path, text, dialect)}


def django_ops(operation: str, atomic: bool = True) -> set[str]:
    text = (
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        + ("" if atomic else "    atomic = False\n")
        + f"    operations = [\n        {operation},\n    ]\n"
    )
    return rules("app/migrations/0002_x.py", text)
