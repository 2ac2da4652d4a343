"""``python -m bench`` (``make bench``): run every benchmark section and update BENCHMARKS.md.

``python -m bench --only engine`` (or ``calendar``, ``validation``, ``render``, ``startup``, ``store``, ``service``) runs one section; each section
rewrites only its own part of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bench import (
    calendar_bench,
    engine_bench,
    render_bench,
    service_bench,
    startup_bench,
    store_bench,
    validation_bench,
)

SECTIONS: dict[str, Callable[[], None]] = {
    "calendar": calendar_bench.main,
    "validation": validation_bench.main,
    "engine": engine_bench.main,
    "render": render_bench.main,
    "startup": startup_bench.main,
    "store": store_bench.main,
    "service": service_bench.main,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        choices=sorted(SECTIONS),
        action="append",
        help="run only this section (may be repeated); default: all",
    )
    args = parser.parse_args(argv)
    for name in args.only or list(SECTIONS):
        SECTIONS[name]()


if __name__ == "__main__":
    main()
