"""Rating the operations inside migrations: every framework, every unified rule.

The migrations here are ours, written after the shapes real projects use (the
cases in squawk's, strong_migrations' and django-migration-linter's suites);
bench/bench_migrations.py measures the same code on real migrations others wrote.
"""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from app.detect.base import ChangedFile, FileStatus, Finding, Severity
from app.detect.migrations import MigrationsDetector, MigrationSettings, squawk
from app.detect.migrations.rules import RULES


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


# --- one real-looking migration per framework ------------------------------------------


def test_django() -> None:
    found = ops(
        "shop/migrations/0043_order_sku.py",
        """
        from django.db import migrations, models


        class Migration(migrations.Migration):
            dependencies = [("shop", "0042_remove_order_note")]

            operations = [
                migrations.RemoveField(model_name="order", name="note"),
                migrations.AddField(
                    model_name="order",
                    name="sku",
                    field=models.CharField(max_length=32),
                ),
                migrations.AddField(
                    model_name="order", name="memo", field=models.TextField(null=True)
                ),
                migrations.AddField(
                    model_name="order",
                    name="customer",
                    field=models.ForeignKey(null=True, on_delete=models.CASCADE, to="shop.customer"),
                ),
                migrations.RenameField(model_name="order", old_name="total", new_name="amount"),
                migrations.AddIndex(
                    model_name="order", index=models.Index(fields=["sku"], name="order_sku")
                ),
                migrations.RunSQL("UPDATE shop_order SET sku = '' WHERE sku IS NULL", migrations.RunSQL.noop),
            ]
        """,
    )
    assert {
        ("drop-column", 8),
        ("add-not-null-column", 9),
        ("add-nullable-column", 14),
        ("add-foreign-key", 17),
        ("rename", 22),
        ("blocking-index", 23),
    } <= found
    assert not any(rule == "delete-all-rows" for rule, _ in found)  # it has a WHERE


def test_alembic_rates_upgrade_only_and_reads_batches_and_execute() -> None:
    found = ops(
        "migrations/versions/3f2a1c_add_age.py",
        """
        from alembic import op
        import sqlalchemy as sa

        revision = "3f2a1c"
        down_revision = "1b1c0d"


        def upgrade():
            op.add_column("users", sa.Column("age", sa.Integer(), nullable=False))
            op.alter_column("users", "name", new_column_name="full_name")
            with op.batch_alter_table("posts") as batch_op:
                batch_op.drop_column("body")
            op.execute("TRUNCATE audit_log")


        def downgrade():
            op.drop_table("users")
        """,
    )
    assert {
        ("add-not-null-column", 9),
        ("rename", 10),
        ("drop-column", 12),
        ("delete-all-rows", 13),
    } <= found
    assert ("drop-table", 17) not in found


def test_rails_reads_the_dsl_safety_assured_and_heredoc_sql() -> None:
    found = detect(
        new_file(
            "db/migrate/20261101120000_rework_users.rb",
            """
            class ReworkUsers < ActiveRecord::Migration[7.1]
              disable_ddl_transaction!

              def change
                remove_column :users, :legacy_token, :string
                add_index :users, :email, algorithm: :concurrently
                add_foreign_key :orders, :users, validate: false
                safety_assured do
                  change_column :users, :bio, :text
                end
                execute <<~SQL
                  DROP TABLE old_sessions;
                SQL
              end
            end
            """,
        )
    )
    by_line = {(f.rule, f.line): f for f in found}
    assert by_line[("migration.drop-column", 5)].severity == Severity.CRITICAL
    assert by_line[("migration.concurrent-index", 6)].severity == Severity.INFO
    assert not any(f.rule == "migration.add-foreign-key" for f in found)  # validate: false
    acknowledged = by_line[("migration.change-column-type", 9)]
    assert "safety_assured" in acknowledged.message
    assert by_line[("migration.drop-table", 12)].severity == Severity.CRITICAL


def test_rails_concurrent_index_without_disable_ddl_transaction_fails_at_deploy() -> None:
    found = rules(
        "db/migrate/20261101_idx.rb",
        """
        class Idx < ActiveRecord::Migration[7.1]
          def change
            add_index :users, :email, algorithm: :concurrently
          end
        end
        """,
    )
    assert "concurrently-in-transaction" in found


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


