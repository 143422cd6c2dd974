"""Django and Alembic migrations, read with `ast`."""

from __future__ import annotations

import pytest

from app.detect.base import Severity
from tests.detect.migrations.helpers import SQL, detect, django_ops, new_file, ops, rules


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


def test_django_concurrent_index_needs_atomic_false() -> None:
    op = "AddIndexConcurrently(model_name='order', index=models.Index(fields=['sku'], name='i'))"
    assert "concurrently-in-transaction" in django_ops(op)
    assert "concurrently-in-transaction" not in django_ops(op, atomic=False)


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
