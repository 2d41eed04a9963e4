"""An index on approvals.approval_no: assigning the next approval number of a day reads that
day's numbers, which without it meant reading every approval, once per approval form.

PostgreSQL gets the text_pattern_ops operator class, so a prefix LIKE uses the index whatever
the database's collation; SQLite's GLOB uses a plain one.

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_approvals_approval_no", "approvals", ["approval_no"],
                    postgresql_ops={"approval_no": "text_pattern_ops"}, if_not_exists=True)
