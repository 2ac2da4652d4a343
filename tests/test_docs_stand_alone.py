"""The docs stand alone: every link between them leads to a file (and a heading) in the repository,
and nothing cites the design document that lives outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", ROOT / "BENCHMARKS.md", *(ROOT / "docs").glob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)")
OUTSIDE = re.compile(r"\bDESIGN\b")  # the guide kept beside the repository, not in it


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    text = doc.read_text("utf-8")
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def _links(doc: Path) -> list[str]:
    return [
        link
        for link in LINK.findall(doc.read_text("utf-8"))
        if not re.match(r"[a-z]+:", link)  # https:, mailto:
    ]


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: str(d.relative_to(ROOT)))
def test_links_lead_to_a_file_and_heading(doc: Path) -> None:
    for link in _links(doc):
        path, _, anchor = link.partition("#")
        target = (doc.parent / path).resolve() if path else doc
        assert target.exists(), f"{doc.name}: {link} leads nowhere"
        if anchor and target.suffix == ".md":
            assert anchor in _anchors(target), f"{doc.name}: {link}: no such heading"


def test_nothing_cites_a_document_outside_the_repository() -> None:
    files = [
        *DOCS,
        ROOT / "Makefile",
        ROOT / "pyproject.toml",
        *(f for top in ("reglament", "tests", "bench") for f in (ROOT / top).rglob("*")),
    ]
    citing = [
        f"{f.relative_to(ROOT)}:{n}"
        for f in files
        if f.is_file()
        and f.suffix in {".py", ".md", ".yaml", ".toml", ""}
        and "node_modules" not in f.parts
        and f != Path(__file__)
        for n, line in enumerate(f.read_text("utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not citing, citing
