"""Every BPMN export the tests check: each bundled reglament whole and from each channel with a
route, the hostile and parallel fixtures, and one act in Kazakh and Russian; each exported once
per test session (each export runs Graphviz once)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reglament.loader import load, load_library
from reglament.renderers.bpmn import bpmn
from reglament.schemas import Language, Reglament

HERE = Path(__file__).parent
NASTY = HERE.parent / "diagrams" / "nasty.yaml"
PARALLEL = HERE.parent / "engine" / "data" / "synthetic-parallel.yaml"
MINIMAL = HERE.parent / "fixtures" / "minimal.yaml"


@dataclass(eq=False)
class Export:
    reglament: Reglament
    channel: str | None
    language: Language
    bundled: bool  # one of the library's reglaments, whole (the browser screenshots these)
    _xml: str | None = None

    @property
    def xml(self) -> str:
        if self._xml is None:
            self._xml = bpmn(self.reglament, self.channel, self.language)
        return self._xml


@cache
def exports() -> dict[str, Export]:
    library = load_library()
    assert library.ok
    found: dict[str, Export] = {}
    extra = [load(NASTY), load(PARALLEL), load(MINIMAL)]
    for reglament in [*library.reglaments, *extra]:
        name = f"{reglament.region}-{reglament.id}"
        bundled = any(reglament is r for r in library.reglaments)
        found[name] = Export(reglament, None, Language.en, bundled)
        for channel, spec in reglament.channels.items():
            if spec.start is not None:
                found[f"{name}/{channel}"] = Export(reglament, channel, Language.en, False)
    child_benefit = library.find("child-benefit-under-18", "atyrau").reglament
    assert child_benefit is not None
    for reglament in (load(NASTY), child_benefit):
        for language in (Language.kk, Language.ru):
            name = f"{reglament.region}-{reglament.id}/{language}"
            found[name] = Export(reglament, None, language, False)
    return found


NAMES = sorted(exports())
BUNDLED = sorted(name for name, export in exports().items() if export.bundled)
WHOLE = sorted(name for name, export in exports().items() if export.channel is None)
"""The exports of whole reglaments (a channel's is a part of its reglament's drawing)."""
