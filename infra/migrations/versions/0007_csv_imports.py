"""csv imports: progress rows of CSV imports

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-25 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "csv_imports",
        sa.Column("id", sa.String(length=17), nullable=False),
        sa.Column("base_id", sa.String(length=17), nullable=False),
        sa.Column("table_id", sa.String(length=17), nullable=True),
        sa.Column("created_by", sa.String(length=17), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("imported_rows", sa.Integer(), nullable=False),
        sa.Column("failed_rows", sa.Integer(), nullable=False),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csv_imports")),
    )
    op.create_index("ix_csv_imports_table_id_created_at", "csv_imports", ["table_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_csv_imports_table_id_created_at", table_name="csv_imports")
    op.drop_table("csv_imports")
