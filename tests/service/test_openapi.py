"""The OpenAPI 3.1 document: the served one is the committed copy (docs/openapi.json; ``make
schema`` writes it), and every operation is under /v1, named, tagged, with its problems."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from reglament.service.app import openapi_text

COPY = Path(__file__).resolve().parent.parent.parent / "docs" / "openapi.json"


def test_served_document_is_the_committed_copy(client: TestClient) -> None:
    served = client.get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COPY.read_text("utf-8")), "run make schema"
    assert openapi_text() == COPY.read_text("utf-8"), "run make schema"


def test_every_operation_is_described() -> None:
    document = json.loads(COPY.read_text("utf-8"))
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, methods in document["paths"].items():
        assert path.startswith("/v1/")
        for method, operation in methods.items():
            where = f"{method} {path}"
            assert operation["operationId"] and operation["tags"], where
            assert operation["security"] == [{"HTTPBearer": []}], where
            for status in ("401", "403", "422"):
                content = operation["responses"][status]["content"]
                assert "application/problem+json" in content, where