def test_laravel_columns_are_not_null_unless_nullable() -> None:
    found = ops(
        "database/migrations/2026_11_01_000000_update_flights_table.php",
        """
        <?php
        return new class extends Migration
        {
            public function up(): void
            {
                Schema::table('flights', function (Blueprint $table) {
                    $table->string('airline');
                    $table->string('gate')->nullable();
                    $table->dropColumn('legacy');
                    $table->renameColumn('from', 'origin');
                    $table->index('airline');
                    $table->string('code', 10)->change();
                });
                Schema::dropIfExists('old_flights');
                DB::statement('ALTER TABLE flights ALTER COLUMN gate SET NOT NULL');
            }

            public function down(): void
            {
                Schema::drop('flights');
            }
        };
        """,
    )
    assert {
        ("add-not-null-column", 7),
        ("add-nullable-column", 8),
        ("drop-column", 9),
        ("rename", 10),
        ("blocking-index", 11),
        ("change-column-type", 12),
        ("drop-table", 14),
        ("set-not-null", 15),
    } <= found
    assert ("drop-table", 20) not in found


def test_ecto() -> None:
    found = ops(
        "priv/repo/migrations/20261101000000_rework_events.exs",
        """
        defmodule Plausible.Repo.Migrations.ReworkEvents do
          use Ecto.Migration

          def change do
            alter table(:events) do
              add :site_id, references(:sites), null: false
              remove :legacy
              modify :name, :text
            end

            create index(:events, [:site_id])
            create index(:events, [:name], concurrently: true)
            execute "UPDATE events SET name = lower(name)"
          end
        end
        """,
    )
    assert {
        ("add-foreign-key", 6),
        ("add-not-null-column", 6),
        ("drop-column", 7),
        ("change-column-type", 8),
        ("blocking-index", 11),
        ("concurrent-index", 12),
        ("concurrently-in-transaction", 12),
        ("delete-all-rows", 13),
    } <= found


def test_knex() -> None:
    found = ops(
        "migrations/20261101120000_users.js",
        """
        exports.up = function (knex) {
          return knex.schema.alterTable("users", (table) => {
            table.string("country").notNullable();
            table.dropColumn("legacy");
            table.integer("age").alter();
            table.index(["email"]);
          });
        };

        exports.down = function (knex) {
          return knex.schema.dropTable("users");
        };
        """,
    )
    assert {
        ("add-not-null-column", 3),
        ("drop-column", 4),
        ("change-column-type", 5),
        ("blocking-index", 6),
    } <= found
    assert not any(rule == "drop-table" for rule, _ in found)


def test_sequelize() -> None:
    found = ops(
        "migrations/20261101120000-users.js",
        """
        "use strict";
        module.exports = {
          up: async (queryInterface, Sequelize) => {
            await queryInterface.addColumn("Users", "age", { type: Sequelize.INTEGER, allowNull: false });
            await queryInterface.removeColumn("Users", "legacy");
            await queryInterface.addIndex("Users", ["email"], { concurrently: true });
            await queryInterface.sequelize.query("DELETE FROM Sessions");
          },
          down: async (queryInterface) => {
            await queryInterface.dropTable("Users");
          },
        };
        """,
    )
    assert {
        ("add-not-null-column", 4),
        ("drop-column", 5),
        ("concurrent-index", 6),
        ("delete-all-rows", 7),
    } <= found
    assert not any(rule == "drop-table" for rule, _ in found)


def test_typeorm_sql_strings_go_through_the_sql_rules() -> None:
    found = ops(
        "src/migrations/1730000000000-AddUserAge.ts",
        """
        import { MigrationInterface, QueryRunner } from "typeorm";

        export class AddUserAge1730000000000 implements MigrationInterface {
            public async up(queryRunner: QueryRunner): Promise<void> {
                await queryRunner.query(`ALTER TABLE "user" ADD "age" integer NOT NULL`);
                await queryRunner.query(`CREATE INDEX "IDX_age" ON "user" ("age")`);
            }

            public async down(queryRunner: QueryRunner): Promise<void> {
                await queryRunner.query(`DROP TABLE "user"`);
            }
        }
        """,
    )
    assert {("add-not-null-column", 5), ("blocking-index", 6)} <= found
    assert not any(rule == "drop-table" for rule, _ in found)


@pytest.mark.parametrize(
    ("path", "call"),
    [
        (
            "src/migrations/Migration20261101.ts",
            'this.addSql(\'alter table "user" drop column "age";\');',
        ),
        ("migrations/Version20261101.php", "$this->addSql('ALTER TABLE user DROP COLUMN age');"),
    ],
)
def test_mikroorm_and_doctrine_add_sql(path: str, call: str) -> None:
    text = f"class M extends Migration {{\n  async up() {{\n    {call}\n  }}\n}}\n"
    if path.endswith(".php"):
        text = text.replace("async up()", "public function up(Schema $schema): void")
        text = text.replace("extends Migration", "extends AbstractMigration")
    assert ("drop-column", 3) in ops(path, text)


