"""``python -m bench`` (``make bench``): run every benchmark section and update BENCHMARKS.md.

``python -m bench --only engine`` (or ``calendar``) runs one section; the others stay as they are.
"""

from __future__ import annotations

import argparse

from bench import calendar_bench, engine_bench

SECTIONS = {"calendar": calendar_bench.main, "engine": engine_bench.main}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append", help="run only this")
    args = parser.parse_args()
    for name, run in SECTIONS.items():
        if not args.only or name in args.only:
            run()


if __name__ == "__main__":
    main()
