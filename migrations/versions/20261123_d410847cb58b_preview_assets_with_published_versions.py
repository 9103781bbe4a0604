"""Preview assets stored with published versions (existing versions have none).

Revision ID: d410847cb58b
Revises: f2998b97eacf
Create Date: 2026-11-23 07:59:18.491422

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "d410847cb58b"
down_revision = "f2998b97eacf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "asset_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_asset_blobs")),
    )
    with op.batch_alter_table("product_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "assets",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="{}",
            )
        )


def downgrade():
    with op.batch_alter_table("product_versions", schema=None) as batch_op:
        batch_op.drop_column("assets")

    op.drop_table("asset_blobs")
