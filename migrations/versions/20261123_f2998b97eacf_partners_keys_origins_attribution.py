"""Partners: publishable keys and origins; designs and orders record the partner they came through.

Revision ID: f2998b97eacf
Revises: ff94b539821f
Create Date: 2026-11-23 07:45:54.607254

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f2998b97eacf"
down_revision = "ff94b539821f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("publishable_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("name", name=op.f("uq_partners_name")),
        sa.UniqueConstraint("publishable_key", name=op.f("uq_partners_publishable_key")),
    )
    op.create_table(
        "partner_origins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_origins_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_origins")),
        sa.UniqueConstraint("partner_id", "origin", name=op.f("uq_partner_origins_partner_id")),
    )
    with op.batch_alter_table("partner_origins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_origins_origin"), ["origin"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_origins_partner_id"), ["partner_id"], unique=False)

    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_designs_partner_id"), ["partner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_designs_partner_id_partners"), "partners", ["partner_id"], ["id"]
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_orders_partner_id"), ["partner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_partner_id_partners"), "partners", ["partner_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_orders_partner_id_partners"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_orders_partner_id"))
        batch_op.drop_column("partner_id")

    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_designs_partner_id_partners"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_designs_partner_id"))
        batch_op.drop_column("partner_id")

    with op.batch_alter_table("partner_origins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_origins_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partner_origins_origin"))

    op.drop_table("partner_origins")
    op.drop_table("partners")