def test_ef_core() -> None:
    found = ops(
        "src/Data/Migrations/20261101120000_UserAge.cs",
        """
        public partial class UserAge : Migration
        {
            protected override void Up(MigrationBuilder migrationBuilder)
            {
                migrationBuilder.AddColumn<int>(
                    name: "Age",
                    table: "Users",
                    nullable: false);
                migrationBuilder.DropColumn(name: "Legacy", table: "Users");
                migrationBuilder.CreateIndex(name: "IX_Users_Email", table: "Users", column: "Email", unique: true);
                migrationBuilder.Sql(@"UPDATE ""Users"" SET ""Age"" = 0");
            }

            protected override void Down(MigrationBuilder migrationBuilder)
            {
                migrationBuilder.DropTable(name: "Users");
            }
        }
        """,
    )
    assert {
        ("add-not-null-column", 5),
        ("drop-column", 9),
        ("add-unique-constraint", 10),
        ("delete-all-rows", 11),
    } <= found
    assert not any(rule == "drop-table" for rule, _ in found)


# --- every unified rule: a positive and a negative ---------------------------------------

SQL = "db/migrations/V1__x.sql"
RULE_CASES: list[tuple[str, str, str, str]] = [
    # rule, positive, negative, dialect
    ("drop-table", "DROP TABLE users;", "CREATE TABLE users (id bigint);", "postgres"),
    (
        "drop-column",
        "ALTER TABLE users DROP COLUMN age;",
        "ALTER TABLE users ADD COLUMN age text;",
        "postgres",
    ),
    ("delete-all-rows", "DELETE FROM users;", "DELETE FROM users WHERE id = 1;", "postgres"),
    (
        "change-column-type",
        "ALTER TABLE users ALTER COLUMN age TYPE bigint;",
        "ALTER TABLE users ALTER COLUMN age SET DEFAULT 0;",
        "postgres",
    ),
    (
        "add-not-null-column",
        "ALTER TABLE users ADD COLUMN age text NOT NULL;",
        "ALTER TABLE users ADD COLUMN age text NOT NULL DEFAULT '';",
        "postgres",
    ),
    (
        "add-column-rewrite",
        "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        "ALTER TABLE users ADD COLUMN token uuid;",
        "postgres",
    ),
    (
        "set-not-null",
        "ALTER TABLE users ALTER COLUMN age SET NOT NULL;",
        "ALTER TABLE users ALTER COLUMN age DROP DEFAULT;",
        "postgres",
    ),
    (
        "rename",
        "ALTER TABLE users RENAME COLUMN age TO years;",
        "ALTER TABLE users ADD COLUMN years int;",
        "postgres",
    ),
    (
        "blocking-index",
        "CREATE INDEX users_age ON users (age);",
        "CREATE INDEX CONCURRENTLY users_age ON users (age);",
        "postgres",
    ),
    (
        "add-foreign-key",
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
        "postgres",
    ),
    (
        "add-check-constraint",
        "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0);",
        "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0) NOT VALID;",
        "postgres",
    ),
    (
        "add-unique-constraint",
        "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);",
        "ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX users_email;",
        "postgres",
    ),
    ("table-rewrite", "VACUUM FULL users;", "REINDEX INDEX CONCURRENTLY users_age;", "postgres"),
    (
        "mysql-table-copy",
        "ALTER TABLE users MODIFY COLUMN email VARCHAR(300);",
        "ALTER TABLE users ADD COLUMN age INT NULL;",
        "mysql",
    ),
    ("drop-index", "DROP INDEX users_age;", "DROP INDEX CONCURRENTLY users_age;", "postgres"),
    (
        "drop-constraint",
        "ALTER TABLE users ALTER COLUMN age DROP NOT NULL;",
        "ALTER TABLE users VALIDATE CONSTRAINT c;",
        "postgres",
    ),
    (
        "concurrently-in-transaction",
        "BEGIN;\nCREATE INDEX CONCURRENTLY i ON users (age);\nCOMMIT;",
        "CREATE INDEX CONCURRENTLY i ON users (age);",
        "postgres",
    ),
    ("access-control", "GRANT SELECT ON users TO reporting;", "SELECT 1;", "postgres"),
    (
        "enum-value",
        "ALTER TYPE mood ADD VALUE 'meh';",
        "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'sad';",
        "postgres",
    ),
    (
        "lock-timeout",
        "ALTER TABLE users ADD COLUMN age int;",
        "SET lock_timeout = '2s';\nSET statement_timeout = '5s';\nALTER TABLE users ADD COLUMN age int;",
        "postgres",
    ),
    (
        "create-table",
        "CREATE TABLE coupons (id bigint);",
        "ALTER TABLE users ADD COLUMN age int;",
        "postgres",
    ),
    (
        "add-nullable-column",
        "ALTER TABLE users ADD COLUMN age INT;",
        "ALTER TABLE users ADD COLUMN age INT NOT NULL;",
        "mysql",
    ),
    (
        "concurrent-index",
        "CREATE INDEX CONCURRENTLY i ON users (age);",
        "CREATE INDEX i ON users (age);",
        "postgres",
    ),
    (
        "hygiene",
        "ALTER TABLE users ADD COLUMN name varchar(20);",
        "ALTER TABLE users ADD COLUMN name text;",
        "postgres",
    ),
    (
        "not-idempotent",
        "CREATE TABLE coupons (id bigint);",
        "CREATE TABLE IF NOT EXISTS coupons (id bigint);",
        "postgres",
    ),
    ("drop-object", "DROP VIEW active_users;", "CREATE VIEW active_users AS SELECT 1;", "postgres"),
    (
        "sql-lint",
        "BEGIN;\nALTER TABLE users ADD COLUMN age bigint;",
        "BEGIN;\nALTER TABLE users ADD COLUMN age bigint;\nCOMMIT;",
        "postgres",
    ),
    (
        "unparsable",
        "ALTER TABLE users DROP COLUMN age;\nthis is not sql;",
        "ALTER TABLE users DROP COLUMN age;",
        "postgres",
    ),
]
CODE_RULE_CASES = [
    # rule, positive Django operations, negative Django operations
    (
        "raw-sql",
        "migrations.RunSQL(build_sql(), migrations.RunSQL.noop)",
        "migrations.RunSQL('SELECT 1', 'SELECT 1')",
    ),
    (
        "data-migration",
        "migrations.RunPython(forwards, backwards)",
        "migrations.AddField(model_name='o', name='n', field=models.TextField(null=True))",
    ),
    ("irreversible", "migrations.RunPython(forwards)", "migrations.RunPython(forwards, backwards)"),
    (
        "alter-field",
        "migrations.AlterField(model_name='o', name='n', field=models.TextField())",
        "migrations.RemoveIndex(model_name='o', name='i')",
    ),
]


