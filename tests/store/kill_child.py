"""The kill test's children (tests/store/test_kill.py), started cheaply: run as
``python -m tests.store.kill_child [REGLAMENT.yaml ...]``, this process imports reglament and
reads the reglaments once (:func:`warm`) and then, for each
job read from stdin (one JSON object a line), forks a child that does the job, kills it with
SIGKILL after the job's ``kill_after`` seconds if it is still running (with ``kill_when``:
``{"root": FOLDER, "count": N}``, seconds counted from when the folder holds N delivered
files; ``{"acks": FILE, "count": N}``, from when a writer's ack file holds N answers), and
answers one JSON
line: ``{"killed": bool, "code": int | null, "seconds": float, "ready": float | null}``.

A child is a whole process of its own, with its own database connections (none is open in
this one when it forks), killed as any process is; forking from here only saves it the
interpreter's start-up and the imports (about a second each on the test machine), so that a
hundred kills fit in the test's time. Jobs:

* ``{"cli": [ARG, ...]}``: the real command line, ``reglament ARG ...``
  (:func:`reglament.cli.main`): ``worker --once ...``, ``outbox deliver ...``;
* ``{"writer": {...}}``: :func:`write`, a client driving cases through the store.

The child's stdout and stderr go to the job's ``out`` file, its environment gets ``env``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any

import reglament.cli
import reglament.store.worker  # imported once here, not in every child
from reglament.errors import ConflictError
from reglament.loader import Library, load_library
from reglament.runtime import delivery  # noqa: F401
from reglament.store import Request, Store, Who, connect, database, store_url

_READ: dict[str, Library] = {}  # the reglaments read once (warm), by path: a writer's library
_READY: list[int] = []  # in a writer child: the pipe that tells the fork server it is ready
HANG = 300.0  # seconds: a child meant to finish that runs longer is killed, and reported
POLL = 0.002  # seconds between two looks at a child's progress (kill_when)
RETRIES = 20  # a writer repeats a write refused as a conflict (PostgreSQL: a killed
# writer's transaction still ending on the server) this many times, with the same key


def write(job: dict[str, Any]) -> int:
    """Do the writes ``job["ops"][job["first"]:]`` in order on the store at ``job["db"]``
    (cases of the reglament file ``job["library"]``), each with its idempotency key, and
    append ``INDEX REPEATED\\n`` to the ack file once its answer is seen: what a client knows
    it got. A write refused as a conflict is sent again with its key. With ``linger`` it then
    waits, as a service does for its next requests, until it is killed."""
    library = _READ.get(job["library"]) or load_library([job["library"]])
    store = Store(connect(store_url(job["db"])), library, lambda: dt.datetime.now(dt.UTC))
    acks = os.open(job["acks"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    if _READY:  # connected, the schema checked: the writes begin (the kill's delay runs from here)
        os.write(_READY[0], b"r")
    for index in range(job["first"], len(job["ops"])):
        op = job["ops"][index]
        for attempt in range(RETRIES):
            try:
                written = _apply(store, op)
                break
            except ConflictError:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.05)
        os.write(acks, f"{index} {int(written.repeated)}\n".encode())
    while job.get("linger"):  # a client that waits for its next requests, until it is killed
        time.sleep(1)
    return 0


def _apply(store: Store, op: dict[str, Any]) -> Any:
    request = Request(Who(op["by"], "clerk"), key=op["key"])
    at = dt.datetime.fromisoformat(op["at"])
    if op["op"] == "start":
        chosen = store.library.choose(op["reglament"]).reglament
        return store.start(
            chosen,
            at,
            "office",
            request=request,
            language=op["language"],
            contact=op["contact"],
            case_id=op["case"],
            receipt=op["receipt"],
        )
    if op["op"] == "complete":
        return store.complete(op["case"], op["step"], at, op["outcome"], request)
    if op["op"] == "data":
        return store.set_data(op["case"], op["values"], at, request)
    if op["op"] == "suspend":
        return store.suspend(op["case"], at, op["reason"], request)
    assert op["op"] == "resume", op
    return store.resume(op["case"], at, request)


def _child(job: dict[str, Any]) -> None:
    """In the forked child: do the job, then leave without any clean-up of this process's."""
    code = 70
    try:
        out = os.open(job["out"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.environ.update(job.get("env", {}))
        if "cli" in job:
            try:
                reglament.cli.main(job["cli"])
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        else:
            code = write(job["writer"])
    except BaseException as error:  # noqa: BLE001 (reported in the out file, as a process would)
        print(f"kill_child: {type(error).__name__}: {error}", file=sys.stderr)
        code = 70
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Fork a child for ``job``, kill it after ``job["kill_after"]`` seconds (``None``: let it
    finish) if it still runs, reap it, and say what became of it. A writer's delay runs from
    when it says it is ready (``ready``: the seconds that took), a command's from the fork."""
    sys.stdout.flush()
    began = time.monotonic()
    signal_r, signal_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(signal_r)
        _READY.append(signal_w)
        _child(job)
    os.close(signal_w)
    handle = os.pidfd_open(pid)
    ready_at = None
    try:
        limit = job.get("kill_after")
        if "writer" in job:  # wait for its start-up first (or its end)
            up, _, _ = select.select([handle, signal_r], [], [], HANG)
            ready_at = time.monotonic() - began if signal_r in up else None
        up = _wait_for_progress(handle, job["kill_when"]) if "kill_when" in job else []
        if not up:
            up, _, _ = select.select([handle], [], [], HANG if limit is None else limit)
        killed = False
        if not up:  # still running: kill it now (the pidfd names this very child)
            signal.pidfd_send_signal(handle, signal.SIGKILL)
            killed = True
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(handle)
        os.close(signal_r)
    seconds = time.monotonic() - began
    if killed and limit is None:  # a child meant to finish that did not: it hung
        return {"killed": False, "code": None, "seconds": seconds, "ready": ready_at}
    by_kill = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    return {"killed": killed and by_kill, "code": code, "seconds": seconds, "ready": ready_at}


def _wait_for_progress(handle: int, when: dict[str, Any]) -> list[int]:
    """Wait until the child's progress reaches ``when["count"]`` or the child ends (then: its
    handle). The progress: the files delivered under the folder ``when["root"]`` (a
    deliverer's, whatever their medium), or the answers in the ack file ``when["acks"]`` (a
    writer's). ``kill_after`` then runs from that moment."""
    count = when["count"]
    waited = 0.0
    while waited < HANG:
        up, _, _ = select.select([handle], [], [], POLL)
        if up:
            return up
        done = delivered_files(when["root"]) if "root" in when else acked(when["acks"])
        if done >= count:
            return []
        waited += POLL
    return []


def acked(path: str) -> int:
    """The whole lines of a writer's ack file: the answers it has seen."""
    try:
        return Path(path).read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def delivered_files(root: str) -> int:
    """The files a sink has delivered under ``root``: every file but a Maildir's ``tmp/`` and
    the sinks' hidden temporaries (``.NAME.tmp``)."""
    found = 0
    for _folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "tmp"]
        found += sum(not name.startswith(".") for name in names)
    return found


def warm(paths: list[str]) -> None:
    """Do once here what every child would do first: read and check the reglaments at
    ``paths`` (their templates compiled into the renderer's cache; the writers use them as
    read) and the store's migrations, imported and read (what the schema check reads)."""
    for path in paths:
        _READ[path] = load_library([path])
    database.head()
    import alembic.runtime.migration  # noqa: F401


def main() -> None:
    warm(sys.argv[1:])
    for line in sys.stdin:
        job = json.loads(line)
        print(json.dumps(run(job)), flush=True)


if __name__ == "__main__":
    main()
