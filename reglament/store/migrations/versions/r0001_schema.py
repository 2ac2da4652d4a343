"""0001: the store's first schema: cases, events, timers, outbox, idempotency.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reglament.store.tables import Instant

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    _cases()
    _events()
    _timers()
    _outbox()
    op.create_table(
        "idempotency",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("case_id", sa.String(200), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("request", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
    )


def _cases() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("reglament", sa.String(200), nullable=False),
        sa.Column("version", sa.String(10), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("variant", sa.String(100)),
        sa.Column("receipt", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("contact", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("snapshot", sa.Text, nullable=False),
        sa.Column("step_due", Instant),
        sa.Column("term_due", Instant),
        sa.Column("overdue_at", Instant),
        sa.Column("at_risk_at", Instant),
        sa.Column("at_risk_until", Instant),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("updated_at", Instant, nullable=False),
    )
    op.create_index("ix_cases_status_overdue", "cases", ["status", "overdue_at"])
    op.create_index("ix_cases_status_at_risk", "cases", ["status", "at_risk_at"])
    op.create_index("ix_cases_region", "cases", ["region"])
    op.create_index("ix_cases_reglament", "cases", ["reglament"])
    op.create_index("ux_cases_receipt", "cases", ["receipt"], unique=True)


def _events() -> None:
    op.create_table(
        "events",
        sa.Column("case_id", sa.String(200), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("command", sa.String(20), nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("step", sa.String(200)),
        sa.Column("outcome", sa.String(200)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("payload", sa.Text),
        sa.Column("user_id", sa.String(200)),
        sa.Column("role", sa.String(200)),
        sa.Column("comment", sa.Text),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("recorded_at", Instant, nullable=False),
    )


def _timers() -> None:
    op.create_table(
        "timers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(200), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("step", sa.String(200)),
        sa.Column("due_at", Instant, nullable=False),
        sa.Column("fired_at", Instant),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.UniqueConstraint(
            "case_id", "kind", "step", "due_at", name="ux_timers_case_kind_step_due"
        ),
    )
    op.create_index("ix_timers_due", "timers", ["due_at"])


def _outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(200), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("medium", sa.String(20), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("recipient", sa.String(400), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", Instant),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("delivered_at", Instant),
    )
    op.create_index("ux_outbox_key", "outbox", ["key"], unique=True)
    op.create_index("ix_outbox_next_attempt", "outbox", ["next_attempt_at"])


def downgrade() -> None:
    for table in ("idempotency", "outbox", "timers", "events", "cases"):
        op.drop_table(table)
