"""Carts: the partner whose page brought them, so their orders are attributed to it.

Revision ID: a7e172440a6a
Revises: 56c4564896da
Create Date: 2026-12-07 06:09:55.241011

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7e172440a6a"
down_revision = "56c4564896da"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_carts_partner_id_partners"), "partners", ["partner_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_carts_partner_id_partners"), type_="foreignkey")
        batch_op.drop_column("partner_id")
