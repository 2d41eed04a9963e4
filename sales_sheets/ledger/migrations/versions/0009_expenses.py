"""Expenses (spec 4c): expense budgets (费用预算: `budgets`, `budget_lines`) and expense claims
(费用报销单: `expense_claims`, `expense_lines`, each line with the month it was spent in and
the cap of its category when it was judged). Money as scaled integers (fen), like every amount.

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _provenance() -> list[sa.Column[object]]:
    return [
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
    ]


def _index(name: str, table: str, *columns: str) -> None:
    op.create_index(name, table, list(columns), if_not_exists=True)


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("period", sa.String(length=10), nullable=True),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
        if_not_exists=True,
    )
    _index("ix_budgets_owner_period", "budgets", "owner", "period")
    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        *_provenance(),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    _index("ix_budget_lines_document_id", "budget_lines", "document_id")
    op.create_table(
        "expense_claims",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("claim_no", sa.String(length=64), nullable=True),
        sa.Column("salesperson", sa.String(length=64), nullable=True),
        sa.Column("claim_date", sa.Date(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
        if_not_exists=True,
    )
    _index("ix_expense_claims_claim_no", "expense_claims", "claim_no")
    _index("ix_expense_claims_salesperson_claim_date", "expense_claims",
           "salesperson", "claim_date")
    op.create_table(
        "expense_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("invoice_count", sa.Integer(), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("month", sa.String(length=10), nullable=False),
        sa.Column("cap", sa.BigInteger(), nullable=True),
        *_provenance(),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    _index("ix_expense_lines_document_id", "expense_lines", "document_id")
    _index("ix_expense_lines_month_category", "expense_lines", "month", "category")
