from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = "a1"


def upgrade():
    op.drop_column("orders", "legacy")


def downgrade():
    op.add_column("orders", sa.Column("legacy", sa.Text()))
