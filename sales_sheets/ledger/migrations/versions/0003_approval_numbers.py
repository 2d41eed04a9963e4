"""An index on the approval number's day and number: assigning the next approval number of a
day reads the largest of that day, which without it meant reading and sorting every approval
(of the day, or of the ledger), once per approval form.

The index is on expressions (ledger/schema.py, APPROVAL_NUMBER_KEY), spelled here as the
queries spell them, with literal constants: a database uses such an index only for a query
that spells them the same.

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_approvals_day_number", "approvals", [
        sa.text("substr(approval_no, 1, 12)"),
        sa.text("length(ltrim(substr(approval_no, 13), '0'))"),
        sa.text("ltrim(substr(approval_no, 13), '0')"),
    ], if_not_exists=True)
