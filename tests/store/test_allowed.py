"""What the office page asks the store: ``Store.allowed``, the moves a stored case may take
now, as ``Engine.allowed`` answers them for the case the store keeps; ``Store.cases(open_only=
True)``, the cases not finished. On both databases."""

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


def test_open_only_leaves_finished_cases_out(store: Store) -> None:
    ref = start(store).response["case"]
    other = start(store, when=at(10)).response["case"]
    for step, when, outcome in [
        ("ab-accept", at(9, 11), None),
        ("resolution", at(9, 12), None),
        ("review", at(10, 12), "refused"),
        ("sign-refusal", at(10, 13), None),
        ("issue-refusal", at(10, 15), None),
    ]:
        store.complete(ref, step, when, outcome)
    listed = [case["case"] for case in store.cases(at(11), open_only=True)]
    assert listed == [other]
    assert sorted(case["case"] for case in store.cases(at(11))) == sorted([ref, other])