def test_every_rule_has_a_case() -> None:
    covered = {case[0] for case in RULE_CASES} | {case[0] for case in CODE_RULE_CASES}
    assert covered == set(RULES)


@pytest.mark.parametrize(("rule", "positive", "negative", "dialect"), RULE_CASES)
def test_sql_rule(rule: str, positive: str, negative: str, dialect: str) -> None:
    assert rule in rules(SQL, positive + "\n", dialect), positive
    assert rule not in rules(SQL, negative + "\n", dialect), negative


def django_ops(operation: str, atomic: bool = True) -> set[str]:
    text = (
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        + ("" if atomic else "    atomic = False\n")
        + f"    operations = [\n        {operation},\n    ]\n"
    )
    return rules("app/migrations/0002_x.py", text)


@pytest.mark.parametrize(("rule", "positive", "negative"), CODE_RULE_CASES)
def test_code_rule(rule: str, positive: str, negative: str) -> None:
    assert rule in django_ops(positive)
    assert rule not in django_ops(negative)


def test_django_concurrent_index_needs_atomic_false() -> None:
    op = "AddIndexConcurrently(model_name='order', index=models.Index(fields=['sku'], name='i'))"
    assert "concurrently-in-transaction" in django_ops(op)
    assert "concurrently-in-transaction" not in django_ops(op, atomic=False)


# --- severity is honest ------------------------------------------------------------------


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


# --- bad input: a finding, never a crash ---------------------------------------------------


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


@pytest.mark.parametrize(
    ("field", "rule"),
    [
        ("models.CharField(max_length=9)", "add-not-null-column"),
        ("models.CharField(max_length=9, blank=True)", "add-nullable-column"),  # Django fills ""
        ("models.DateTimeField(auto_now_add=True)", "add-nullable-column"),
        ("models.BooleanField(default=False)", "add-nullable-column"),
        ("models.ManyToManyField('shop.Tag')", "create-table"),
    ],
)
def test_django_add_field_knows_the_defaults_django_fills_in(field: str, rule: str) -> None:
    found = django_ops(f"migrations.AddField(model_name='order', name='x', field={field})")
    assert rule in found
    if rule != "add-not-null-column":
        assert "add-not-null-column" not in found


