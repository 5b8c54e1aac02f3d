"""links: record_links (link fields, both directions indexed, cascading on purge)

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-25 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_links",
        sa.Column("field_id", sa.String(length=17), nullable=False),
        sa.Column("from_record_id", sa.String(length=17), nullable=False),
        sa.Column("to_record_id", sa.String(length=17), nullable=False),
        sa.Column("from_table_id", sa.String(length=17), nullable=False),
        sa.Column("to_table_id", sa.String(length=17), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"], ["fields.id"], name=op.f("fk_record_links_field_id_fields"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["from_table_id", "from_record_id"],
            ["records.table_id", "records.id"],
            name=op.f("fk_record_links_from_table_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_table_id", "to_record_id"],
            ["records.table_id", "records.id"],
            name=op.f("fk_record_links_to_table_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("field_id", "from_record_id", "to_record_id", name=op.f("pk_record_links")),
    )
    op.create_index("ix_record_links_to", "record_links", ["to_table_id", "to_record_id"], unique=False)
    op.create_index("ix_record_links_from", "record_links", ["from_table_id", "from_record_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_record_links_from", table_name="record_links")
    op.drop_index("ix_record_links_to", table_name="record_links")
    op.drop_table("record_links")
