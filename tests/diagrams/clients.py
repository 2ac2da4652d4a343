"""The real clients of our diagrams: Mermaid's own parser (under Node, ``tests/js``) and Graphviz.

Without them the tests that need them skip locally, naming what to install; under CI
(``CI=true``) they fail instead, so a CI machine that lost a tool cannot pass silently.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
JS = ROOT / "tests" / "js"
PARSE = JS / "parse.mjs"
FONT = "DejaVu Sans"


def _missing(what: str, how: str) -> None:
    message = f"{what} is not available: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (.ci/run installs it)", pytrace=False)
    pytest.skip(message)


def need_mermaid() -> str:
    """The node program, once Mermaid's parser is installed under tests/js."""
    node = shutil.which("node")
    if node is None:
        _missing("Node.js", "install Node 18 or later")
    assert node is not None
    if not (JS / "node_modules" / "mermaid").is_dir():
        _missing("Mermaid's parser", "run `npm ci --prefix tests/js`")
    return node


def need_graphviz() -> str:
    """Graphviz's dot program, with the font our DOT names."""
    program = shutil.which("dot")
    if program is None:
        _missing("Graphviz's dot program", "apt-get install graphviz")
    assert program is not None
    fc_list = shutil.which("fc-list")
    families = (
        subprocess.run([fc_list, ":", "family"], capture_output=True, text=True).stdout
        if fc_list
        else ""
    )
    if FONT not in families:
        _missing(f"the {FONT} font", "apt-get install fonts-dejavu-core")
    return program


def _parse_chunk(node: str, items: list[dict[str, str]]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [node, str(PARSE)],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "UTC"},
        cwd=JS,
    )
    assert done.returncode == 0, f"parse.mjs failed: {done.stderr}"
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def mermaid_parse(texts: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What Mermaid's parser made of each text, by name (a Node process per core at once)."""
    node = need_mermaid()
    processes = max(1, min(len(os.sched_getaffinity(0)), 8))
    items = [{"name": name, "text": text} for name, text in texts.items()]
    chunks = [items[i::processes] for i in range(processes) if items[i::processes]]
    with ThreadPoolExecutor(len(chunks) or 1) as pool:
        parts = list(pool.map(lambda chunk: _parse_chunk(node, chunk), chunks))
    return {result["name"]: result for part in parts for result in part}


_CODE = re.compile(r"ﬂ°°(\d+)¶ß")
_NAMED = re.compile(r"ﬂ°(\w+)¶ß")


def mermaid_decoded(text: str) -> str:
    """A label as Mermaid stores it, with its entity placeholders decoded."""
    text = _CODE.sub(lambda m: chr(int(m[1])), text)
    return _NAMED.sub(lambda m: html.unescape(f"&{m[1]};"), text)


def graphviz_svg(source: str) -> str:
    """DOT drawn by Graphviz as SVG; any warning on stderr fails."""
    program = need_graphviz()
    done = subprocess.run(
        [program, "-Tsvg"], input=source.encode("utf-8"), capture_output=True, check=False
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0 and not stderr, f"dot exit {done.returncode}: {stderr}"
    return done.stdout.decode("utf-8")