def test_backtick_sql_in_a_postgres_project_is_read_as_mysql() -> None:
    op = "migrations.RunSQL('ALTER TABLE `t` ADD FULLTEXT INDEX `i` (`c`)', 'SELECT 1')"
    assert "unparsable" not in django_ops(op)


def test_a_function_dropped_and_created_again_is_a_replacement() -> None:
    sql = "DROP FUNCTION IF EXISTS f;\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\n"
    [drop] = [f for f in detect(new_file(SQL, sql)) if f.rule == "migration.drop-object"]
    assert drop.severity == Severity.LOW


def test_alembic_tables_named_by_model_attributes_are_tracked() -> None:
    found = detect(
        new_file(
            "migrations/versions/1a0c_webhooks.py",
            """
            from alembic import op
            import sqlalchemy as sa

            def upgrade():
                op.create_table(SqlWebhook.__tablename__, sa.Column("id", sa.Integer()))
                op.create_index("idx_webhooks_name", SqlWebhook.__tablename__, ["name"])
                op.create_index("idx_runs_name", "runs", ["name"])
            """,
        )
    )
    index = {f.line: f.severity for f in found if f.rule == "migration.blocking-index"}
    assert index == {6: Severity.LOW, 7: Severity.HIGH}


def test_renaming_an_index_is_not_a_breaking_rename() -> None:
    assert "rename" not in rules(SQL, "ALTER INDEX users_age_idx RENAME TO users_age_v1;\n")
    assert "rename" in rules(SQL, "ALTER TABLE users RENAME TO people;\n")


def test_mysql_fulltext_index_blocks_writes() -> None:
    sql = "ALTER TABLE posts ADD FULLTEXT INDEX ft_body (body);\n"
    assert "blocking-index" in rules(SQL, sql, dialect="mysql")


def test_alembic_alter_column_restating_not_null_is_not_a_change() -> None:
    text = """
    from alembic import op
    import sqlalchemy as sa

    def upgrade():
        op.alter_column("t", "v", type_=sa.String(500), existing_nullable=False, nullable=False)
        op.alter_column("t", "w", existing_nullable=True, nullable=False)
    """
    found = ops("migrations/versions/cc1f_x.py", text)
    assert ("set-not-null", 5) not in found
    assert ("change-column-type", 5) in found
    assert ("set-not-null", 6) in found


def test_emptying_unique_together_drops_constraints() -> None:
    assert "drop-constraint" in django_ops(
        "migrations.AlterUniqueTogether(name='embed', unique_together=set())"
    )
    assert "add-unique-constraint" not in django_ops(
        "migrations.AlterUniqueTogether(name='embed', unique_together=set())"
    )
    assert "add-unique-constraint" in django_ops(
        "migrations.AlterUniqueTogether(name='embed', unique_together={('a', 'b')})"
    )


def test_a_unique_constraint_is_not_reported_as_a_check() -> None:
    found = rules(SQL, "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a, b);\n")
    assert "add-unique-constraint" in found
    assert "add-check-constraint" not in found


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


def test_node_pg_migrate() -> None:
    found = ops(
        "migrations/1730000000000_users.js",
        """
        exports.up = (pgm) => {
          pgm.dropColumns("users", ["legacy"]);
          pgm.createIndex("users", "email", { concurrently: true });
          pgm.addColumns("users", { age: { type: "integer", notNull: true } });
        };
        """,
    )
    assert {("drop-column", 2), ("concurrent-index", 3), ("add-not-null-column", 4)} <= found


def test_atlas() -> None:
    found = detect(
        new_file("migrations/20261101120000.sql", "ALTER TABLE users DROP COLUMN age;\n")
    )
    assert {f.extra.get("framework") for f in found} == {"Atlas"}
    assert any(f.rule == "migration.drop-column" for f in found)


def test_large_tables_raise_the_severity_one_level() -> None:
    sql = "CREATE INDEX i ON orders (sku);\nDROP INDEX j;\nCREATE INDEX k ON carts (sku);\n"
    settings = MigrationSettings(large_tables=["orders"])
    found = MigrationsDetector().detect([new_file(SQL, sql)], settings)
    by_line = {f.line: f for f in found if f.rule == "migration.blocking-index"}
    assert by_line[1].severity == Severity.CRITICAL
    assert "large_tables" in by_line[1].message
    assert by_line[3].severity == Severity.HIGH
