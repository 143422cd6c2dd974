"""Safe recipes and the readings they need: NOT VALID then VALIDATE apart, index-backed
constraints, Knex's builder chains and options, Alembic's batch blocks, hash rockets.

Written after strong_migrations' and squawk's documented recipes; the real migrations
these readings were found on are in bench/bench_migration_labels.py.
"""

from __future__ import annotations

from app.detect.base import Severity
from tests.detect.migrations.helpers import SQL, detect, new_file, ops

RB = "db/migrate/20261101120000_m.rb"
JS = "migrations/20261101120000_m.js"


def _rails(body: str, head: str = "") -> str:
    inner = "\n".join("    " + line for line in body.strip("\n").split("\n"))
    return f"class M < ActiveRecord::Migration[7.1]\n{head}  def change\n{inner}\n  end\nend\n"


def _severity(path: str, text: str) -> Severity:
    [added] = [f for f in detect(new_file(path, text)) if f.rule == "migration.added"]
    return added.severity


def test_validate_apart_is_safe_and_after_the_add_in_one_transaction_is_not() -> None:
    not_valid = "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
    validate = "ALTER TABLE users VALIDATE CONSTRAINT c;\n"
    assert _severity(SQL, not_valid) <= Severity.LOW
    assert _severity(SQL, validate) <= Severity.LOW
    [held] = [f for f in detect(new_file(SQL, not_valid + validate)) if "validate" in f.rule]
    assert held.severity == Severity.HIGH
    assert "line 1" in held.message


def test_rails_foreign_key_validated_in_its_own_migration() -> None:
    add = "add_foreign_key :orders, :users, validate: false"
    validate = "validate_foreign_key :orders, :users"
    assert _severity(RB, _rails(add)) <= Severity.LOW
    assert _severity(RB, _rails(validate)) <= Severity.LOW
    assert _severity(RB, _rails(f"{add}\n{validate}")) == Severity.HIGH
    apart = _rails(f"{add}\n{validate}", head="  disable_ddl_transaction!\n\n")
    assert _severity(RB, apart) <= Severity.LOW


def test_a_unique_constraint_on_an_index_built_before_scans_nothing() -> None:
    using = 'add_unique_constraint :users, using_index: "index_users_on_email"'
    assert _severity(RB, _rails(using)) <= Severity.LOW
    assert _severity(RB, _rails("add_unique_constraint :users, [:email]")) == Severity.HIGH


def test_ruby_hash_rocket_options_are_read() -> None:
    forced = 'create_table "attachments", :force => true do |t|\n  t.column "a", :integer\nend'
    assert ("drop-table", 3) in ops(RB, _rails(forced))
    concurrent = "add_index :users, :email, :algorithm => :concurrently"
    found = ops(RB, _rails(concurrent, head="  disable_ddl_transaction!\n\n"))
    assert ("concurrent-index", 5) in found
    assert ("blocking-index", 5) not in found


def test_rails_records_changed_in_a_loop_are_a_backfill() -> None:
    body = "IssueStatus.all.each_with_index { |status, i| status.update_attribute(:position, i) }"
    assert ("backfill", 3) in ops(RB, _rails(body))
    assert ("insert-rows", 3) in ops(RB, _rails("Permission.create(name: 'search')"))


def test_knex_builder_chains_over_lines() -> None:
    text = (
        "exports.up = async function up(knex) {\n"
        "  // we can't change the old column: add one\n"
        "  await knex.schema.alterTable('refresh_state', table => {\n"
        "    table\n"
        "      .text('location_key')\n"
        "      .nullable();\n"
        "    table\n"
        "      .string('owner')\n"
        "      .notNullable()\n"
        "      .alter({ alterType: true });\n"
        "  });\n"
        "};\n"
        "exports.down = async function down(knex) {\n"
        "  await knex.schema.dropTable('refresh_state');\n"
        "};\n"
    )
    found = ops(JS, text)
    assert ("add-nullable-column", 5) in found
    assert ("change-column-type", 8) in found
    assert ("drop-table", 14) not in found  # the apostrophe in the comment ends nothing


