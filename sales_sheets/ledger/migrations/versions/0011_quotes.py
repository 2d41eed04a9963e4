"""报价单 (spec 4e): the tables of the kind `quote` (`quotes`, `quote_lines`, each line with the
product's name, spec, unit and list price when it was quoted, and its amount), created only if
missing like the earlier migrations' tables; and on `orders` the quotation an order follows
(`quote_no`) and that quotation's approval (`quote_approval`). Money as scaled integers (fen),
like every amount.

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _index(name: str, table: str, *columns: str) -> None:
    op.create_index(name, table, list(columns), if_not_exists=True)


def upgrade() -> None:
    op.create_table(
        "quotes",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("quote_no", sa.String(length=64), nullable=True),
        sa.Column("quote_date", sa.Date(), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("prospect_name", sa.Text(), nullable=True),
        sa.Column("salesperson", sa.String(length=64), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("delivery_terms", sa.Text(), nullable=True),
        sa.Column("payment_terms", sa.Text(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
        if_not_exists=True,
    )
    _index("ix_quotes_quote_no", "quotes", "quote_no")
    _index("ix_quotes_customer_code_quote_date", "quotes", "customer_code", "quote_date")
    _index("ix_quotes_salesperson_quote_date", "quotes", "salesperson", "quote_date")
    op.create_table(
        "quote_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.String(length=64), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("unit_price", sa.BigInteger(), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("product_name", sa.Text(), nullable=True),
        sa.Column("spec", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("list_price", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    _index("ix_quote_lines_document_id", "quote_lines", "document_id")
    # An order may follow a quotation: its number, and the quotation's approval as recorded.
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("orders")}
    with op.batch_alter_table("orders") as batch:
        if "quote_no" not in have:
            batch.add_column(sa.Column("quote_no", sa.String(length=64), nullable=True))
        if "quote_approval" not in have:
            batch.add_column(sa.Column("quote_approval", sa.Text(), nullable=True))
