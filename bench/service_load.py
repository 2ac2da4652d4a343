"""The users of the service's load test (``bench/service_bench.py``): locust's one home.

Run only as ``python -m locust -f bench/service_load.py --headless ...`` in a process of its
own, never imported by the bench or the tests (importing locust patches the standard library
with gevent). The plan (``REGLAMENT_LOAD_PLAN``, a JSON file the bench wrote) gives each user
its own prepared cases, the tokens, how many requests it sends and at what pace; each user
sends that many (or fewer, when the run's time limit comes first), then stops, and the last
one to stop ends the run. Every request's latency and status, and every completion's answer,
go to the plan's ``out`` file when locust quits.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import FastHttpUser, events, task
from locust.exception import StopUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["REGLAMENT_LOAD_PLAN"]).read_text("utf-8"))
GROUPS = ("case read", "case list", "reglament read", "step completion")
REPEATED = "step completion, key repeated"
samples: list[tuple[str, float, float, int]] = []  # group, start (epoch s), ms, status
completions: list[dict[str, Any]] = []
_slots = itertools.count()
_stopped = itertools.count(1)


def _sample(
    name: str, response_time: float, response: Any, start_time: float, context: Any, **_: Any
) -> None:
    """A request's latency from when it was due: locust's (send to last byte) plus how late
    its client sent it (wrk2's correction for coordinated omission; 0 in a closed loop)."""
    status = int(getattr(response, "status_code", 0) or 0)
    late = float((context or {}).get("late", 0.0))
    samples.append((name, start_time - late / 1e3, response_time + late, status))


def _write(**_: Any) -> None:
    out = {"samples": samples, "completions": completions}
    Path(PLAN["out"]).write_text(json.dumps(out), "utf-8")


events.request.add_listener(_sample)  # type: ignore[no-untyped-call]
events.quitting.add_listener(_write)  # type: ignore[no-untyped-call]


def _etag(response: Any) -> str | None:
    found: str | None = (response.headers or {}).get("ETag")
    return found


class Client(FastHttpUser):
    """One client of the service: reads its cases, lists, reads the reglament, completes the
    steps of its own cases in order (each with ``If-Match`` and a new ``Idempotency-Key``;
    a share of them sent twice with the same key, as a client that lost the answer would)."""

    def wait_time(self) -> float:
        """Paced: each client sends on a fixed schedule, one request each 1/pace seconds from
        a drawn phase (wrk2's constant rate), so that together they offer a steady rate, not
        one burst per period; a send whose instant passed while an answer was awaited goes at
        once, its lateness counted in its latency. Closed loop: no wait."""
        if not PLAN["pace"]:
            return 0.0
        self.due += 1 / PLAN["pace"]
        return max(0.0, self.due - time.time())

    def _late(self) -> dict[str, float]:
        """The request's context: how many ms after its due instant it is sent."""
        return {"late": max(0.0, time.time() - self.due) * 1e3 if PLAN["pace"] else 0.0}

    network_timeout = connection_timeout = 120.0

    def on_start(self) -> None:
        slot = next(_slots)
        mine = PLAN["users"][slot]
        self.random = random.Random(PLAN["seed"] + slot)
        self.left = PLAN["requests"]
        self.due = time.time()
        if PLAN["pace"]:  # the client's phase: its first send within its first period
            self.due += self.random.uniform(0, 1 / PLAN["pace"])
            gevent.sleep(max(0.0, self.due - time.time()))
        self.receipts = [case["receipt"] for case in mine]
        self.revision = {case["receipt"]: case["revision"] for case in mine}
        # the first step of every case, then the second of every case, ...
        self.moves = [
            (case["receipt"], *case["moves"][n])
            for n in range(max(len(c["moves"]) for c in mine))
            for case in mine
            if n < len(case["moves"])
        ]

    def on_stop(self) -> None:
        if next(_stopped) == len(PLAN["users"]):
            runner = self.environment.runner
            assert runner is not None
            gevent.spawn_later(0.1, runner.quit)

    def _auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {PLAN['tokens'][role]}"}

    @task
    def one(self) -> None:
        if self.left <= 0:
            raise StopUser()
        self.left -= 1
        group = self.random.choices(GROUPS, PLAN["weights"])[0]
        if group == "step completion" and not self.moves:
            group = "case read"
        if group == "case read":
            receipt = self.random.choice(self.receipts)
            self.client.get(
                f"/v1/cases/{receipt}", headers=self._auth("clerk"), name=group,
                context=self._late(),
            )  # fmt: skip
        elif group == "case list":
            query = PLAN["lists"][self.random.randrange(len(PLAN["lists"]))]
            self.client.get(
                f"/v1/cases?{query['query']}", headers=self._auth(query["role"]), name=group,
                context=self._late(),
            )  # fmt: skip
        elif group == "reglament read":
            self.client.get(
                f"/v1/reglaments/{PLAN['reglament']}", headers=self._auth("clerk"), name=group,
                context=self._late(),
            )  # fmt: skip
        else:
            self._complete()

    def _complete(self) -> None:
        receipt, step, role, at = self.moves.pop(0)
        headers = {
            **self._auth(role),
            "If-Match": f'"{self.revision[receipt]}"',
            "Idempotency-Key": uuid.uuid4().hex,
        }
        body = {"step": step, "at": at}
        path = f"/v1/cases/{receipt}/complete"
        first = self.client.post(
            path, json=body, headers=headers, name="step completion", context=self._late()
        )
        done = {
            "receipt": receipt,
            "step": step,
            "status": first.status_code,
            "etag": _etag(first),
            "repeated": None,
        }
        if first.status_code == 200 and self.left > 0 and self.random.random() < PLAN["repeat"]:
            again = self.client.post(path, json=body, headers=headers, name=REPEATED)  # at once
            done["repeated"] = [again.status_code, _etag(again)]
            self.left -= 1
        if first.status_code == 200 and done["etag"]:
            self.revision[receipt] = int(str(done["etag"]).strip('W/"'))
        completions.append(done)


__all__ = ["Client"]
