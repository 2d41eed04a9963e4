"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}

Write every table and column out here; never read the package's schema, which will have moved
on. Alter tables with `op.batch_alter_table` (SQLite copies the table). There is no downgrade:
going back means restoring a backup taken before the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}
