"""Fuzzing: hostile variants of the bundled reglaments end only in exit 0/1/2 or our own errors.

Each example is one bundled file changed structurally and/or byte by byte (``mutate.py``); the
commands a user would run on it (``exercise.py``: validate, then simulate, audit, diagram and
render on what still validates) must end in exit 0, 1 or 2 or in one of the project's own
errors, each within 10 s, adding at most :data:`MEMORY` bytes to the process.

Two modes:

- the suite (default, CI): :data:`CI_EXAMPLES` examples (``REGLAMENT_FUZZ_EXAMPLES`` to change),
  about a minute on one core, derandomized: every run tries the same inputs, and a failure is
  shrunk and printed with the steps that made it;
- ``make fuzz`` (``REGLAMENT_FUZZ_SECONDS=N``): random examples in rounds of :data:`ROUND` until N
  seconds have passed. Each distinct crash (by exception and where it was raised) is saved in
  ``.hypothesis/fuzz-crashes/`` (gitignored) as the changed file, the commands and the traceback,
  and the run goes on; the test fails at the end if any was found. The next run replays the saved
  crashes first and forgets those that are fixed. With ``REGLAMENT_FUZZ_KEEP_GOING=0`` it stops
  at the first crash instead, shrinks it, and keeps it in hypothesis's database
  (``.hypothesis/examples``) to try first next time.

The session's last lines say how many inputs ran and how far they got (``conftest.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shlex
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from reglament.errors import ReglamentError
from reglament.loader import BUNDLED
from tests.hostile import exercise, mutate

CI_EXAMPLES = 250
ROUND = 100  # examples per round of make fuzz
STATE = mutate.ROOT / ".hypothesis"
CRASHES = STATE / "fuzz-crashes"
MEMORY = 2 << 30  # bytes of address space one input may add to the test process

SECONDS = float(os.environ.get("REGLAMENT_FUZZ_SECONDS", "0"))
EXAMPLES = int(os.environ.get("REGLAMENT_FUZZ_EXAMPLES", str(CI_EXAMPLES)))
KEEP_GOING = SECONDS > 0 and os.environ.get("REGLAMENT_FUZZ_KEEP_GOING", "1") != "0"
GRAPHVIZ = SECONDS > 0 and shutil.which("dot") is not None  # svg and the HTML audit: slower

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
SUITE = settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=_QUIET
)
FUZZ = settings(
    max_examples=ROUND,
    database=DirectoryBasedExampleDatabase(STATE / "examples"),
    deadline=None,
    suppress_health_check=_QUIET,
)


def mode() -> str:
    """How this session fuzzes, for the summary line."""
    held = sorted(mutate.HELD_BACK - mutate.enabled_classes())
    how = (
        f"make fuzz: {SECONDS:g} s, {exercise.STATS['rounds']} rounds of {ROUND} random examples"
        if SECONDS
        else f"suite: {EXAMPLES} examples, derandomized"
    )
    return how + (f"; held back: {', '.join(held)}" if held else "; no class held back")


@contextmanager
def address_space(extra: int) -> Iterator[None]:
    """At most ``extra`` more bytes of address space for the block: a runaway allocation is a
    MemoryError (a crash) rather than the machine swapping."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with Path("/proc/self/statm").open() as statm:
        now = int(statm.read().split()[0]) * resource.getpagesize()
    limit = now + extra if hard == resource.RLIM_INFINITY else min(now + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _folder(root: Path, variant: mutate.Variant) -> Path:
    """The variant's region folder, as bundled but with the changed file; the file to load."""
    shutil.copytree(BUNDLED / variant.changed.parent, root / variant.changed.parent)
    (root / variant.changed).write_bytes(variant.content)
    return root / variant.load


FOLDER = "{folder}"  # the variant's temporary folder, in the commands kept


def _try(variant: mutate.Variant, seed: int, ran: list[list[str]]) -> None:
    """Run the commands on the variant, each added to ``ran`` (with :data:`FOLDER` for the
    temporary folder); raises what they raised, noting the commands."""
    with tempfile.TemporaryDirectory(prefix="reglament-fuzz-") as tmp:
        file = _folder(Path(tmp), variant)
        done: list[list[str]] = []
        try:
            with address_space(MEMORY):
                exercise.exercise(Path(tmp), file, seed, done, graphviz=GRAPHVIZ)
        except BaseException as error:
            error.add_note("commands: " + "; ".join(shlex.join(a) for a in _kept(done, tmp)))
            raise
        finally:
            ran.extend(_kept(done, tmp))


def _kept(commands: list[list[str]], tmp: str) -> list[list[str]]:
    return [[a.replace(tmp, FOLDER) for a in args] for args in commands]


# -- crashes kept by make fuzz ----------------------------------------------------------------------


def signature(error: BaseException) -> str:
    """What makes two crashes the same: the root exception's type and the innermost frame of
    ours it went through."""
    root = error.__cause__ or error
    frames = traceback.extract_tb(root.__traceback__)
    ours = [f for f in frames if "/reglament/" in f.filename and "/tests/" not in f.filename]
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "outside reglament"
    return f"{type(root).__name__} at {where}"


def _save(variant: mutate.Variant, error: BaseException, commands: list[list[str]]) -> bool:
    """Keep the crash, or the smaller input of a crash already kept; True when it is new."""
    name = signature(error)
    folder = CRASHES / hashlib.sha256(name.encode()).hexdigest()[:12]
    new = not folder.exists()
    if not new and len(variant.content) >= (folder / "variant.bin").stat().st_size:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "variant.bin").write_bytes(variant.content)
    (folder / "variant.json").write_text(
        json.dumps(
            {
                "signature": name,
                "changed": str(variant.changed),
                "load": str(variant.load),
                "steps": variant.steps,
                "commands": commands,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    (folder / "traceback.txt").write_text(
        "".join(traceback.format_exception(error)), encoding="utf-8"
    )
    return new


def _replay_saved() -> list[str]:
    """Run each kept crash again: forget the fixed ones, say which still crash. (Not counted
    in the summary: it counts this run's inputs.)"""
    counted = exercise.STATS.copy()
    still = []
    for folder in sorted(CRASHES.glob("*/")):
        info = json.loads((folder / "variant.json").read_text("utf-8"))
        variant = mutate.Variant(
            Path(info["changed"]),
            (folder / "variant.bin").read_bytes(),
            Path(info["load"]),
            tuple(info["steps"]),
        )
        with tempfile.TemporaryDirectory(prefix="reglament-fuzz-") as tmp:
            _folder(Path(tmp), variant)
            try:
                with address_space(MEMORY):
                    for args in info["commands"]:
                        exercise.invoke([a.replace(FOLDER, tmp) for a in args])
            except (exercise.Crash, exercise.Hang, MemoryError):
                still.append(info["signature"])
                continue
        shutil.rmtree(folder)
    exercise.STATS.clear()
    exercise.STATS.update(counted)
    return still


# -- the test ---------------------------------------------------------------------------------------

FOUND: list[str] = []


def _check(variant: mutate.Variant, seed: int) -> None:
    ran: list[list[str]] = []
    if not KEEP_GOING:
        _try(variant, seed, ran)
        return
    try:
        _try(variant, seed, ran)
    except (exercise.Crash, exercise.Hang, MemoryError, AssertionError) as error:
        if _save(variant, error, ran):
            FOUND.append(signature(error))
        exercise.STATS["crashes"] += 1


SEEDS = st.integers(0, 2**32 - 1)  # chooses the commands' options (exercise.py)
_suite = SUITE(given(mutate.variants(), SEEDS)(_check))
_fuzz = FUZZ(given(mutate.variants(), SEEDS)(_check))


def test_fuzz_bundled_reglaments() -> None:
    if not SECONDS:
        _suite()
        return
    if KEEP_GOING:
        FOUND.extend(f"{s} (kept from an earlier run)" for s in _replay_saved())
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        _fuzz()
        exercise.STATS["rounds"] += 1
    if FOUND:
        pytest.fail(
            f"{len(FOUND)} distinct crashes, kept in {CRASHES}:\n" + "\n".join(FOUND),
            pytrace=False,
        )


def test_project_errors_are_not_crashes() -> None:
    """The line the fuzz draws: our own errors and exit 0/1/2 pass, anything else is a crash."""
    assert exercise.invoke(["validate", "/no/such/file.yaml"]) == 2
    with pytest.raises(exercise.Crash, match=r"ZeroDivisionError"):
        exercise.ended(ZeroDivisionError("boom"), 1, ["validate"])
    with pytest.raises(exercise.Crash, match=r"exit 3"):
        exercise.ended(SystemExit(3), 3, ["validate"])
    assert exercise.ended(ReglamentError("ours"), 1, ["validate"]) == 1


def test_a_command_taking_too_long_is_a_hang() -> None:
    with (
        pytest.raises(exercise.Hang, match=r"^sleeping: took more than 0.05 s$"),
        exercise.time_limit(0.05, "sleeping"),
    ):
        time.sleep(2)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(mutate.numbers(), mutate.dates())
def test_held_back_classes_are_not_generated(number: object, date: str) -> None:
    """A class held back (mutate.HELD_BACK) is not in any variant: huge numbers, far dates."""
    if not mutate.generated("huge-numbers") and isinstance(number, int):
        assert abs(number) <= 2000
    if not mutate.generated("far-dates"):
        assert 1990 <= int(date[:4]) <= 2040
