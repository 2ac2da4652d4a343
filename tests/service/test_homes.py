"""FastAPI and starlette are imported only in reglament/service/, uvicorn only in its serve.py,
and the service reaches the database only through the store (no SQLAlchemy of its own): ruff's
banned-api lets the whole service folder import them, so this test holds the finer rule."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent.parent / "reglament"
HOMES = {
    "fastapi": "service/",
    "starlette": "service/",
    "uvicorn": "service/serve.py",
}
NOT_IN_SERVICE = ("sqlalchemy", "alembic", "psycopg")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_each_library_in_its_home() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        for name in _imports(path):
            home = HOMES.get(name)
            if home is not None and not where.startswith(home):
                wrong.append(f"{where} imports {name} (its home: {home})")
            if where.startswith("service/") and name in NOT_IN_SERVICE:
                wrong.append(f"{where} imports {name} (the store's)")
    assert wrong == []
