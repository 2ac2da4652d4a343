"""The layer order in pyproject's [tool.importlinter] bites: on a copy of the package, one import
against the order (or a package given no place) makes lint-imports fail and name the contract and
the import; the package as it is keeps every contract. docs/architecture.md explains the layers."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
LAYERS = "layers: the order of the packages, highest first"
ENGINE = "the engine reads no files: it imports neither the loader nor the reader"


def _copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(
        ROOT / "reglament", tmp_path / "reglament", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    # lint-imports puts its working directory first on sys.path: it reads the copy, not the
    # installed package.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_package_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{LAYERS} KEPT" in result.stdout
    assert f"{ENGINE} KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken", "shown"),
    [
        # a lower layer importing a higher one, at each level that matters
        ("errors.py", "import reglament.schemas", LAYERS, "reglament.errors -> reglament.schemas"),
        ("schemas/common.py", "import reglament.source", LAYERS, "reglament.schemas.common -> "),
        ("calendar/text.py", "import reglament.procedure", LAYERS, "reglament.calendar.text -> "),
        ("procedure/term.py", "import reglament.engine", LAYERS, "reglament.procedure.term -> "),
        ("engine/case.py", "import reglament.renderers", LAYERS, "reglament.engine.case -> "),
        ("renderers/sms.py", "import reglament.loader", LAYERS, "reglament.renderers.sms -> "),
        ("loader/build.py", "import reglament.audit", LAYERS, "reglament.loader.build -> "),
        ("audit/paths.py", "import reglament.reports", LAYERS, "reglament.audit.paths -> "),
        (
            "reports/describe.py",
            "import reglament.runtime",
            LAYERS,
            "reglament.reports.describe -> ",
        ),
        ("runtime/messages.py", "import reglament.cli", LAYERS, "reglament.runtime.messages -> "),
        ("reports/describe.py", "import reglament.cli", LAYERS, "reglament.reports.describe -> "),
        ("runtime/timers.py", "import reglament.cli", LAYERS, "reglament.runtime.timers -> "),
        # the case store is above everything but the command line
        ("store/cases.py", "import reglament.cli", LAYERS, "reglament.store.cases -> "),
        ("store/cases.py", "import reglament.service", LAYERS, "reglament.store.cases -> "),
        ("service/auth.py", "import reglament.cli", LAYERS, "reglament.service.auth -> "),
        ("engine/runtime.py", "import reglament.store", LAYERS, "reglament.engine.runtime -> "),
        ("reports/audit.py", "import reglament.store", LAYERS, "reglament.reports.audit -> "),
        # the reader is below the calendar that reads its override files with it, and knows
        # nothing of what a definition means
        ("source/yaml_reader.py", "import reglament.calendar", LAYERS, "yaml_reader -> "),
        ("source/document.py", "import reglament.procedure", LAYERS, "document -> "),
        # what a definition means is below what runs it and what checks a file against it
        ("procedure/graph.py", "import reglament.loader", LAYERS, "reglament.procedure.graph -> "),
        # the template checks are the loader's last pass: the renderers never ask the loader
        ("renderers/notifications.py", "import reglament.loader", LAYERS, "notifications -> "),
        # the two leaves import nothing of each other
        ("limits.py", "import reglament.errors", LAYERS, "reglament.limits -> reglament.errors"),
        ("errors.py", "import reglament.limits", LAYERS, "reglament.errors -> reglament.limits"),
        # the package's own public names (reglament/__init__.py) are the top of the order: a
        # lower layer that takes one from there imports the engine and the loader with it
        ("schemas/words.py", "from reglament import Engine", LAYERS, "words -> reglament (l."),
        # an import inside a function counts as much as one at the top
        ("engine/watch.py", "def _f() -> None:\n    import reglament.cli", LAYERS, "watch"),
        # allowed by the layers, refused by its own rule
        ("engine/case.py", "import reglament.source", ENGINE, "reglament.engine.case -> "),
    ],
)
def test_an_import_against_the_order_fails(
    tmp_path: Path, module: str, line: str, broken: str, shown: str
) -> None:
    where = _copy(tmp_path)
    path = where / "reglament" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = _lint(where)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{broken} BROKEN" in result.stdout
    assert "1 broken" in result.stdout
    assert shown in result.stdout


def test_a_package_without_a_place_fails(tmp_path: Path) -> None:
    where = _copy(tmp_path)
    (where / "reglament" / "gateway").mkdir()
    (where / "reglament" / "gateway" / "__init__.py").write_text("", encoding="utf-8")
    result = _lint(where)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not listed as layers" in result.stdout
    assert "- reglament.gateway" in result.stdout


def test_no_import_is_excused() -> None:
    """Every contract holds with no exception: none declares ``ignore_imports``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert [c["id"] for c in contracts] == ["layers", "engine-without-files"]
    assert [c for c in contracts if "ignore_imports" in c] == []
