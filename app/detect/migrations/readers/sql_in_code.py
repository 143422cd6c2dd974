"""Migrations written as code that hands SQL strings to a driver: Flyway Java/Kotlin, goose Go."""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis
from app.detect.migrations.readers.calls import body_of, calls, sql_or_raw

_EXEC = re.compile(r"\b(execute|executeUpdate|executeQuery|update|Exec|ExecContext|sql)\s*\(")


def sql_in_code(text: str) -> Analysis:
    """Migrations written as code that hands SQL strings to a driver: the strings are
    rated; a migration whose SQL cannot be seen is raw-sql (medium, read it)."""
    analysis = Analysis()
    lo, hi = body_of(text, re.compile(r"\b(?:migrate|Up\w*|up)\s*\(|exports\.up\s*="))
    for call in calls(text, _EXEC, lo, hi):
        sql_or_raw(call, text, analysis, call.name)
    if not analysis.sql and not analysis.ops:
        analysis.add("raw-sql", 1, "a migration written as code, with no SQL string to read")
    return analysis
