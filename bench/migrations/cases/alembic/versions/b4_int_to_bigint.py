from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = "a1"


def upgrade():
    op.alter_column("orders", "id", existing_type=sa.Integer(), type_=sa.BigInteger())


def downgrade():
    pass
