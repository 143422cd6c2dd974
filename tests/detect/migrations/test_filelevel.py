"""A migration file's own finding says what the file does: a new migration is as
grave as its worst operation, an applied one that was only reformatted is info."""

from __future__ import annotations

import difflib
import textwrap

import pytest

from app.detect.base import ChangedFile, FileStatus, Finding, Severity
from app.detect.migrations.detector import MigrationSettings
from app.detect.registry import DETECTORS
from tests.detect.helpers import added


def _detect(*files: ChangedFile) -> list[Finding]:
    return DETECTORS["migrations"].detect(list(files), MigrationSettings())


def _file_finding(*files: ChangedFile) -> Finding:
    own = ("migration.added", "migration.edited", "migration.lint-only")
    [finding] = [f for f in _detect(*files) if f.rule in own]
    return finding


def edited(path: str, base: str, head: str) -> ChangedFile:
    """A modified file as git shows it: the head's lines that are new, both sides whole."""
    old, new = base.split("\n"), head.split("\n")
    lines = []
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if tag in ("replace", "insert"):
            lines += [(n + 1, new[n]) for n in range(j1, j2)]
    return ChangedFile(
        path=path,
        status=FileStatus.MODIFIED,
        added=lines,
        additions=len(lines),
        deletions=1,
        base_loader=lambda _p: base,
        head_loader=lambda _p: head,
    )


CREATE_ONLY = "CREATE TABLE audit_events (id bigint PRIMARY KEY, body jsonb);\n"
DROPS = "CREATE TABLE t (id int);\nALTER TABLE users DROP COLUMN legacy_email;\n"


def test_a_create_table_only_migration_is_low() -> None:
    finding = _file_finding(added("db/migrate/V3__audit.sql", CREATE_ONLY))
    assert finding.rule == "migration.added"
    assert finding.severity == Severity.LOW
    assert "every operation in it is safe" in finding.message


def test_a_new_migration_is_as_grave_as_its_worst_operation() -> None:
    finding = _file_finding(added("db/migrate/V4__drop.sql", DROPS))
    assert finding.severity == Severity.CRITICAL
    assert finding.message.endswith("its worst operation is critical: drop-column at line 2")


def test_a_new_migration_nothing_could_rate_stays_medium() -> None:
    unread = ChangedFile(path="db/migrate/V5__x.sql", status=FileStatus.ADDED, patch_missing=True)
    finding = _file_finding(unread)
    assert finding.severity == Severity.MEDIUM


DJANGO = textwrap.dedent(
    """\
    from django.db import migrations, models
    import uuid


    class Migration(migrations.Migration):
        dependencies = [("shop", "0001_initial")]
        operations = [
            migrations.AddField("order", "note", models.TextField(null=True)),
        ]
    """
)
DJANGO_SORTED = textwrap.dedent(
    """\
    import uuid

    from django.db import migrations, models

    # reformatted by isort and black
    class Migration(migrations.Migration):
        dependencies = [
            ("shop", "0001_initial"),
        ]
        operations = [
            migrations.AddField(
                "order", "note", models.TextField(null=True)
            ),
        ]
    """
)
DJANGO_CHANGED = DJANGO.replace("null=True", "null=False, default=''")


def test_an_applied_migration_only_reformatted_is_lint_only() -> None:
    path = "shop/migrations/0002_order_note.py"
    finding = _file_finding(edited(path, DJANGO, DJANGO_SORTED))
    assert finding.rule == "migration.lint-only"
    assert finding.severity == Severity.INFO


def test_an_applied_migration_whose_operation_changed_is_still_high() -> None:
    path = "shop/migrations/0002_order_note.py"
    finding = _file_finding(edited(path, DJANGO, DJANGO_CHANGED))
    assert finding.rule == "migration.edited"
    assert finding.severity == Severity.HIGH


