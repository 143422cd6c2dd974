from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = "a1"


def upgrade():
    op.alter_column("orders", "note", existing_type=sa.String(100), type_=sa.String(500))


def downgrade():
    op.alter_column("orders", "note", existing_type=sa.String(500), type_=sa.String(100))
