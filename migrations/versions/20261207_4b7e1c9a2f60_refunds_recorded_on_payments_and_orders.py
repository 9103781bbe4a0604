"""Refunds: the amount returned on payments and orders, why an order is in its status, and when the
shopper's return last asked the provider.

Revision ID: 4b7e1c9a2f60
Revises: 98861e4912f4
Create Date: 2026-12-07 03:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4b7e1c9a2f60"
down_revision = "98861e4912f4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("amount_refunded_minor", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded", sa.Numeric(precision=14, scale=4), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("status_note", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("status_note")
        batch_op.drop_column("refunded")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("checked_at")
        batch_op.drop_column("amount_refunded_minor")
