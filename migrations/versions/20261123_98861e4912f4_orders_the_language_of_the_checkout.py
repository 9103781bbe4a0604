"""Orders: the language the shopper checked out in (their labels and e-mails are written in it).

Revision ID: 98861e4912f4
Revises: 6fd056e84d65
Create Date: 2026-11-23 12:13:59.996438

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "98861e4912f4"
down_revision = "6fd056e84d65"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), server_default="en", nullable=False))


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("locale")
