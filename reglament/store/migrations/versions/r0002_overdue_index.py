"""0002: the overdue list's index in the list's order: (overdue_at, id) in place of
(status, overdue_at).

``cases list --overdue`` asks ``overdue_at < T`` of open and suspended cases in order of
``overdue_at, id``, a page at a time. On (status, overdue_at) both databases read every overdue
case of each status and sort them all for the first page (SQLite: ``USE TEMP B-TREE FOR ORDER
BY``), 285 ms at 100,000 cases; (overdue_at, id) gives them in order, so the page reads its 100
rows. A finished case has no ``overdue_at``, so the index holds only open and suspended ones.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.drop_index("ix_cases_status_overdue", table_name="cases")
    op.create_index("ix_cases_overdue", "cases", ["overdue_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_overdue", table_name="cases")
    op.create_index("ix_cases_status_overdue", "cases", ["status", "overdue_at"])
