"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}

Frozen history: spell every table, column, type, default, constraint and index out here.
Never import the live Table objects from themepark_tracker.db.tables into a revision.
Name the file versions/<NNN>_<slug>.py and pass --rev-id=<NNN> to `alembic revision`.
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


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
