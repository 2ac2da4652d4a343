"""What every request of the service reads: the case store, the library, the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from reglament.loader import Library
from reglament.service.lanes import Lanes
from reglament.service.rendered import Rendered
from reglament.service.verified import Verified
from reglament.store import Store


@dataclass(frozen=True, slots=True)
class Service:
    """The app's state: its store (and through it the library) and its clock, the one place
    the service reads "now" (the wall clock unless ``create_app`` was given another); the
    tokens verified lately and the bodies drawn from the library, both bounded."""

    store: Store
    library: Library
    now: Callable[[], dt.datetime]
    max_body: int
    verified: Verified = field(default_factory=Verified)  # tokens seen valid lately
    rendered: Rendered = field(default_factory=Rendered)  # bodies drawn from the library
    lanes: Lanes = field(default_factory=Lanes)  # the heavy requests' threads (lanes.py)


def service(request: Request) -> Service:
    """The service of the app handling ``request`` (a FastAPI dependency)."""
    found = request.app.state.service
    assert isinstance(found, Service)
    return found


async def serving(request: Request) -> Service:
    """``service`` as the API's dependency: ``async``, since FastAPI runs a plain function
    dependency in its thread pool, a hop that costs more than the function (docs/service.md,
    "Speed")."""
    return service(request)
