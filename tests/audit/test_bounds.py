"""The audit's work is bounded whatever the graph (docs/audit.md): long routes, parallel branches
with many ways, and routes too large for the file's budget end quickly, saying which bound was
met, and keep what was checked."""

from __future__ import annotations

import time
from pathlib import Path

from reglament.audit import check_terms
from reglament.audit.paths import MAX_LENGTH, MAX_PATHS, enumerate_paths
from reglament.audit.terms import MAX_WORK
from reglament.engine import Engine
from reglament.loader import load

FUZZ = Path(__file__).resolve().parents[1] / "hostile" / "fuzz"


def _decisions(tmp_path: Path, per_branch: int) -> Path:
    """parallel-decisions.yaml with ``per_branch`` decisions in each branch."""
    text = (FUZZ / "parallel-decisions.yaml").read_text("utf-8")
    head, _, _ = text.partition("  prepare:")
    steps = ["  prepare: {kind: parallel, branches: [a1, b1], join: together}"]
    for branch in "ab":
        for i in range(1, per_branch + 1):
            target = f"{branch}{i + 1}" if i < per_branch else "together"
            steps.append(
                f"  {branch}{i}: {{kind: decision, actor: clerk, action: {{en: decides}}, "
                f"duration: {{unit: minutes, value: 1}}, "
                f"outcomes: {{yes: {{next: {target}}}, no: {{next: {target}}}}}}}"
            )
    steps += ["  together: {kind: join, next: issued}", "  issued: {kind: end, outcome: result}"]
    path = tmp_path / "decisions.yaml"
    path.write_text(head + "\n".join(steps) + "\n", encoding="utf-8")
    return path


def test_a_path_longer_than_the_bound_is_cut_not_a_recursion_error() -> None:
    engine = Engine(load(FUZZ / "long-chain.yaml"))
    found = enumerate_paths(engine.compiled, "office", None)
    assert found.paths == []
    assert found.limit == f"the route has a path of more than {MAX_LENGTH} steps"
    [check] = check_terms(engine)
    assert check.truncated and check.limit == found.limit


def test_branch_ways_are_bounded(tmp_path: Path) -> None:
    """Twenty decisions a branch: 2**20 ways each; enumerating them all took 45 s and 930 MB."""
    engine = Engine(load(_decisions(tmp_path, 20)))
    started = time.process_time()
    found = enumerate_paths(engine.compiled, "office", None)
    assert time.process_time() - started < 5  # CPU seconds
    assert len(found.paths) == MAX_PATHS
    assert found.limit == f"a branch of 'prepare' has more than {MAX_PATHS} ways to its join"


def test_the_files_budget_stops_the_term_check_and_keeps_what_was_checked(
    tmp_path: Path,
) -> None:
    engine = Engine(load(_decisions(tmp_path, 8)))
    started = time.process_time()
    [check] = check_terms(engine)
    assert time.process_time() - started < 8  # CPU seconds; was 17 s
    assert check.limit.startswith(f"the audit's {MAX_WORK:,} instant-steps per file ran out")
    assert 0 < len(check.paths) < MAX_PATHS
    assert check.worst is not None


def test_small_routes_meet_no_bound(tmp_path: Path) -> None:
    engine = Engine(load(_decisions(tmp_path, 2)))
    [check] = check_terms(engine)
    assert check.limit == "" and not check.truncated
    assert len(check.paths) == 16  # 4 ways a branch, both branches
