"""Postgres SQL through squawk (squawk-cli on PyPI, Apache-2.0/MIT), in batches.

squawk is a native binary: every snippet of a diff is written to one temporary
directory and linted in a single run, so a PR with 500 migrations costs one
process start, not 500. This is the one place the detectors leave the
interpreter; it is still a pure function of the SQL (no network, no repository
files), and when the binary is missing or fails, `lint` returns None and the
caller falls back to sqlglot and the statement patterns.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Opt-in rules worth having: they catch locks and access changes.
INCLUDE = (
    "prefer-repack",
    "require-concurrent-reindex",
    "require-concurrent-partition-detach",
    "ban-create-policy",
    "ban-revoke",
    "ban-alter-row-level-security",
)
TIMEOUT_SECONDS = 60.0

# squawk rule -> our unified rule (rules.py). Unknown rules become "sql-lint".
RULE_MAP: dict[str, str] = {
    "ban-drop-table": "drop-table",
    "ban-drop-database": "drop-table",
    "ban-drop-schema": "drop-table",
    "ban-drop-column": "drop-column",
    "ban-truncate-cascade": "delete-all-rows",
    "changing-column-type": "change-column-type",
    "adding-required-field": "add-not-null-column",
    "adding-field-with-default": "add-column-rewrite",
    "adding-serial-primary-key-field": "add-unique-constraint",
    "adding-not-nullable-field": "set-not-null",
    "renaming-column": "rename",
    "renaming-table": "rename",
    "renaming-object": "rename",
    "require-concurrent-index-creation": "blocking-index",
    "adding-foreign-key-constraint": "add-foreign-key",
    "constraint-missing-not-valid": "add-check-constraint",
    "disallowed-unique-constraint": "add-unique-constraint",
    "prefer-repack": "table-rewrite",
    "require-concurrent-reindex": "table-rewrite",
    "require-concurrent-partition-detach": "table-rewrite",
    "require-concurrent-index-deletion": "drop-index",
    "ban-drop-not-null": "drop-not-null",
    "ban-drop-constraint": "drop-constraint",
    "ban-drop-default": "drop-constraint",
    "ban-concurrent-index-creation-in-transaction": "concurrently-in-transaction",
    "ban-create-policy": "access-control",
    "ban-revoke": "access-control",
    "ban-alter-row-level-security": "access-control",
    "require-enum-value-ordering": "enum-value",
    "ban-add-enum-value": "enum-value",
    "require-lock-timeout": "lock-timeout",
    "require-statement-timeout": "",  # dropped: lock-timeout says it once
    "ban-drop-function": "drop-object",
    "ban-drop-view": "drop-object",
    "ban-drop-type": "drop-object",
    "ban-drop-sequence": "drop-object",
    "ban-drop-domain": "drop-object",
    "ban-drop-extension": "drop-object",
    "ban-drop-trigger": "drop-object",
    "transaction-nesting": "sql-lint",
    "ban-uncommitted-transaction": "sql-lint",
    "prefer-robust-stmts": "not-idempotent",
    "prefer-bigint-over-int": "hygiene",
    "prefer-bigint-over-smallint": "hygiene",
    "prefer-identity": "hygiene",
    "prefer-text-field": "hygiene",
    "prefer-timestamptz": "hygiene",
    "ban-char-field": "hygiene",
    "identifier-too-long": "hygiene",
    "syntax-error": "unparsable",
}


@dataclass(frozen=True, slots=True)
class SquawkFinding:
    line: int  # 1-based, in the snippet
    rule: str  # squawk's name
    message: str


def binary() -> str | None:
    """squawk next to this interpreter (the venv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("squawk")
    return str(beside) if beside.exists() else shutil.which("squawk")


def lint(snippets: Sequence[str]) -> list[list[SquawkFinding]] | None:
    """squawk's findings for each snippet, in one run; None if squawk cannot run."""
    if not snippets:
        return []
    exe = binary()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="release-roles-squawk-") as tmp:
        paths = []
        for index, sql in enumerate(snippets):
            path = Path(tmp, f"{index}.sql")
            path.write_text(sql, encoding="utf-8")
            paths.append(str(path))
        try:
            done = subprocess.run(
                [exe, "--reporter", "json", "--include", ",".join(INCLUDE), *paths],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
            entries = json.loads(done.stdout or "[]")
        except (OSError, subprocess.TimeoutExpired, ValueError):
            return None
    if not isinstance(entries, list):
        return None
    out: list[list[SquawkFinding]] = [[] for _ in snippets]
    for entry in entries:
        index = int(Path(entry["file"]).stem)
        message = entry.get("message") or ""
        out[index].append(SquawkFinding(int(entry["line"]) + 1, entry["rule_name"], message))
    return out
