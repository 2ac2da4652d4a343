"""The JSON Schema of the reglament format, generated from the models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from reglament.schemas.reglament import Reglament

SCHEMA_FILE = Path(__file__).resolve().parent / "reglament.schema.json"
SCHEMA_ID = "https://github.com/reglament/reglament/schemas/reglament.schema.json"


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, with mappings whose keys are constrained closed to other keys.

    A ``dict[Slug, X]`` becomes ``patternProperties``, which alone lets any other key through;
    the models refuse such keys, so the schema says ``additionalProperties: false`` too.
    """

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        result = super().dict_schema(schema)
        if "patternProperties" in result and "additionalProperties" not in result:
            result["additionalProperties"] = False
        return result


def json_schema() -> dict[str, Any]:
    schema = Reglament.model_json_schema(by_alias=True, schema_generator=_Generator)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
