"""客户投诉 (spec 4e): the `complaints` table of the kind `complaint`, one row per stored
version of a complaint (the rest lives in `documents`, as for every kind): what was received,
its due date (the form's, or the one its severity gives) and, once resolved, the day, the
resolution and the satisfaction score. Created only if missing, like the earlier migrations'
tables.

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("complaint_no", sa.String(length=64), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("salesperson", sa.String(length=64), nullable=True),
        sa.Column("order_no", sa.String(length=64), nullable=True),
        sa.Column("product_code", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
        if_not_exists=True,
    )
    for name, columns in (("ix_complaints_complaint_no", ["complaint_no"]),
                          ("ix_complaints_customer_code_received_on",
                           ["customer_code", "received_on"]),
                          ("ix_complaints_salesperson_received_on",
                           ["salesperson", "received_on"])):
        op.create_index(name, "complaints", columns, if_not_exists=True)
