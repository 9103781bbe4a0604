"""Proof failures: orders whose proofs were given up after their rendering kept killing the worker.

Revision ID: 56c4564896da
Revises: 4b7e1c9a2f60
Create Date: 2026-12-07 03:12:28.954227

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "56c4564896da"
down_revision = "4b7e1c9a2f60"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proof_failures",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_proof_failures_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_proof_failures")),
    )


def downgrade():
    op.drop_table("proof_failures")
