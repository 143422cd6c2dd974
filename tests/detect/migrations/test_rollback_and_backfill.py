"""What runs forward, what has no way back, and data changed inside migrations.

Cases written after the shapes in strong_migrations' and Rails' own migration docs
(reversible/up_only/revert, `{ }` blocks), Alembic's and golang-migrate's layouts.
"""

from __future__ import annotations

from app.detect.base import Finding, Severity
from app.detect.migrations import MigrationsDetector, MigrationSettings
from tests.detect.migrations.helpers import SQL, detect, django_ops, new_file, ops


def _rails(body: str, head: str = "") -> str:
    inner = "\n".join(("    " + line) if line else "" for line in body.strip("\n").split("\n"))
    return f"class M < ActiveRecord::Migration[7.1]\n{head}  def change\n{inner}\n  end\nend\n"


RB = "db/migrate/20261101120000_m.rb"


def _by(found: list[Finding], rule: str) -> list[Finding]:
    return [f for f in found if f.rule == f"migration.{rule}"]


# --- Ruby blocks: both syntaxes, rollback code never rated forward --------------------


def test_a_brace_block_is_read_like_its_do_form() -> None:
    found = detect(new_file(RB, _rails("safety_assured { remove_column :users, :legacy }")))
    (drop,) = _by(found, "drop-column")
    assert drop.severity == Severity.CRITICAL
    assert drop.line == 3
    assert "safety_assured" in drop.message


def test_rollback_code_in_reversible_is_not_rated_as_forward() -> None:
    body = """
reversible do |dir|
  dir.up do
    add_column :users, :flag, :boolean
  end
  dir.down do
    remove_column :users, :flag
  end
end
reversible do |dir|
  dir.up { change_column_null :users, :email, false }
  dir.down { drop_table :users }
end
"""
    found = ops(RB, _rails(body))
    assert ("add-nullable-column", 5) in found
    assert ("set-not-null", 12) in found  # dir.up { … } runs forward
    assert not {rule for rule, _ in found} & {"drop-column", "drop-table"}


def test_revert_runs_its_block_as_the_inverse() -> None:
    body = """
revert do
  create_table :horses do |t|
    t.string :name
  end
end
revert { add_column :users, :nickname, :string }
revert AddDogs
"""
    found = detect(new_file(RB, _rails(body)))
    assert [f.line for f in _by(found, "drop-table")] == [4]
    assert "inverse" in _by(found, "drop-table")[0].message
    assert [f.line for f in _by(found, "drop-column")] == [8]
    (other,) = _by(found, "revert")
    assert other.line == 9
    assert other.severity == Severity.MEDIUM
    assert not _by(found, "create-table")  # nothing is created


def test_a_create_table_without_a_block_does_not_hide_what_follows() -> None:
    body = "create_table :audits\nremove_column :users, :email, :string"
    assert ("drop-column", 4) in ops(RB, _rails(body))


def test_schema_and_enum_renames_are_renames() -> None:
    body = "rename_schema :legacy, :archive\nrename_enum_value :mood, from: 'ok', to: 'fine'"
    assert {("rename", 3), ("rename", 4)} <= ops(RB, _rails(body))


# --- irreversible, per framework ---------------------------------------------------------


def test_rails_change_that_rails_cannot_reverse() -> None:
    found = detect(new_file(RB, _rails("remove_column :users, :legacy")))
    (irreversible,) = _by(found, "irreversible")
    # destructive and no way back: a DBA role can ask for a rollback plan exactly here
    assert irreversible.severity == Severity.MEDIUM
    assert "without the column's type" in irreversible.message
    for reversible in (
        "remove_column :users, :legacy, :string",
        "remove_column :users, :legacy, type: :string",
        "drop_table :users do |t|\n  t.string :email\nend",
        "reversible do |dir|\n  dir.up { execute 'UPDATE users SET a = 1 WHERE a IS NULL' }\nend",
        "change_column_default :users, :plan, from: nil, to: 'free'",
    ):
        assert not _by(detect(new_file(RB, _rails(reversible))), "irreversible"), reversible


def test_rails_irreversible_change_that_destroys_nothing_stays_low() -> None:
    found = detect(new_file(RB, _rails("change_column_default :users, :plan, 'free'")))
    (irreversible,) = _by(found, "irreversible")
    assert irreversible.severity == Severity.LOW


