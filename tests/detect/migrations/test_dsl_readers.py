"""Schema-builder DSLs: Rails, Laravel, Ecto, Knex, Sequelize, TypeORM, MikroORM,
Doctrine, EF Core and node-pg-migrate.
"""

from __future__ import annotations

import pytest

from app.detect.base import Severity
from tests.detect.migrations.helpers import detect, new_file, ops, rules


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


def test_knex_arrow_function_with_an_expression_body_is_read() -> None:
    text = (
        "exports.up = (knex) =>\n"
        "  knex.schema.alterTable('users', (t) => {\n"
        "    t.dropColumn('legacy');\n"
        "  });\n"
        "exports.down = (knex) =>\n"
        "  knex.schema.dropTable('users');\n"
    )
    found = ops("migrations/20261101_users.js", text)
    assert ("drop-column", 3) in found
    assert ("drop-table", 6) not in found  # the rollback
