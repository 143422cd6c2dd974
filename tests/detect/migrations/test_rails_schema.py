"""A Rails change_column rated against db/schema.rb at the base commit.

The schema and migrations are ours, in the shapes Rails dumps and generates.
"""

from __future__ import annotations

import pytest

from app.detect.base import ChangedFile, FileStatus, Severity
from app.detect.migrations import MigrationsDetector, MigrationSettings
from app.detect.migrations.context import base_paths_wanted

SCHEMA = """\
ActiveRecord::Schema[7.1].define(version: 2026_11_01_000000) do
  create_table "attachments", force: :cascade do |t|
    t.string "digest", limit: 40, default: "", null: false
    t.integer "filesize", default: 0, null: false
    t.string "title"
    t.decimal "price", precision: 10, scale: 2
  end

  create_table "documents", force: :cascade do |t|
    t.string "digest", limit: 64
  end
end
"""


def _change(
    line: str, base: dict[str, str] | None, path: str = "db/migrate/2026_x.rb"
) -> ChangedFile:
    text = f"class M < ActiveRecord::Migration[7.1]\n  def up\n    {line}\n  end\nend\n"
    return ChangedFile(
        path=path,
        status=FileStatus.ADDED,
        added=list(enumerate(text.split("\n"), start=1)),
        base_loader=base.get if base is not None else None,
    )


BASE = {"db/schema.rb": SCHEMA}


def _rules(line: str, base: dict[str, str] | None = BASE) -> dict[str, Severity]:
    found = MigrationsDetector().detect([_change(line, base)], MigrationSettings())
    return {f.rule.removeprefix("migration."): f.severity for f in found if f.line == 3}


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (
            "change_column :attachments, :digest, :string, limit: 64, default: '', null: false",
            "widen-column",
        ),
        ("change_column :attachments, :digest, :string, :limit => nil", "widen-column"),
        ("change_column :attachments, :title, :text", "widen-column"),
        ("change_column :attachments, :price, :decimal, precision: 12, scale: 2", "widen-column"),
        ("change_column :attachments, :digest, :string, limit: 32", "change-column-type"),
        ("change_column :attachments, :filesize, :bigint", "change-column-type"),
        ("change_column :attachments, :filesize, :integer, limit: 8", "change-column-type"),
        ("change_column :attachments, :missing, :text", "change-column-type"),
    ],
)
def test_change_column_against_the_schema(line: str, rule: str) -> None:
    found = _rules(line)
    assert rule in found
    other = "change-column-type" if rule == "widen-column" else "widen-column"
    assert other not in found


def test_null_false_on_a_nullable_column_is_set_not_null_too() -> None:
    found = _rules("change_column :attachments, :title, :text, null: false")
    assert found["widen-column"] == Severity.INFO
    assert found["set-not-null"] == Severity.HIGH


def test_without_schema_rb_it_stays_high_and_a_missing_column_says_why() -> None:
    assert _rules("change_column :attachments, :title, :text", base=None) == {
        "change-column-type": Severity.HIGH
    }
    found = MigrationsDetector().detect(
        [_change("change_column :attachments, :missing, :text", {"db/schema.rb": SCHEMA})],
        MigrationSettings(),
    )
    [typed] = [f for f in found if f.rule == "migration.change-column-type"]
    assert "not in db/schema.rb" in typed.message


def test_the_app_asks_for_schema_rb_beside_the_migrations() -> None:
    changed = _change("change_column :a, :b, :text", None, path="engines/billing/db/migrate/1_x.rb")
    assert base_paths_wanted(changed, {}) == ["engines/billing/db/schema.rb"]
    assert base_paths_wanted(changed, {"engines/billing/db/schema.rb": None}) == []
    assert base_paths_wanted(_change("add_column :a, :b, :text", None), {}) == []


def test_a_widened_column_is_in_place_on_postgres_only() -> None:
    line = "change_column :attachments, :title, :text"
    changed = _change(line, BASE)
    [typed] = [
        f
        for f in MigrationsDetector().detect([changed], MigrationSettings(dialect="mysql"))
        if f.line == 3 and "column" in f.rule
    ]
    assert typed.rule == "migration.change-column-type"
    assert typed.severity == Severity.HIGH
    assert "mysql" in typed.message
