from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = "a1"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_orders_user", "orders", ["user_id"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_orders_user")
