"""merge the migration branches into one head

Revision ID: 0041
Revises: 0007, 0020, 0021, 0040
Create Date: 2026-12-02 21:50:00

The domains' migrations were written side by side, each revising an older revision, which left
several heads. From here on there is one head, and a test keeps it that way.
"""

from __future__ import annotations

revision = "0041"
down_revision = ("0007", "0020", "0021", "0040")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
