"""对账回函 (spec 4b): the 对账函 numbers issued (`statements_issued`), and the tables of the
`statement_reply` kind, the customer's answer (`statement_replies`) with its disputed items
(`disputes`). Created only if missing, like the earlier migrations' tables. Statements written
before this revision have no number on record; writing them again issues one.

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _index(name: str, table: str, *columns: str) -> None:
    op.create_index(name, table, list(columns), if_not_exists=True)


def upgrade() -> None:
    op.create_table(
        "statements_issued",
        sa.Column("statement_no", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("closing", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_by", sa.String(length=64), nullable=True),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("statement_no"),
        if_not_exists=True,
    )
    _index("ix_statements_issued_period_customer", "statements_issued", "period",
           "customer_code")
    op.create_table(
        "statement_replies",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("statement_no", sa.String(length=64), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("reply", sa.String(length=16), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("customer_balance", sa.BigInteger(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("our_balance", sa.BigInteger(), nullable=True),
        sa.Column("their_balance", sa.BigInteger(), nullable=True),
        sa.Column("difference", sa.BigInteger(), nullable=True),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
        if_not_exists=True,
    )
    _index("ix_statement_replies_statement_no", "statement_replies", "statement_no")
    _index("ix_statement_replies_customer_code", "statement_replies", "customer_code")
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item", sa.Text(), nullable=True),
        sa.Column("our_amount", sa.BigInteger(), nullable=True),
        sa.Column("their_amount", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    _index("ix_disputes_document_id", "disputes", "document_id")
