"""records: records, record sequences, expression index registry, record history, trigram function

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Lower-cased trigrams of a text as an array, for GIN indexes that make `contains` filters fast.
# PostgreSQL builds without pg_trgm (the embedded server) have no trigram operator class, so PyBase
# indexes this IMMUTABLE function instead and queries `pybase_trigrams(x) @> pybase_trigrams(term)`
# followed by the exact ILIKE recheck.
TRIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION pybase_trigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(substr(s, i, 3)), '{}'::text[])
  FROM (SELECT lower(value) AS s) AS v, generate_series(1, length(s) - 2) AS i
$$
"""


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("id", sa.String(length=17), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=17), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=17), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_records_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("table_id", "id", name=op.f("pk_records")),
    )
    op.create_index("ix_records_table_id_seq", "records", ["table_id", "seq"], unique=True)
    op.create_table(
        "record_sequences",
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_record_sequences_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("table_id", name=op.f("pk_record_sequences")),
    )
    op.create_table(
        "record_indexes",
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("field_id", sa.String(length=17), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("expression", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_record_indexes_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_record_indexes")),
    )
    op.create_index(op.f("ix_record_indexes_field_id"), "record_indexes", ["field_id"], unique=False)
    op.create_index(op.f("ix_record_indexes_table_id"), "record_indexes", ["table_id"], unique=False)
    op.create_table(
        "record_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("table_id", sa.String(length=17), nullable=False),
        sa.Column("record_id", sa.String(length=17), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=17), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"], ["tables.id"], name=op.f("fk_record_history_table_id_tables"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_history")),
    )
    op.create_index(
        "ix_record_history_table_id_record_id_id", "record_history", ["table_id", "record_id", "id"], unique=False
    )
    op.execute(TRIGRAMS_FUNCTION)


def downgrade() -> None:
    # Drop the partial expression indexes PyBase created before the registry that lists them.
    bind = op.get_bind()
    for (name,) in bind.execute(sa.text("SELECT name FROM record_indexes")):
        op.execute(f'DROP INDEX IF EXISTS "{name}"')
    op.drop_index("ix_record_history_table_id_record_id_id", table_name="record_history")
    op.drop_table("record_history")
    op.drop_index(op.f("ix_record_indexes_table_id"), table_name="record_indexes")
    op.drop_index(op.f("ix_record_indexes_field_id"), table_name="record_indexes")
    op.drop_table("record_indexes")
    op.drop_table("record_sequences")
    op.drop_index("ix_records_table_id_seq", table_name="records")
    op.drop_table("records")
    op.execute("DROP FUNCTION IF EXISTS pybase_trigrams(text)")
