"""`documents.released_at` becomes `decided_at`: it is set when an approval (a 审批单 or an
administrator's `release`) accepts a held document, and also when one declines it, which
"released" never said.

A ledger made before migrations and completed by the first one already has the new name.

There is no downgrade: going back means restoring a backup taken before the upgrade.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("documents")}
    if "released_at" in columns:
        # SQLite (3.25 and newer) and PostgreSQL both rename in place: no copy of the table
        # that every line table refers to.
        op.execute("ALTER TABLE documents RENAME COLUMN released_at TO decided_at")