@pytest.mark.parametrize(
    ("path", "base", "head", "rule"),
    [
        (
            "db/migrate/20261101_add_note.rb",
            "class AddNote < ActiveRecord::Migration[7.1]\n  def change\n"
            "    add_column :orders, :note, :text\n  end\nend\n",
            "# frozen_string_literal: true\n\nclass AddNote < ActiveRecord::Migration[7.1]\n"
            "  def change\n    add_column   :orders, :note, :text\n  end\nend\n",
            "migration.lint-only",
        ),
        (
            "db/migrations/V7__note.sql",
            "ALTER TABLE orders ADD COLUMN note text;\n",
            "-- adds a note\nALTER TABLE orders\n  ADD COLUMN note text;\n",
            "migration.edited",  # statements re-wrapped across lines: not line-equal, stay safe
        ),
        (
            "db/migrations/V8__note.sql",
            "ALTER TABLE orders ADD COLUMN note text;\n",
            "-- adds a note\n\nALTER TABLE  orders ADD COLUMN note text;\n",
            "migration.lint-only",
        ),
        (
            "db/migrate/20261101_add_note.rb",
            "class AddNote < ActiveRecord::Migration[7.1]\n  def change\n"
            "    add_column :orders, :note, :text\n  end\nend\n",
            "class AddNote < ActiveRecord::Migration[7.1]\n  def change\n"
            "    add_column :orders, :note, :string\n  end\nend\n",
            "migration.edited",
        ),
    ],
)
def test_other_frameworks_compare_code_lines(path: str, base: str, head: str, rule: str) -> None:
    assert _file_finding(edited(path, base, head)).rule == rule


@pytest.mark.parametrize(
    ("path", "base", "head"),
    [
        # the second line of a wrapped SELECT starts with `*`: code, not a comment
        (
            "db/migrations/V9__copy.sql",
            "INSERT INTO a SELECT\n* FROM b;\n",
            "INSERT INTO a SELECT\n* FROM c;\n",
        ),
        # a statement after a block comment's end is code
        (
            "db/migrations/V9__drop.sql",
            "/* note\n*/ SELECT 1;\n",
            "/* note\n*/ DROP TABLE users;\n",
        ),
        # spacing inside a string literal is data
        ("db/migrations/V9__data.sql", "UPDATE t SET a = 'x y';\n", "UPDATE t SET a = 'x  y';\n"),
        # a semicolon ends a statement
        ("db/migrations/V9__semi.sql", "SELECT 1;\nSELECT 2;\n", "SELECT 1\nSELECT 2;\n"),
    ],
)
def test_code_that_looks_like_comments_or_spacing_is_still_an_edit(
    path: str, base: str, head: str
) -> None:
    assert _file_finding(edited(path, base, head)).rule == "migration.edited"


def test_block_comments_and_sql_line_comments_are_set_aside() -> None:
    base = "ALTER TABLE orders ADD COLUMN note text;\n"
    head = "/* adds\n   a note */\n-- ticket 42\nALTER TABLE orders ADD COLUMN note text;\n"
    assert _file_finding(edited("db/migrations/V9__note.sql", base, head)).rule == (
        "migration.lint-only"
    )


def test_an_edit_whose_base_cannot_be_read_is_never_lint_only() -> None:
    changed = edited("shop/migrations/0002_order_note.py", DJANGO, DJANGO_SORTED)
    changed.base_loader = None
    assert _file_finding(changed).rule == "migration.edited"


def _dba_required(*files: ChangedFile) -> bool:
    from app.detect.registry import run_detectors
    from app.policy.evaluate import evaluate
    from app.policy.facts import PullFacts
    from app.policy.loading import default_config

    config = default_config().config
    findings = run_detectors(list(files), config.detectors.by_name())
    decision = evaluate(config, list(files), findings, PullFacts(author="dev"))
    [dba] = [role for role in decision.roles if role.key == "dba"]
    return dba.required


def test_the_default_dba_role_skips_reformatted_and_test_app_migrations() -> None:
    """From the apps' noise run: Mailman's alembic files reformatted in three releases,
    wagtail's test app gaining a migration, each called the DBA for nothing."""
    path = "shop/migrations/0002_order_note.py"
    assert not _dba_required(edited(path, DJANGO, DJANGO_SORTED))
    test_app = added("wagtail/test/testapp/migrations/0060_cluster.py", DJANGO_CHANGED)
    [finding] = [f for f in _detect(test_app) if f.rule == "migration.added"]
    assert finding.severity == Severity.INFO
    assert finding.message.endswith("(in tests, examples or docs: info)")
    assert not _dba_required(test_app)
    assert _dba_required(added(path, DJANGO_CHANGED))
    assert _dba_required(edited(path, DJANGO, DJANGO_CHANGED))
