"""export → import → export, for every bundled reglament (and the export tests' fixtures, in
each language they are exported in): nothing the BPMN holds is lost.

What is compared, for each whole export X1 of a reglament R (``tests/bpmn/exports.py``):

1. ``import-bpmn X1`` makes a skeleton; its YAML text is read back by the project's own reader.
2. What BPMN holds comes from the skeleton, exactly: ``steps`` (every key of every step, routes,
   outcomes, durations, notes), the ``actors`` that have a lane (the same ids, no more, no
   fewer), the ``channels`` with a start event (likewise), ``terms``, ``title``,
   ``effective.from``, and the time zone (the region's, where the calendar's table of regions
   has it). What BPMN does not hold (docs/bpmn.md,
   "What is lost") is taken from R: the source, provider, results, data, variants, schedules,
   notifications, templates, notes, the actors with no step and the channels with no route,
   ``effective.until``.
3. That whole is written as YAML and loaded by the loader: it must be valid, and its model equal
   R's model (pydantic equality: every field of every part; R's ``extends``, the name of the
   base file it was read with, aside: the whole is written out merged).
4. Its export X2 must be X1 byte for byte: the same XML, the same drawing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reglament.loader import load
from reglament.loader.bpmn import import_bpmn, text
from reglament.renderers.bpmn import bpmn
from reglament.schemas import Reglament
from reglament.source import yaml_reader
from reglament.source.document import to_document
from reglament.source.yaml_writer import dump
from tests.bpmn.exports import WHOLE, exports
from tests.diagrams.clients import need_graphviz


def _exported_actors(reglament: Reglament, xml: str) -> set[str]:
    return {a for a in reglament.actors if f'id="a_{a.replace("-", "_")}"' in xml}


def _completed(original: Reglament, imported: dict[str, Any]) -> dict[str, Any]:
    """R's data with every part BPMN holds replaced by the import's."""
    done: dict[str, Any] = original.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    done.pop("extends", None)  # the model is the merged whole already
    done["title"] = imported["title"]
    done["timezone"] = imported["timezone"] or original.timezone  # a region the table lacks
    done["effective"] = {**done["effective"], "from": imported["effective"]["from"]}
    done["actors"] = {**done["actors"], **imported["actors"]}
    done["channels"] = {**done["channels"], **imported["channels"]}
    done.pop("terms", None)
    if "terms" in imported:
        done["terms"] = imported["terms"]
    done["steps"] = imported["steps"]
    return done


@pytest.mark.parametrize("name", WHOLE)
def test_export_import_export(name: str, tmp_path: Path) -> None:
    need_graphviz()
    export = exports()[name]
    original = export.reglament
    drawn = tmp_path / "drawn.bpmn"
    drawn.write_text(export.xml, encoding="utf-8")

    skeleton = import_bpmn(drawn, original.id, original.region)
    assert skeleton.left_out == [], [str(p) for p in skeleton.left_out]
    imported = to_document(yaml_reader.parse(text(skeleton, "drawn.bpmn"), "skeleton.yaml")).data
    assert isinstance(imported, dict)
    assert isinstance(imported["actors"], dict) and isinstance(imported["channels"], dict)
    assert set(imported["actors"]) == _exported_actors(original, export.xml)
    assert set(imported["channels"]) == {c for c, spec in original.channels.items() if spec.start}
    assert imported["timezone"] in (original.timezone, None)

    again = tmp_path / f"{original.id}.yaml"
    again.write_text(dump(_completed(original, imported)), encoding="utf-8")
    completed = load(again)  # valid, or DefinitionError with every problem
    # the whole is written out merged: only R's 'extends' (the base file it was read with) differs
    assert completed.model_copy(update={"extends": original.extends}) == original
    assert bpmn(completed, export.channel, export.language) == export.xml
