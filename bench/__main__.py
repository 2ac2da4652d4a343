"""``python -m bench`` (``make bench``): run every benchmark section and update BENCHMARKS.md."""

from __future__ import annotations

from bench import calendar_bench


def main() -> None:
    calendar_bench.main()


if __name__ == "__main__":
    main()
