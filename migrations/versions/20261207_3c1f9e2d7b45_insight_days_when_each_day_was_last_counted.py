"""Insight days: when each day's counts were last rebuilt.

Revision ID: 3c1f9e2d7b45
Revises: a7e172440a6a
Create Date: 2026-12-07 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c1f9e2d7b45"
down_revision = "a7e172440a6a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "insight_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_insight_days")),
    )


def downgrade():
    op.drop_table("insight_days")