def test_knex_raw_sql_with_bindings_and_interpolation_is_read() -> None:
    text = (
        "exports.up = async function up(knex) {\n"
        "  await knex.schema.raw('ALTER TABLE ?? ALTER COLUMN id TYPE bigint', ['jobs']);\n"
        "  await knex.raw(`ALTER TABLE search ALTER COLUMN entity_id SET (n_distinct = ${n})`);\n"
        "  await knex('locations').insert({ id: 1, type: 'bootstrap' });\n"
        "};\n"
    )
    found = ops(JS, text)
    assert ("change-column-type", 2) in found
    assert not {rule for rule, _ in found} & {"unparsable", "raw-sql"}
    assert ("insert-rows", 4) in found


def test_knex_migration_without_a_transaction() -> None:
    body = (
        "exports.up = async function up(knex) {\n"
        "  await knex.schema.alterTable('users', t => { t.string('plan'); });\n"
        "  await knex('users').whereNull('plan').update({ plan: 'free' });\n"
        "};\n"
    )
    [held] = [f for f in detect(new_file(JS, body)) if f.rule == "migration.backfill"]
    assert held.severity == Severity.HIGH
    apart = body + "exports.config = { transaction: false };\n"
    [alone] = [f for f in detect(new_file(JS, apart)) if f.rule == "migration.backfill"]
    assert alone.severity == Severity.MEDIUM


def test_alembic_batch_receivers_are_scoped_to_their_block() -> None:
    text = (
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
        '    op.create_table("span_metrics", sa.Column("trace_id", sa.String(50)))\n'
        '    with op.batch_alter_table("span_metrics") as batch_op:\n'
        '        batch_op.create_index("ix_trace", ["trace_id"])\n'
        '    with op.batch_alter_table("spans") as batch_op:\n'
        '        batch_op.add_column(sa.Column("attrs", sa.Text(), nullable=True))\n'
        "\n\ndef downgrade():\n    pass\n"
    )
    [index] = [
        f
        for f in detect(new_file("migrations/versions/c8d9_spans.py", text))
        if f.rule == "migration.blocking-index"
    ]
    assert index.severity == Severity.LOW  # span_metrics is created above it


def test_a_django_migration_with_no_operations_is_low() -> None:
    text = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = [('contenttypes', '0002_remove_content_type_name')]\n"
        "    operations = []\n"
    )
    [added] = detect(new_file("shop/migrations/0006_require.py", text))
    assert added.severity == Severity.LOW
    assert "no operations" in added.message


CHECK = "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
VALIDATE = "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n"
SET = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"


def _set_not_null(*migrations: tuple[str, str]) -> Severity:
    found = detect(*(new_file(path, text) for path, text in migrations))
    [finding] = [f for f in found if f.rule == "migration.set-not-null"]
    return finding.severity


def test_set_not_null_after_a_validated_check_in_the_same_pull_request_is_low() -> None:
    check, validate = ("db/migrations/V1__check.sql", CHECK), ("db/migrations/V2__v.sql", VALIDATE)
    assert _set_not_null(check, validate, ("db/migrations/V3__nn.sql", SET)) == Severity.LOW
    assert _set_not_null(check, ("db/migrations/V3__nn.sql", SET)) == Severity.HIGH  # not validated
    other = CHECK.replace("email IS", "phone IS").replace("email_nn", "phone_nn")
    other_validated = VALIDATE.replace("email_nn", "phone_nn")
    assert (
        _set_not_null(
            ("db/migrations/V1__check.sql", other),
            ("db/migrations/V2__v.sql", other_validated),
            ("db/migrations/V3__nn.sql", SET),
        )
        == Severity.HIGH
    )
    assert _set_not_null(("db/migrations/V3__nn.sql", SET)) == Severity.HIGH


def test_the_rails_recipe_across_migrations() -> None:
    add = _rails(
        'add_check_constraint :users, "email IS NOT NULL", name: "users_email_null", validate: false'
    )
    validate = _rails('validate_check_constraint :users, name: "users_email_null"')
    set_null = _rails("change_column_null :users, :email, false")
    migrations = [
        ("db/migrate/20261101000001_a.rb", add),
        ("db/migrate/20261101000002_v.rb", validate),
        ("db/migrate/20261101000003_n.rb", set_null),
    ]
    assert _set_not_null(*migrations) == Severity.LOW
    assert _set_not_null(migrations[0], migrations[2]) == Severity.HIGH
