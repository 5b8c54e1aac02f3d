"""files: the S3 object version recorded when an upload completes

Revision ID: 0021
Revises: 0005
Create Date: 2026-12-02 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Downloads are signed for this version, so a second PUT to a still-valid upload URL cannot swap
    # the file after its checks (NULL: a bucket without versioning, or an upload from before).
    op.add_column("attachments", sa.Column("version_id", sa.String(length=1024), nullable=True))


def downgrade() -> None:
    op.drop_column("attachments", "version_id")
