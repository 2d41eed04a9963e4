"""Deliveries (发货单, spec 4b): the `deliveries` header table and its `delivery_lines`, as the
delivery kind declares them (sales_sheets/kinds/delivery.py). Created only if missing, like the
second migration's tables; no existing row changes.

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _index(name: str, table: str, *columns: str) -> None:
    op.create_index(name, table, list(columns), if_not_exists=True)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("delivery_no", sa.String(length=64), nullable=True),
        sa.Column("delivery_date", sa.Date(), nullable=True),
        sa.Column("order_no", sa.String(length=64), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("salesperson", sa.String(length=64), nullable=True),
        sa.Column("vehicle_or_picker", sa.Text(), nullable=True),
        sa.Column("signed_by", sa.Text(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
        if_not_exists=True,
    )
    _index("ix_deliveries_order_no", "deliveries", "order_no")
    _index("ix_deliveries_customer_code_delivery_date", "deliveries", "customer_code",
           "delivery_date")
    op.create_table(
        "delivery_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.String(length=64), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    _index("ix_delivery_lines_document_id", "delivery_lines", "document_id")
