"""Shoppers' preferences: pseudonymous shoppers, their consent history, preference events; designs and
carts name the consenting shopper who made them.

Revision ID: 35d81e05f495
Revises: fccbb1f65fb6
Create Date: 2026-11-23 08:18:50.599791

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "35d81e05f495"
down_revision = "fccbb1f65fb6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shoppers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shoppers")),
        sa.UniqueConstraint("token", name=op.f("uq_shoppers_token")),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=False),
        sa.Column(
            "purposes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("wording_version", sa.String(length=40), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["shopper_id"], ["shoppers.id"], name=op.f("fk_consents_shopper_id_shoppers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_shopper_id"), ["shopper_id"], unique=False)

    op.create_table(
        "preference_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("product_key", sa.String(length=100), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("attribute", sa.String(length=100), nullable=True),
        sa.Column(
            "option",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("rule_id", sa.String(length=100), nullable=True),
        sa.Column("design_public_id", sa.String(length=32), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.CheckConstraint("source IN ('browser', 'server')", name=op.f("ck_preference_events_source_known")),
        sa.CheckConstraint(
            "type IN ('product_viewed', 'option_picked', 'option_refused', 'repair_accepted', "
            "'repair_declined', 'design_saved', 'design_shared', 'design_remixed', 'added_to_cart', "
            "'ordered')",
            name=op.f("ck_preference_events_type_known"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_preference_events_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["shopper_id"],
            ["shoppers.id"],
            name=op.f("fk_preference_events_shopper_id_shoppers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["product_versions.id"],
            name=op.f("fk_preference_events_version_id_product_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preference_events")),
    )
    with op.batch_alter_table("preference_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_preference_events_product_key"), ["product_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_preference_events_shopper_id"), ["shopper_id"], unique=False)

    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopper_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_carts_shopper_id"), ["shopper_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_carts_shopper_id_shoppers"),
            "shoppers",
            ["shopper_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shopper_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_designs_shopper_id"), ["shopper_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_designs_shopper_id_shoppers"),
            "shoppers",
            ["shopper_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_designs_shopper_id_shoppers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_designs_shopper_id"))
        batch_op.drop_column("shopper_id")

    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_carts_shopper_id_shoppers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_carts_shopper_id"))
        batch_op.drop_column("shopper_id")

    with op.batch_alter_table("preference_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preference_events_shopper_id"))
        batch_op.drop_index(batch_op.f("ix_preference_events_product_key"))

    op.drop_table("preference_events")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_shopper_id"))

    op.drop_table("consents")
    op.drop_table("shoppers")
