"""SQL migrations (every SQL framework), changelogs, and SQL strings inside code."""

from __future__ import annotations

import pytest

from app.detect.base import Severity
from tests.detect.migrations.helpers import SQL, detect, django_ops, new_file, ops, rules

SQL_FRAMEWORKS = [
    ("Flyway", "src/main/resources/db/migration/V7__users_age.sql"),
    ("Prisma", "prisma/migrations/20261101000000_age/migration.sql"),
    ("golang-migrate", "db/migrations/000007_age.up.sql"),
    ("Diesel", "migrations/2026-11-01-000000_age/up.sql"),
    ("sqlx", "migrations/20261101000000_age.sql"),
    ("Sqitch", "deploy/age.sql"),
    ("Supabase", "supabase/migrations/20261101000000_age.sql"),
]


@pytest.mark.parametrize(("framework", "path"), SQL_FRAMEWORKS)
def test_sql_frameworks(framework: str, path: str) -> None:
    found = detect(new_file(path, "ALTER TABLE users ADD COLUMN age integer NOT NULL;\n"))
    [added] = [f for f in found if f.rule == "migration.added"]
    assert added.extra["framework"] == framework
    assert ("migration.add-not-null-column", 1) in {(f.rule, f.line) for f in found}


def test_drizzle_statement_breakpoints() -> None:
    found = ops(
        "drizzle/0004_tidy_users.sql",
        """
        ALTER TABLE "users" DROP COLUMN "nickname";--> statement-breakpoint
        CREATE INDEX "users_email_idx" ON "users" USING btree ("email");
        """,
    )
    assert {("drop-column", 1), ("blocking-index", 2)} <= found


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "db/migrations/20261101_x.sql",
            "-- +goose Up\nDROP TABLE a;\n-- +goose Down\nDROP TABLE b;\n",
        ),
        (
            "db/migrations/20261101_y.sql",
            "-- migrate:up\nDROP TABLE a;\n\n-- migrate:down\nDROP TABLE b;\n",
        ),
    ],
)
def test_goose_and_dbmate_rate_the_up_section_only(path: str, text: str) -> None:
    assert [line for rule, line in ops(path, text) if rule == "drop-table"] == [2]


@pytest.mark.parametrize("path", ["db/migrations/000007_age.down.sql", "revert/age.sql"])
def test_rollback_scripts_are_found_but_not_rated(path: str) -> None:
    assert ops(path, "DROP TABLE users;\n") == set()


def test_backtick_sql_in_a_postgres_project_is_read_as_mysql() -> None:
    op = "migrations.RunSQL('ALTER TABLE `t` ADD FULLTEXT INDEX `i` (`c`)', 'SELECT 1')"
    assert "unparsable" not in django_ops(op)


def test_a_function_dropped_and_created_again_is_a_replacement() -> None:
    sql = "DROP FUNCTION IF EXISTS f;\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\n"
    [drop] = [f for f in detect(new_file(SQL, sql)) if f.rule == "migration.drop-object"]
    assert drop.severity == Severity.LOW


def test_renaming_an_index_is_not_a_breaking_rename() -> None:
    assert "rename" not in rules(SQL, "ALTER INDEX users_age_idx RENAME TO users_age_v1;\n")
    assert "rename" in rules(SQL, "ALTER TABLE users RENAME TO people;\n")


def test_mysql_fulltext_index_blocks_writes() -> None:
    sql = "ALTER TABLE posts ADD FULLTEXT INDEX ft_body (body);\n"
    assert "blocking-index" in rules(SQL, sql, dialect="mysql")


def test_liquibase_xml_changesets_and_their_sql() -> None:
    found = ops(
        "src/main/resources/db/changelog/db.changelog-2026.xml",
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
            <changeSet id="7" author="dana">
                <dropColumn tableName="users" columnName="legacy"/>
                <addNotNullConstraint tableName="users" columnName="email"/>
                <createIndex tableName="users" indexName="users_email">
                    <column name="email"/>
                </createIndex>
                <sql>DELETE FROM sessions</sql>
                <rollback>
                    <dropTable tableName="users"/>
                </rollback>
            </changeSet>
        </databaseChangeLog>
        """,
    )
    assert {
        ("drop-column", 4),
        ("set-not-null", 5),
        ("blocking-index", 6),
        ("delete-all-rows", 9),
    } <= found
    assert not any(rule == "drop-table" for rule, _ in found)  # only in the rollback


def test_liquibase_yaml() -> None:
    found = ops(
        "db/changelog/db.changelog-master.yaml",
        """
        databaseChangeLog:
          - changeSet:
              id: 8
              author: dana
              changes:
                - renameColumn:
                    tableName: orders
                    oldColumnName: total
                    newColumnName: amount
                - addColumn:
                    tableName: orders
                    columns:
                      - column:
                          name: sku
                          type: varchar(32)
                          constraints:
                            nullable: false
        """,
    )
    assert {("rename", 6), ("add-not-null-column", 10)} <= found


def test_flyway_java_migration_sql_strings() -> None:
    found = ops(
        "src/main/java/db/migration/V14__Backfill.java",
        """
        package db.migration;

        public class V14__Backfill extends BaseJavaMigration {
            public void migrate(Context context) throws Exception {
                try (Statement statement = context.getConnection().createStatement()) {
                    statement.execute("ALTER TABLE users DROP COLUMN legacy");
                }
            }
        }
        """,
    )
    assert ("drop-column", 6) in found


def test_goose_go_migration_sql_strings() -> None:
    found = ops(
        "db/migrations/20261101_backfill.go",
        """
        package migrations

        func init() { goose.AddMigrationContext(upBackfill, downBackfill) }

        func upBackfill(ctx context.Context, tx *sql.Tx) error {
            _, err := tx.ExecContext(ctx, "UPDATE users SET active = true")
            return err
        }
        """,
    )
    assert ("delete-all-rows", 6) in found


def test_code_migration_without_visible_sql_is_raw_sql() -> None:
    text = "class V15__Java extends BaseJavaMigration {\n  void migrate(Context c) { helper.run(c); }\n}\n"
    assert "raw-sql" in rules("src/main/java/db/migration/V15__Java.java", text)


def test_atlas() -> None:
    found = detect(
        new_file("migrations/20261101120000.sql", "ALTER TABLE users DROP COLUMN age;\n")
    )
    assert {f.extra.get("framework") for f in found} == {"Atlas"}
    assert any(f.rule == "migration.drop-column" for f in found)
