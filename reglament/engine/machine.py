"""The adapter to ``transitions``: one state machine per compiled reglament version.

States are the steps; triggers are the ways out of a step as
:func:`reglament.procedure.graph.exits` names them (``done`` for a task or a join, the outcome
names of a decision, ``event``/``timeout`` of a wait, ``split`` of a parallel block). Routes
with conditions become transitions with condition callables built from the sandboxed
expression language, tried in the reglament's order. Auto transitions are off, and no callback
is ever named by a string from YAML.

Cases are plain, serialisable data and may be in several steps at once (parallel branches), so
the machine is driven through one *cursor* model bound to it for good: the runtime puts the
cursor in a case's step, fires the trigger with the case's scope, and reads where it went. The
machine therefore never holds a reference to a case (nothing leaks when a case is dropped), and
a lock makes the cursor safe to share between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from transitions import Machine

from reglament.engine.compiled import Compiled
from reglament.procedure.graph import SPLIT, Branch


class _Cursor:
    """The model bound to the machine; ``state`` is set by the machine."""

    state: str


class StepMachine:
    """The compiled reglament as a ``transitions`` machine."""

    def __init__(self, compiled: Compiled) -> None:
        self._cursor = _Cursor()
        self._lock = threading.Lock()
        steps = list(compiled.steps)
        self.machine = Machine(
            model=self._cursor,
            states=steps,
            initial=steps[0],
            auto_transitions=False,
            send_event=False,
            ignore_invalid_triggers=False,
        )
        for step_id, exits in compiled.exits.items():
            for trigger, branches in exits.items():
                if trigger == SPLIT:
                    continue  # a parallel block starts all its branches: the runtime does it
                for branch in branches:
                    self.machine.add_transition(
                        trigger,
                        step_id,
                        branch.target,
                        conditions=[_condition(branch)] if branch.condition is not None else [],
                    )

    def triggers(self, step: str) -> list[str]:
        """The moves allowed from ``step``."""
        return list(self.machine.get_triggers(step))

    def fire(self, step: str, trigger: str, scope: Mapping[str, object]) -> str:
        """Where ``trigger`` leads from ``step`` for a case with this ``scope``."""
        with self._lock:
            self.machine.set_state(step, model=self._cursor)
            self._cursor.trigger(trigger, scope)  # type: ignore[attr-defined]
            return self._cursor.state


def _condition(branch: Branch) -> Callable[[Mapping[str, object]], bool]:
    condition = branch.condition
    assert condition is not None

    def holds(scope: Mapping[str, object]) -> bool:
        return condition(scope)

    return holds
