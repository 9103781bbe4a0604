"""Option availability: options a merchant has taken off sale (sold out, or paused until a moment)
without publishing a new version.

Revision ID: c3d9a1f07e52
Revises: 5b2e8c41d9a7
Create Date: 2026-12-08 01:20:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "c3d9a1f07e52"
down_revision = "5b2e8c41d9a7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "option_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_key", sa.String(length=100), nullable=False),
        sa.Column("attribute_key", sa.String(length=100), nullable=False),
        sa.Column("option_key", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "message",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_key", "attribute_key", "option_key"),
    )


def downgrade():
    op.drop_table("option_availability")
