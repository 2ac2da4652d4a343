"""The JSON Schema of the reglament format, generated from the models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reglament.schemas.reglament import Reglament

SCHEMA_FILE = Path(__file__).resolve().parent / "reglament.schema.json"
SCHEMA_ID = "https://github.com/reglament/reglament/schemas/reglament.schema.json"


def json_schema() -> dict[str, Any]:
    schema = Reglament.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
