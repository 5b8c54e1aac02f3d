"""files and extraction jobs: attachments, extraction jobs (one per object version), applied mappings

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(length=17), nullable=False),
        sa.Column("workspace_id", sa.String(length=17), nullable=False),
        sa.Column("base_id", sa.String(length=17), nullable=False),
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("record_id", sa.String(length=17), nullable=False),
        sa.Column("field_id", sa.String(length=17), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("declared_size", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.String(length=63), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("etag", sa.String(length=80), nullable=True),
        sa.Column("thumbnails", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=17), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_attachments_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index("ix_attachments_table_id_record_id", "attachments", ["table_id", "record_id"], unique=False)
    op.create_index("ix_attachments_bucket_key", "attachments", ["bucket", "key"], unique=True)

    op.create_table(
        "extraction_jobs",
        sa.Column("id", sa.String(length=17), nullable=False),
        sa.Column("attachment_id", sa.String(length=17), nullable=False),
        sa.Column("workspace_id", sa.String(length=17), nullable=False),
        sa.Column("base_id", sa.String(length=17), nullable=False),
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("bucket", sa.String(length=63), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("sequencer", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("result_key", sa.Text(), nullable=True),
        sa.Column("result_bytes", sa.BigInteger(), nullable=True),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("timings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("warnings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.String(length=17), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_extraction_jobs_attachment_id_attachments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_extraction_jobs_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction_jobs")),
        # One job per object version: duplicate S3 notifications land on the same row.
        sa.UniqueConstraint("bucket", "key", "etag", name="uq_extraction_jobs_object_version"),
    )
    op.create_index(
        "ix_extraction_jobs_table_id_created_at", "extraction_jobs", ["table_id", "created_at"], unique=False
    )
    op.create_index("ix_extraction_jobs_attachment_id", "extraction_jobs", ["attachment_id"], unique=False)

    op.create_table(
        "extraction_job_mappings",
        sa.Column("id", sa.String(length=17), nullable=False),
        sa.Column("job_id", sa.String(length=17), nullable=False),
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("record_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=17), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["extraction_jobs.id"],
            name=op.f("fk_extraction_job_mappings_job_id_extraction_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_extraction_job_mappings_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction_job_mappings")),
    )
    op.create_index(
        "ix_extraction_job_mappings_job_id_key",
        "extraction_job_mappings",
        ["job_id", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_extraction_job_mappings_job_id_key", table_name="extraction_job_mappings")
    op.drop_table("extraction_job_mappings")
    op.drop_index("ix_extraction_jobs_attachment_id", table_name="extraction_jobs")
    op.drop_index("ix_extraction_jobs_table_id_created_at", table_name="extraction_jobs")
    op.drop_table("extraction_jobs")
    op.drop_index("ix_attachments_bucket_key", table_name="attachments")
    op.drop_index("ix_attachments_table_id_record_id", table_name="attachments")
    op.drop_table("attachments")
