"""Production proofs: each order line's views and spec sheet, the bytes in the blob store.

Revision ID: fccbb1f65fb6
Revises: d410847cb58b
Create Date: 2026-11-23 08:02:59.894091

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "fccbb1f65fb6"
down_revision = "d410847cb58b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proofs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("view", sa.String(length=100), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("blob_key", sa.String(length=512), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('view', 'spec')", name=op.f("ck_proofs_kind_known")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_proofs_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proofs")),
        sa.UniqueConstraint("order_line_id", "kind", "view", name=op.f("uq_proofs_order_line_id")),
    )


def downgrade():
    op.drop_table("proofs")
