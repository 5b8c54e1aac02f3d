"""search: search documents (weighted tsvector), search terms (typo candidates), feeder cursor

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-02 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("record_id", sa.String(length=17), nullable=False),
        sa.Column("base_id", sa.String(length=17), nullable=False),
        sa.Column("workspace_id", sa.String(length=17), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("drawing", sa.Text(), nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("table_id", "record_id", name=op.f("pk_search_documents")),
    )
    op.create_index("ix_search_documents_tsv", "search_documents", ["tsv"], postgresql_using="gin")
    op.create_index("ix_search_documents_base_id", "search_documents", ["base_id"])
    op.create_index("ix_search_documents_workspace_id", "search_documents", ["workspace_id"])
    op.create_table(
        "search_terms",
        sa.Column("base_id", sa.String(length=17), nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.Column("variants", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("base_id", "word", name=op.f("pk_search_terms")),
    )
    op.create_index("ix_search_terms_variants", "search_terms", ["variants"], postgresql_using="gin")
    op.create_table(
        "search_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_search_cursor")),
    )


def downgrade() -> None:
    op.drop_table("search_cursor")
    op.drop_index("ix_search_terms_variants", table_name="search_terms")
    op.drop_table("search_terms")
    op.drop_index("ix_search_documents_workspace_id", table_name="search_documents")
    op.drop_index("ix_search_documents_base_id", table_name="search_documents")
    op.drop_index("ix_search_documents_tsv", table_name="search_documents")
    op.drop_table("search_documents")
