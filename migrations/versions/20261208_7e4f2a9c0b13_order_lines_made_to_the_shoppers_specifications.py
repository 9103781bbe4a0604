"""Order lines: whether each was made to the shopper's specifications (no EU right of withdrawal),
as the product said when the order was placed; earlier lines are not known to be.

Revision ID: 7e4f2a9c0b13
Revises: c3d9a1f07e52
Create Date: 2026-12-08 01:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7e4f2a9c0b13"
down_revision = "c3d9a1f07e52"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("personalised", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("personalised")
