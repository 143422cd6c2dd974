"""Which files are migrations (every framework, lookalikes not), edits, schema pairing, paths."""

from __future__ import annotations

import pytest

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from app.detect.base import ChangedFile, FileStatus, Kind, Severity
from app.detect.migrations import MigrationSettings
from app.detect.registry import DETECTORS
from tests.detect.helpers import added, rules_for

FRAMEWORK_CASES = [
    (
        "Django",
        "shop/migrations/0042_remove_order_note.py",
        "class Migration(migrations.Migration):\n    operations = []",
    ),
    (
        "Alembic",
        "migrations/versions/3f2a_add_index.py",
        "from alembic import op\nrevision = '3f2a'\ndown_revision = '1b1c'",
    ),
    (
        "Rails",
        "db/migrate/20261101120000_add_sku.rb",
        "class AddSku < ActiveRecord::Migration[7.1]\nend",
    ),
    (
        "Rails",
        "db/post_migrate/20261101120000_drop_x.rb",
        "class DropX < ActiveRecord::Migration[7.1]",
    ),
    ("Flyway", "src/main/resources/db/migration/V12__add_orders.sql", "CREATE TABLE orders();"),
    ("Flyway", "src/main/java/db/migration/V13__Backfill.java", "class V13__Backfill {}"),
    (
        "Liquibase",
        "src/main/resources/db/changelog/db.changelog-master.yaml",
        "databaseChangeLog:\n  - changeSet: {}",
    ),
    ("Prisma", "prisma/migrations/20261101_init/migration.sql", "CREATE TABLE a();"),
    ("Drizzle", "drizzle/0003_steady_hulk.sql", "ALTER TABLE a ADD b int;"),
    ("Knex", "migrations/20261101_users.js", "exports.up = function(knex) {}"),
    (
        "Sequelize",
        "migrations/20261101-create-user.js",
        "module.exports = { up: async (queryInterface) => {} }",
    ),
    (
        "TypeORM",
        "src/migrations/1730000000000-AddUser.ts",
        "export class AddUser implements MigrationInterface {}",
    ),
    (
        "MikroORM",
        "src/migrations/Migration20261101.ts",
        "export class M extends Migration { up() { this.addSql('x') } }",
    ),
    ("golang-migrate", "db/000012_add_index.up.sql", "CREATE INDEX i ON t(a);"),
    ("goose", "migrations/20261101_add.sql", "-- +goose Up\nALTER TABLE t ADD c int;"),
    ("dbmate", "db/migrations/20261101_x.sql", "-- migrate:up\nCREATE TABLE x();"),
    (
        "Ecto",
        "priv/repo/migrations/20261101_add_pageviews.exs",
        "defmodule M do\n  use Ecto.Migration\nend",
    ),
    (
        "Laravel",
        "database/migrations/2026_11_01_000000_create_flights_table.php",
        "return new class extends Migration {}",
    ),
    (
        "EF Core",
        "src/Data/Migrations/20261101_AddBlog.cs",
        "public partial class AddBlog : Migration {}",
    ),
    ("Diesel", "migrations/2026-11-01-000000_create_posts/up.sql", "CREATE TABLE posts();"),
    ("sqlx", "migrations/20261101000000_users.sql", "CREATE TABLE users();"),
    ("Atlas", "migrations/atlas.sum", "h1:abc="),
    ("Sqitch", "deploy/users.sql", "BEGIN; CREATE TABLE users(); COMMIT;"),
]


@pytest.mark.parametrize(("framework", "path", "text"), FRAMEWORK_CASES)
def test_each_framework_migration_is_found(framework: str, path: str, text: str) -> None:
    [finding] = [
        f
        for f in DETECTORS["migrations"].detect([added(path, text)], MigrationSettings())
        if f.rule == "migration.added"
    ]
    assert finding.extra["framework"] == framework
    assert finding.severity >= Severity.LOW  # its worst operation's (test_filelevel.py)
    assert finding.kind == Kind.MIGRATION


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("src/migrations/helpers.js", "export const sleep = () => {}"),  # js, no signature
        ("app/migrations/__init__.py", ""),
        ("src/Migrations/20261101_AddBlog.Designer.cs", "partial class AddBlog : Migration"),
        ("docs/versions/v2.py", "print('not alembic')"),
        ("src/models/user.py", "class User: pass"),
    ],
)
def test_lookalikes_are_not_migrations(path: str, text: str) -> None:
    assert rules_for("migrations", added(path, text)) == []


def test_editing_or_deleting_an_existing_migration_is_high() -> None:
    edited = added(
        "db/migrate/20250101_x.rb", "class X < ActiveRecord::Migration[7.1]", FileStatus.MODIFIED
    )
    removed = ChangedFile(
        path="db/migrate/20250102_y.rb",
        status=FileStatus.REMOVED,
        removed=[(1, "class Y < ActiveRecord::Migration[7.1]")],
    )
    findings = DETECTORS["migrations"].detect([edited, removed], MigrationSettings())
    by_rule = {f.rule: f for f in findings}
    assert by_rule["migration.edited"].severity == Severity.HIGH
    assert by_rule["migration.removed"].severity == Severity.HIGH


def test_schema_without_migration_and_migration_without_schema() -> None:
    assert rules_for("migrations", added("db/schema.rb", "", FileStatus.MODIFIED)) == [
        "migration.schema-changed",
        "migration.schema-without-migration",
    ]
    rules = rules_for("migrations", added("db/migrate/1_x.rb", "class X < ActiveRecord::Migration"))
    assert "migration.migration-without-schema" in rules
    both = rules_for("migrations", added("db/migrate/1_x.rb"), added("db/schema.rb"))
    assert sorted(both) == ["migration.added", "migration.schema-changed"]


def test_unreadable_file_under_an_ambiguous_glob_is_still_a_migration() -> None:
    huge = ChangedFile(
        path="migrations/20261101_big.js", status=FileStatus.ADDED, patch_missing=True
    )
    assert rules_for("migrations", huge) == ["migration.added"]


def test_configured_paths_and_paths_ignore() -> None:
    legacy = added("legacy/sql/patch_17.sql", "UPDATE t SET a = 1;")
    assert rules_for("migrations", legacy) == []
    assert rules_for("migrations", legacy, paths=["legacy/sql/**"]) == [
        "migration.added",
        "migration.delete-all-rows",
    ]
    django = added("vendor/x/migrations/0001_initial.py", "class Migration(migrations.Migration)")
    assert rules_for("migrations", django, paths_ignore=["vendor/**"]) == []