def test_rails_down_that_raises_and_up_without_down() -> None:
    raising = (
        "class M < ActiveRecord::Migration[7.1]\n  def up\n    drop_table :users\n  end\n"
        "  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )
    (found,) = _by(detect(new_file(RB, raising)), "irreversible")
    assert found.line == 6
    assert found.severity == Severity.MEDIUM
    up_only = "class M < ActiveRecord::Migration[7.1]\n  def up\n    add_index :a, :b\n  end\nend\n"
    (found,) = _by(detect(new_file(RB, up_only)), "irreversible")
    assert found.line == 2
    assert found.severity == Severity.LOW
    both = up_only.replace("  end\nend", "  end\n  def down\n    remove_index :a, :b\n  end\nend")
    assert not _by(detect(new_file(RB, both)), "irreversible")


ALEMBIC = "migrations/versions/1a2b3c_drop_note.py"


def _alembic(upgrade: str, downgrade: str) -> str:
    return (
        'revision = "1a2b3c"\ndown_revision = "0f0f0f"\n\nfrom alembic import op\n'
        "import sqlalchemy as sa\n\n\n"
        f"def upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n"
    )


def test_alembic_downgrade_that_does_nothing() -> None:
    text = _alembic('op.drop_column("orders", "note")', "pass")
    (found,) = _by(detect(new_file(ALEMBIC, text)), "irreversible")
    assert found.line == 12
    assert found.severity == Severity.MEDIUM
    back = 'op.add_column("orders", sa.Column("note", sa.Text()))'
    assert not _by(
        detect(new_file(ALEMBIC, _alembic('op.drop_column("orders", "note")', back))),
        "irreversible",
    )


def test_alembic_connection_execute_is_read_as_sql() -> None:
    text = _alembic(
        'op.get_bind().execute(sa.text("UPDATE orders SET state = 1 WHERE state IS NULL"))',
        'op.execute("SELECT 1")',
    )
    assert ("backfill", 9) in ops(ALEMBIC, text)


def test_golang_migrate_up_without_its_down() -> None:
    up = new_file("db/migrations/000042_drop_note.up.sql", "ALTER TABLE orders DROP COLUMN note;\n")
    found = detect(up)
    (irreversible,) = _by(found, "irreversible")
    assert irreversible.severity == Severity.MEDIUM
    assert "000042_drop_note.down.sql" in irreversible.message
    down = new_file(
        "db/migrations/000042_drop_note.down.sql", "ALTER TABLE orders ADD COLUMN note text;\n"
    )
    assert not _by(detect(up, down), "irreversible")
    empty = new_file("db/migrations/000042_drop_note.down.sql", "-- nothing to do\n")
    assert _by(detect(up, empty), "irreversible")


def test_goose_file_with_no_down_section() -> None:
    text = "-- +goose Up\nALTER TABLE orders DROP COLUMN note;\n"
    (found,) = _by(detect(new_file("db/migrations/20261101_note.sql", text)), "irreversible")
    assert found.line == 1
    text += "-- +goose Down\nALTER TABLE orders ADD COLUMN note text;\n"
    assert not _by(detect(new_file("db/migrations/20261101_note.sql", text)), "irreversible")


# --- backfills ---------------------------------------------------------------------------


def test_backfill_alone_is_medium_and_beside_a_schema_change_high() -> None:
    (alone,) = _by(
        detect(new_file(SQL, "UPDATE users SET plan = 'free' WHERE plan IS NULL;\n")), "backfill"
    )
    assert alone.severity == Severity.MEDIUM
    text = "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE plan IS NULL;\n"
    (held,) = _by(detect(new_file(SQL, text)), "backfill")
    assert held.severity == Severity.HIGH
    assert "line 1" in held.message


def test_backfill_outside_a_transaction_is_not_raised() -> None:
    body = "add_column :users, :plan, :string\nUser.where(plan: nil).update_all(plan: 'free')"
    (held,) = _by(detect(new_file(RB, _rails(body))), "backfill")
    assert held.severity == Severity.HIGH
    apart = _rails(body, head="  disable_ddl_transaction!\n\n")
    (alone,) = _by(detect(new_file(RB, apart)), "backfill")
    assert alone.severity == Severity.MEDIUM


def test_batched_backfill_is_noted_and_not_raised_for_large_tables() -> None:
    body = "User.where(plan: nil).find_each { |u| u.update!(plan: 'free') }"
    settings = MigrationSettings(large_tables=["users"])
    changed = new_file(RB, _rails(body))
    (batched,) = _by(MigrationsDetector().detect([changed], settings), "backfill")
    assert batched.severity == Severity.MEDIUM
    assert "in batches" in batched.message
    sql = new_file(SQL, "UPDATE users SET plan = 'free' WHERE plan IS NULL;\n")
    (unbatched,) = _by(MigrationsDetector().detect([sql], settings), "backfill")
    assert unbatched.severity == Severity.HIGH
    assert "large_tables" in unbatched.message


def test_every_row_through_a_model_is_delete_all_rows() -> None:
    found = ops(RB, _rails("User.update_all(plan: 'free')\nUser.where(a: 1).delete_all"))
    assert ("delete-all-rows", 3) in found
    assert ("backfill", 4) in found


def test_backfill_of_a_table_created_in_the_same_migration_is_low() -> None:
    text = "CREATE TABLE plans (id bigint, name text);\nINSERT INTO plans (id, name) SELECT id, name FROM legacy_plans;\n"
    (copy,) = _by(detect(new_file(SQL, text)), "backfill")
    assert copy.severity == Severity.LOW


def test_django_runsql_backfill_follows_atomic() -> None:
    operations = (
        "migrations.AddField(model_name='user', name='plan', field=models.TextField(null=True)),\n"
        "        migrations.RunSQL(\"UPDATE app_user SET plan = 'free' WHERE plan IS NULL\", migrations.RunSQL.noop)"
    )

    def text(atomic: bool) -> str:
        return (
            "from django.db import migrations, models\n\n"
            "class Migration(migrations.Migration):\n"
            + ("" if atomic else "    atomic = False\n")
            + f"    operations = [\n        {operations},\n    ]\n"
        )

    (held,) = _by(detect(new_file("app/migrations/0002_plan.py", text(True))), "backfill")
    assert held.severity == Severity.HIGH
    (alone,) = _by(detect(new_file("app/migrations/0002_plan.py", text(False))), "backfill")
    assert alone.severity == Severity.MEDIUM


def test_query_builder_writes_in_js_and_php() -> None:
    knex = """
exports.up = async function (knex) {
  await knex('users').where({ plan: null }).update({ plan: 'free' });
  await knex('sessions').del();
};
exports.down = async function () {};
"""
    assert {("backfill", 2), ("delete-all-rows", 3)} <= ops("migrations/20261101_plan.js", knex)
    sequelize = """
module.exports = {
  async up(queryInterface) {
    await queryInterface.bulkUpdate('users', { plan: 'free' }, { plan: null });
    await queryInterface.bulkDelete('sessions', null, {});
  },
};
"""
    found = ops("migrations/20261101-plan.js", sequelize)
    assert {("backfill", 3), ("delete-all-rows", 4)} <= found
    laravel = """<?php
return new class extends Migration {
    public function up(): void
    {
        DB::table('users')->whereNull('plan')->update(['plan' => 'free']);
        DB::table('sessions')->delete();
    }
};
"""
    found = ops("database/migrations/2026_11_01_000000_plan.php", laravel)
    assert {("backfill", 5), ("delete-all-rows", 6)} <= found


def test_seed_rows_are_not_a_backfill() -> None:
    text = "INSERT INTO plans (id, name) VALUES (1, 'free');\n"
    assert not _by(detect(new_file(SQL, text)), "backfill")


# --- NOT NULL and defaults, as the peers' suites rate them ---------------------------------


def test_django_preserve_default_false_is_not_null_for_running_code() -> None:
    field = "models.CharField(max_length=20, default='free')"
    one_off = (
        f"migrations.AddField(model_name='user', name='plan', field={field}, "
        "preserve_default=False)"
    )
    assert "add-not-null-column" in django_ops(one_off)
    kept = f"migrations.AddField(model_name='user', name='plan', field={field})"
    assert "add-not-null-column" not in django_ops(kept)


def test_rails_volatile_defaults_and_primary_keys_rewrite_the_table() -> None:
    for rewrite in (
        'add_column :users, :uid, :uuid, null: false, default: "gen_random_uuid()"',
        'add_column :users, :uid, :uuid, default: -> { "gen_random_uuid()" }',
        "add_column :users, :legacy_id, :primary_key",
        'add_column :users, :full_name, :virtual, type: :string, as: "name", stored: true',
    ):
        assert ("add-column-rewrite", 3) in ops(RB, _rails(rewrite)), rewrite
    fixed = 'add_column :users, :seen_at, :datetime, null: false, default: -> { "now()" }'
    assert ("add-column-rewrite", 3) not in ops(RB, _rails(fixed))


def test_dropping_not_null_is_low_everywhere() -> None:
    assert ("drop-not-null", 3) in ops(RB, _rails("change_column_null :users, :bio, true"))
    knex = "exports.up = (knex) => knex.schema.alterTable('users', (t) => {\n  t.setNullable('bio');\n  t.dropNullable('email');\n});\n"
    assert {("drop-not-null", 2), ("set-not-null", 3)} <= ops("migrations/20261101_bio.js", knex)
    (low,) = _by(
        detect(new_file(SQL, "ALTER TABLE users ALTER COLUMN bio DROP NOT NULL;\n")),
        "drop-not-null",
    )
    assert low.severity == Severity.LOW
