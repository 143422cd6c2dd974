"""Every unified rule: a positive and a negative, in SQL and in code."""

from __future__ import annotations

import pytest

from app.detect.migrations.rules import RULES
from tests.detect.migrations.helpers import SQL, django_ops, rules

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
    ("backfill", "DELETE FROM users WHERE id = 1;", "DELETE FROM users;", "postgres"),
    (
        "backfill",
        "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
        "INSERT INTO plans (name) VALUES ('free');",
        "postgres",
    ),
    (
        "backfill",
        "INSERT INTO archive (id) SELECT id FROM users WHERE deleted;",
        "INSERT INTO plans (name) VALUES ('free');",
        "mysql",
    ),
    (
        "backfill",
        "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
        "UPDATE users SET plan = 'free';",
        "sqlite",
    ),
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
        "add-column-rewrite",
        "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        "ALTER TABLE users ADD COLUMN ratio float DEFAULT (PI());",  # fixed: stored once
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
        "ALTER TABLE users DROP CONSTRAINT users_age_check;",
        "ALTER TABLE users VALIDATE CONSTRAINT c;",
        "postgres",
    ),
    (
        "drop-not-null",
        "ALTER TABLE users ALTER COLUMN age DROP NOT NULL;",
        "ALTER TABLE users ALTER COLUMN age SET NOT NULL;",
        "postgres",
    ),
    (
        "drop-not-null",
        "ALTER TABLE users ALTER COLUMN age DROP NOT NULL;",
        "ALTER TABLE users DROP CONSTRAINT users_age_check;",
        "sqlite",
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
        "insert-rows",
        "INSERT INTO plans (id, name) VALUES (1, 'free');",
        "INSERT INTO plans (id, name) SELECT id, name FROM legacy_plans;",
        "postgres",
    ),
    (
        "insert-rows",
        "INSERT INTO plans (id, name) VALUES (1, 'free');",
        "INSERT INTO plans (id, name) SELECT id, name FROM legacy_plans;",
        "mysql",
    ),
    (
        "constraint-not-valid",
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
        "postgres",
    ),
    (
        "constraint-not-valid",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        "postgres",
    ),
    (
        "validate-constraint",
        "ALTER TABLE orders VALIDATE CONSTRAINT fk;",
        "ALTER TABLE orders DROP CONSTRAINT fk;",
        "postgres",
    ),
    (
        "rename",
        "ALTER TYPE order_state RENAME VALUE 'sent' TO 'shipped';",
        "ALTER TYPE order_state ADD VALUE 'lost';",
        "postgres",
    ),
    ("rename", "ALTER SCHEMA billing RENAME TO invoicing;", "CREATE SCHEMA invoicing;", "postgres"),
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


RAILS_RULE_CASES = [
    # rule, positive Rails `change` body, negative
    ("revert", "revert AddDogs", "revert do\n  add_column :dogs, :name, :string\nend"),
    ("insert-rows", "Plan.create!(name: 'free')", "Plan.where(name: nil).update_all(name: 'free')"),
]
ALEMBIC_WIDEN = (
    "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.alter_column("
    '"orders", "note", existing_type={old}, type_={new})\n\n\ndef downgrade():\n    pass\n'
)


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("sa.String(100)", "sa.String(500)", "widen-column"),
        ("sa.String(5000)", "sa.Text().with_variant(MEDIUMTEXT, 'mysql')", "widen-column"),
        ("sa.String(length=250)", "sa.String()", "widen-column"),
        ("sa.Numeric(10, 2)", "sa.Numeric(12, 2)", "widen-column"),
        ("sa.String(500)", "sa.String(100)", "change-column-type"),
        ("sa.Integer()", "sa.BigInteger()", "change-column-type"),
        ("sa.Text()", "sa.String(100)", "change-column-type"),
        ("sa.Numeric(10, 2)", "sa.Numeric(12, 4)", "change-column-type"),
    ],
)
def test_alembic_type_changes_are_rated_by_the_old_type(old: str, new: str, rule: str) -> None:
    found = rules("migrations/versions/1a2b_widen.py", ALEMBIC_WIDEN.format(old=old, new=new))
    other = "change-column-type" if rule == "widen-column" else "widen-column"
    assert rule in found
    assert other not in found


def test_every_rule_has_a_case() -> None:
    covered = {case[0] for case in RULE_CASES + CODE_RULE_CASES + RAILS_RULE_CASES}
    covered.add("widen-column")  # test_alembic_type_changes_are_rated_by_the_old_type
    covered.add("options-only")  # test_django_state.py
    assert covered == set(RULES)


@pytest.mark.parametrize(("rule", "positive", "negative", "dialect"), RULE_CASES)
def test_sql_rule(rule: str, positive: str, negative: str, dialect: str) -> None:
    assert rule in rules(SQL, positive + "\n", dialect), positive
    assert rule not in rules(SQL, negative + "\n", dialect), negative


@pytest.mark.parametrize(("rule", "positive", "negative"), CODE_RULE_CASES)
def test_code_rule(rule: str, positive: str, negative: str) -> None:
    assert rule in django_ops(positive)
    assert rule not in django_ops(negative)


@pytest.mark.parametrize(("rule", "positive", "negative"), RAILS_RULE_CASES)
def test_rails_rule(rule: str, positive: str, negative: str) -> None:
    def body(code: str) -> str:
        inner = "\n".join("    " + line for line in code.splitlines())
        return f"class M < ActiveRecord::Migration[7.1]\n  def change\n{inner}\n  end\nend\n"

    assert rule in rules("db/migrate/20261101_m.rb", body(positive))
    assert rule not in rules("db/migrate/20261101_m.rb", body(negative))
