"""Safe recipes that span the migrations of one pull request.

Postgres 12+ sets NOT NULL without scanning the table when a validated
`CHECK (column IS NOT NULL)` already proves it. The recipe is spread over
migrations — the check added NOT VALID, validated, then the column set NOT NULL —
so a SET NOT NULL is lowered only when the same pull request adds that check and
validates it (a check from an earlier pull request is not seen: it stays high).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from app.detect.base import Finding, Severity

_SQL_CHECK = re.compile(
    r"""ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?["`]?(?:\w+\.)?(?P<table>\w+)["`]?\s+"""
    r"""ADD\s+CONSTRAINT\s+["`]?(?P<name>\w+)["`]?\s+CHECK\s*\(\s*["`]?(?P<column>\w+)["`]?"""
    r"""\s+IS\s+NOT\s+NULL\s*\)""",
    re.IGNORECASE,
)
_RAILS_CHECK = re.compile(
    r"""add_check_constraint\s*\(?\s*:?["']?(?P<table>\w+)["']?\s*,\s*["'](?P<column>\w+)"""
    r"""\s+IS\s+NOT\s+NULL["'].*?name:\s*["'](?P<name>\w+)["']""",
    re.IGNORECASE,
)
_VALIDATED = re.compile(
    r"""VALIDATE\s+CONSTRAINT\s+["`]?(?P<sql>\w+)|validate_(?:check_)?constraint\b.*?"""
    r"""name:\s*["'](?P<rails>\w+)["']""",
    re.IGNORECASE,
)
_SET_NOT_NULL = re.compile(
    r"""ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?["`]?(?:\w+\.)?(?P<table>\w+)["`]?.*?"""
    r"""ALTER\s+(?:COLUMN\s+)?["`]?(?P<column>\w+)["`]?\s+SET\s+NOT\s+NULL"""
    r"""|change_column_null\s*\(?\s*:?["']?(?P<rtable>\w+)["']?\s*,\s*:?["']?(?P<rcolumn>\w+)""",
    re.IGNORECASE,
)


def proven_not_null(texts: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(table, column) pairs a validated NOT NULL check of these migrations proves, with
    the migration that adds the check; `texts` are (path, text) pairs."""
    checks: dict[str, tuple[str, str, str]] = {}  # constraint name -> table, column, path
    validated: set[str] = set()
    for path, text in texts:
        for match in (*_SQL_CHECK.finditer(text), *_RAILS_CHECK.finditer(text)):
            name = match.group("name").lower()
            checks[name] = (match.group("table").lower(), match.group("column").lower(), path)
        for match in _VALIDATED.finditer(text):
            validated.add((match.group("sql") or match.group("rails")).lower())
    return {
        (table, column): path for name, (table, column, path) in checks.items() if name in validated
    }


def lower_proven(findings: Sequence[Finding], proven: dict[tuple[str, str], str]) -> list[Finding]:
    """SET NOT NULL findings whose column a validated check proves: low, with why."""
    out = []
    for finding in findings:
        target = _target(finding) if finding.rule == "migration.set-not-null" else None
        where = proven.get(target) if target is not None else None
        if target is not None and where is not None:
            note = (
                f" (a validated CHECK ({target[1]} IS NOT NULL) from {where} proves it: "
                "Postgres 12+ sets NOT NULL without scanning)"
            )
            finding = replace(finding, severity=Severity.LOW, message=finding.message + note)
        out.append(finding)
    return out


def _target(finding: Finding) -> tuple[str, str] | None:
    match = _SET_NOT_NULL.search(str(finding.extra.get("operation", "")))
    if match is None:
        return None
    table = match.group("table") or match.group("rtable")
    column = match.group("column") or match.group("rcolumn")
    return table.lower(), column.lower()
