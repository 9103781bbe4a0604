"""Order lines: what making each unit takes (SKU, parts, lead time, weight) and the day it ships by,
as the product's production data said when the order was placed.

Revision ID: 5b2e8c41d9a7
Revises: 26456fc1f05a
Create Date: 2026-12-08 01:00:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "5b2e8c41d9a7"
down_revision = "26456fc1f05a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "production",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("production")
