"""docs/api.md is generated from the public API (``make api-docs``): never stale, never by hand."""

from __future__ import annotations

import inspect

from reglament.engine import Engine
from tools import api_docs


def test_the_committed_api_reference_is_the_generated_one() -> None:
    committed = api_docs.PAGE.read_text("utf-8")
    assert committed == api_docs.page(), "docs/api.md is stale: run make api-docs"


def test_the_reference_shows_each_public_name_with_its_signature() -> None:
    page = api_docs.page()
    for module_name, names in api_docs.API:
        for name in api_docs._names(module_name, names):
            assert f"`{module_name}.{name}`" in page
    start = str(inspect.signature(Engine.start)).replace("'", "")  # annotations as written
    assert f"start({start.removeprefix('(self, ')}" in page
    assert "# deprecated: notices(records, channel) is notices(case, records) now" in page


def test_no_address_or_path_of_this_machine_leaks_into_it() -> None:
    page = api_docs.page()
    assert " at 0x" not in page
    assert str(api_docs.PAGE.parent.parent) not in page


def test_the_packages_own_names_point_to_their_entries() -> None:
    """``from reglament import ...``: each name of ``reglament.__all__`` is listed first, linked
    to the heading of the entry that documents it (GitHub's anchor of that heading)."""
    import re

    import reglament

    page = api_docs.page()
    headings = re.findall(r"^#{2,4} (.+)$", page, flags=re.MULTILINE)
    anchors = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}
    assert f"from reglament import {', '.join(reglament.__all__)}" in page
    for name in reglament.__all__:
        (link,) = re.findall(
            rf"^- `reglament\.{name}`: the same as \[`[\w.]+`\]\(#([\w-]+)\)$",
            page,
            flags=re.MULTILINE,
        )
        assert link in anchors, (name, link)
