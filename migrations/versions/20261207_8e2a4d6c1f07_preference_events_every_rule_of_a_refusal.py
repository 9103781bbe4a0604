"""Preference events: every rule of the conflict that refused an option, not only the first.

Revision ID: 8e2a4d6c1f07
Revises: 3c1f9e2d7b45
Create Date: 2026-12-07 16:10:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "8e2a4d6c1f07"
down_revision = "3c1f9e2d7b45"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("preference_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "rules",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("preference_events", schema=None) as batch_op:
        batch_op.drop_column("rules")
