"""Community: the gallery and its reports, ideas and their followers, campaigns with their candidates
and pre-orders, votes for any of them; orders may be reserved (a pre-order).

Revision ID: 26456fc1f05a
Revises: 8e2a4d6c1f07
Create Date: 2026-12-07 17:20:42.532325

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "26456fc1f05a"
down_revision = "8e2a4d6c1f07"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_orders_status_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_orders_status_known"),
            "status IN ('reserved', 'pending', 'paid', 'in_production', 'shipped', 'cancelled', 'refunded')",
        )

    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=True),
        sa.Column("display_name", sa.String(length=160), nullable=True),
        sa.Column("product_key", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=480), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_note", sa.String(length=1200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'under_review', 'planned', 'made', 'declined', 'removed')",
            name=op.f("ck_ideas_idea_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["shopper_id"], ["shoppers.id"], name=op.f("fk_ideas_shopper_id_shoppers"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
        sa.UniqueConstraint("public_id", name=op.f("uq_ideas_public_id")),
    )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ideas_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_product_key"), ["product_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_shopper_id"), ["shopper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_status"), ["status"], unique=False)

    op.create_table(
        "idea_followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_followers_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shopper_id"],
            ["shoppers.id"],
            name=op.f("fk_idea_followers_shopper_id_shoppers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_followers")),
        sa.UniqueConstraint("idea_id", "shopper_id", name="one_follow_per_shopper"),
    )
    with op.batch_alter_table("idea_followers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_followers_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_idea_followers_shopper_id"), ["shopper_id"], unique=False)

    op.create_table(
        "gallery_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=False),
        sa.Column("product_key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=1200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'published', 'held', 'rejected', 'unpublished')",
            name=op.f("ck_gallery_entries_entry_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["design_id"],
            ["designs.id"],
            name=op.f("fk_gallery_entries_design_id_designs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shopper_id"],
            ["shoppers.id"],
            name=op.f("fk_gallery_entries_shopper_id_shoppers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gallery_entries")),
        sa.UniqueConstraint("design_id", name=op.f("uq_gallery_entries_design_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_gallery_entries_public_id")),
    )
    with op.batch_alter_table("gallery_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gallery_entries_product_key"), ["product_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_entries_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_entries_shopper_id"), ["shopper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_entries_status"), ["status"], unique=False)

    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("product_key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=480), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("design_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("max_quantity", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('vote', 'edition')", name=op.f("ck_campaigns_campaign_kind_known")),
        sa.CheckConstraint(
            "status IN ('open', 'closed', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_campaigns_campaign_status_known"),
        ),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_campaigns_campaign_closes_after_opening")),
        sa.ForeignKeyConstraint(["design_id"], ["designs.id"], name=op.f("fk_campaigns_design_id_designs")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["gallery_entries.id"],
            name=op.f("fk_campaigns_entry_id_gallery_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("public_id", name=op.f("uq_campaigns_public_id")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaigns_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_campaigns_product_key"), ["product_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_campaigns_status"), ["status"], unique=False)

    op.create_table(
        "gallery_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=1200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["gallery_entries.id"],
            name=op.f("fk_gallery_reports_entry_id_gallery_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shopper_id"],
            ["shoppers.id"],
            name=op.f("fk_gallery_reports_shopper_id_shoppers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gallery_reports")),
        sa.UniqueConstraint("entry_id", "shopper_id", name="one_report_per_shopper"),
    )
    with op.batch_alter_table("gallery_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gallery_reports_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_reports_shopper_id"), ["shopper_id"], unique=False)

    op.create_table(
        "campaign_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=320), nullable=False),
        sa.Column("attribute", sa.String(length=100), nullable=True),
        sa.Column("option_key", sa.String(length=100), nullable=True),
        sa.Column("design_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1200), nullable=True),
        sa.CheckConstraint(
            "(option_key IS NOT NULL AND attribute IS NOT NULL) OR design_id IS NOT NULL",
            name=op.f("ck_campaign_candidates_candidate_is_an_option_or_a_design"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_candidates_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["design_id"], ["designs.id"], name=op.f("fk_campaign_candidates_design_id_designs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_candidates")),
        sa.UniqueConstraint("public_id", name=op.f("uq_campaign_candidates_public_id")),
    )
    with op.batch_alter_table("campaign_candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_candidates_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "preorders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("setup_reference", sa.String(length=255), nullable=False),
        sa.Column("customer_reference", sa.String(length=255), nullable=True),
        sa.Column("payment_method_reference", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('awaiting_card', 'reserved', 'charging', 'charged', 'declined', 'released')",
            name=op.f("ck_preorders_preorder_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_preorders_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_preorders_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preorders")),
        sa.UniqueConstraint("order_id", name=op.f("uq_preorders_order_id")),
        sa.UniqueConstraint("setup_reference", name=op.f("uq_preorders_setup_reference")),
    )
    with op.batch_alter_table("preorders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_preorders_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_preorders_status"), ["status"], unique=False)

    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("device", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN entry_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN idea_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN candidate_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_votes_vote_has_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["campaign_candidates.id"],
            name=op.f("fk_votes_candidate_id_campaign_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["gallery_entries.id"],
            name=op.f("fk_votes_entry_id_gallery_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_votes_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shopper_id"], ["shoppers.id"], name=op.f("fk_votes_shopper_id_shoppers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint("candidate_id", "shopper_id", name="one_vote_per_candidate"),
        sa.UniqueConstraint("entry_id", "shopper_id", name="one_vote_per_entry"),
        sa.UniqueConstraint("idea_id", "shopper_id", name="one_vote_per_idea"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_shopper_id"), ["shopper_id"], unique=False)


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_orders_status_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_orders_status_known"),
            "status IN ('pending', 'paid', 'in_production', 'shipped', 'cancelled', 'refunded')",
        )

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_shopper_id"))
        batch_op.drop_index(batch_op.f("ix_votes_idea_id"))
        batch_op.drop_index(batch_op.f("ix_votes_entry_id"))
        batch_op.drop_index(batch_op.f("ix_votes_created_at"))
        batch_op.drop_index(batch_op.f("ix_votes_candidate_id"))

    op.drop_table("votes")
    with op.batch_alter_table("preorders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preorders_status"))
        batch_op.drop_index(batch_op.f("ix_preorders_campaign_id"))

    op.drop_table("preorders")
    with op.batch_alter_table("campaign_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_candidates_campaign_id"))

    op.drop_table("campaign_candidates")
    with op.batch_alter_table("gallery_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gallery_reports_shopper_id"))
        batch_op.drop_index(batch_op.f("ix_gallery_reports_entry_id"))

    op.drop_table("gallery_reports")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaigns_status"))
        batch_op.drop_index(batch_op.f("ix_campaigns_product_key"))
        batch_op.drop_index(batch_op.f("ix_campaigns_closes_at"))

    op.drop_table("campaigns")
    with op.batch_alter_table("gallery_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gallery_entries_status"))
        batch_op.drop_index(batch_op.f("ix_gallery_entries_shopper_id"))
        batch_op.drop_index(batch_op.f("ix_gallery_entries_published_at"))
        batch_op.drop_index(batch_op.f("ix_gallery_entries_product_key"))

    op.drop_table("gallery_entries")
    with op.batch_alter_table("idea_followers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_followers_shopper_id"))
        batch_op.drop_index(batch_op.f("ix_idea_followers_idea_id"))

    op.drop_table("idea_followers")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ideas_status"))
        batch_op.drop_index(batch_op.f("ix_ideas_shopper_id"))
        batch_op.drop_index(batch_op.f("ix_ideas_product_key"))
        batch_op.drop_index(batch_op.f("ix_ideas_created_at"))

    op.drop_table("ideas")
