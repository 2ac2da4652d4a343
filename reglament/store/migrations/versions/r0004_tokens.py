"""0004: the HTTP service's bearer tokens, and the request id on each event.

``tokens`` keeps a token's name, role (clerk, head, auditor, admin), region, actor and the
SHA-256 of its secret (the secret itself is shown once, at creation, and kept nowhere);
``events.request_id`` is the ``X-Request-Id`` of the HTTP request that made the write.

(0003 is the calendar re-projection's; this one follows 0002 until that lands, then 0003.)

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reglament.store.tables import Instant

revision = "0004"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("revoked_at", Instant),
    )
    op.create_index("ux_tokens_secret", "tokens", ["secret_sha256"], unique=True)
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("request_id", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("request_id")
    op.drop_index("ux_tokens_secret", table_name="tokens")
    op.drop_table("tokens")
