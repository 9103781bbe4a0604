"""Community: gallery entries and their reports, ideas and their followers, and votes for either.

Revision ID: 70ce71e968c3
Revises: 8e2a4d6c1f07
Create Date: 2026-12-07 17:07:43.016771

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "70ce71e968c3"
down_revision = "8e2a4d6c1f07"
branch_labels = None
depends_on = None


def upgrade():
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
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("device", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(entry_id IS NULL) <> (idea_id IS NULL)", name=op.f("ck_votes_vote_has_one_subject")
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
        sa.UniqueConstraint("entry_id", "shopper_id", name="one_vote_per_entry"),
        sa.UniqueConstraint("idea_id", "shopper_id", name="one_vote_per_idea"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_shopper_id"), ["shopper_id"], unique=False)


def downgrade():
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_shopper_id"))
        batch_op.drop_index(batch_op.f("ix_votes_idea_id"))
        batch_op.drop_index(batch_op.f("ix_votes_entry_id"))
        batch_op.drop_index(batch_op.f("ix_votes_created_at"))

    op.drop_table("votes")
    with op.batch_alter_table("gallery_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gallery_reports_shopper_id"))
        batch_op.drop_index(batch_op.f("ix_gallery_reports_entry_id"))

    op.drop_table("gallery_reports")
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
