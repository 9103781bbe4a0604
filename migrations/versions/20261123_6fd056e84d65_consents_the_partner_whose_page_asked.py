"""Consents: the partner whose page (widget or embed page) asked for the choice.

Revision ID: 6fd056e84d65
Revises: d7f21d3a6b58
Create Date: 2026-11-23 11:17:11.119723

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6fd056e84d65"
down_revision = "d7f21d3a6b58"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_consents_partner_id_partners"), "partners", ["partner_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consents_partner_id_partners"), type_="foreignkey")
        batch_op.drop_column("partner_id")
