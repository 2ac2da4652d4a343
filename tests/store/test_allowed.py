"""``Store.allowed``: the moves a stored case may take now, as ``Engine.allowed`` answers them
for the case the store keeps, on both databases."""

from __future__ import annotations

from reglament.store import Store
from tests.store.helpers import at, start


def test_the_moves_follow_the_case(store: Store) -> None:
    ref = start(store).response["case"]
    assert store.allowed(ref) == {"ab-accept": ["done"]}
    store.complete(ref, "ab-accept", at(9, 11))
    store.complete(ref, "resolution", at(9, 12))
    assert store.allowed(ref) == {"review": ["granted", "refused"]}
    store.complete(ref, "review", at(10, 12), "refused")
    assert store.allowed(ref) == {"sign-refusal": ["done"]}
