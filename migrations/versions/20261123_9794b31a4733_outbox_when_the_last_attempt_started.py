"""Outbox: when the last attempt at sending a message started (the sweep skips recent ones).

Revision ID: 9794b31a4733
Revises: c185d8a7fefb
Create Date: 2026-11-23 07:06:58.543130

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9794b31a4733"
down_revision = "c185d8a7fefb"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("last_attempt_at")
