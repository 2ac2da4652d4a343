"""0003: the calendars the cases are planned on: a ``calendars`` table, and the fingerprint of
the calendar on each case (``cases.calendar``) and on each write (``events.calendar``).

A case or write from before 0003 has none: it was planned on the default calendar, the only one
the store ran on then (docs/runtime.md, "A new calendar").

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reglament.store.tables import Instant

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "calendars",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("days", sa.Text, nullable=False),
        sa.Column("installed_at", Instant, nullable=False),
    )
    op.create_index("ix_calendars_fingerprint", "calendars", ["fingerprint"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("calendar", sa.String(64)))
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("calendar", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("calendar")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("calendar")
    op.drop_index("ix_calendars_fingerprint", table_name="calendars")
    op.drop_table("calendars")
