"""开票登记 (spec 4b): the `invoices` table of the kind `invoice`, one row per stored version of
a registered VAT invoice (the rest lives in `documents`, as for every kind). Created only if
missing, like the earlier migrations' tables. Money is an integer of cents
(`sales_sheets.ledger.decimals.Scaled`).

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(length=64), nullable=True),
        sa.Column("order_version", sa.Integer(), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("invoice_no", sa.String(length=64), nullable=True),
        sa.Column("invoiced_on", sa.Date(), nullable=True),
        sa.Column("invoice_amount", sa.BigInteger(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("order_document_id", sa.Integer(), nullable=True),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["order_document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
        if_not_exists=True,
    )
    for name, columns in (("ix_invoices_order_no", ["order_no"]),
                          ("ix_invoices_customer_code_invoiced_on",
                           ["customer_code", "invoiced_on"]),
                          ("ix_invoices_invoice_no", ["invoice_no"])):
        op.create_index(name, "invoices", columns, if_not_exists=True)
