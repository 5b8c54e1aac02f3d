"""views, comments, trash: comments table and the partial indexes the trash and its purge use

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", sa.String(length=17), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("record_id", sa.String(length=17), nullable=False),
        sa.Column("author_id", sa.String(length=17), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("mentions", postgresql.ARRAY(sa.String(length=17)), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["table_id", "record_id"],
            ["records.table_id", "records.id"],
            name="fk_comments_record_records",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_comments_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("seq", name=op.f("uq_comments_seq")),
    )
    op.create_index("ix_comments_table_id_record_id_seq", "comments", ["table_id", "record_id", "seq"], unique=False)
    # Trash: only deleted rows are in these indexes, so they stay tiny and cost live writes nothing.
    op.create_index(
        "ix_records_trash",
        "records",
        ["table_id", "deleted_at"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    # Restoring by record ID alone (the primary key leads with table_id).
    op.create_index(
        "ix_records_trash_id", "records", ["id"], unique=False, postgresql_where=sa.text("deleted_at IS NOT NULL")
    )
    op.create_index(
        "ix_fields_trash", "fields", ["deleted_at"], unique=False, postgresql_where=sa.text("deleted_at IS NOT NULL")
    )
    op.create_index(
        "ix_views_trash", "views", ["deleted_at"], unique=False, postgresql_where=sa.text("deleted_at IS NOT NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_views_trash", table_name="views")
    op.drop_index("ix_fields_trash", table_name="fields")
    op.drop_index("ix_records_trash_id", table_name="records")
    op.drop_index("ix_records_trash", table_name="records")
    op.drop_index("ix_comments_table_id_record_id_seq", table_name="comments")
    op.drop_table("comments")
