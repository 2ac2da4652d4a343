"""The HTML report: a static site an auditor opens in a browser. Checked in headless Chromium
(Debian's package, installed by .ci/run): no console errors, every link resolves."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from typer.testing import CliRunner

from reglament.audit import audit_file
from reglament.cli import app
from reglament.loader import load_file
from reglament.reports.audit_html import render_page
from tests.audit.browser import browser, need_chromium

ROOT = Path(__file__).resolve().parents[2]
CLEAN = ROOT / "tests" / "fixtures" / "audit" / "clean.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("audit-report")
    result = runner.invoke(app, ["audit", "--format", "html", "--output", str(directory)])
    assert result.exit_code == 1, result.output  # the bundled library has term overruns
    assert "Report:" in result.output and "(27 pages)" in result.output
    return directory


def test_the_site_has_an_index_and_a_page_per_reglament(report_dir: Path) -> None:
    pages = sorted(p.name for p in report_dir.iterdir())
    assert "index.html" in pages and len(pages) == 27
    assert "atyrau-2012--child-benefit-under-18.html" in pages
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    for page in pages:
        if page != "index.html":
            assert f'href="{page}"' in index
    page = (report_dir / "atyrau-2012--child-benefit-under-18.html").read_text(encoding="utf-8")
    assert "11 working days + 45 minutes against 10 working days" in page
    assert 'id="steps"' in page and 'id="findings"' in page
    for html in (index, page):
        assert "<script" not in html and "http://" not in html and "https://" not in html


def test_everything_is_escaped_and_the_diagram_is_taken_from_outside(tmp_path: Path) -> None:
    text = CLEAN.read_text(encoding="utf-8").replace(
        "en: Issue of a certificate", "en: Issue <script>alert('x')</script> & co"
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_file(path)
    assert loaded.reglament is not None
    audit = audit_file(loaded)
    html = render_page(loaded.reglament, audit.findings, None, terms=audit.terms)
    assert "<script>" not in html
    assert "Issue &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert "<h2>Flow</h2>" not in html  # no diagram, no section (and no placeholder)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    with_diagram = render_page(loaded.reglament, audit.findings, svg, terms=audit.terms)
    assert "<h2>Flow</h2>" in with_diagram and svg in with_diagram


def test_html_needs_an_output_folder() -> None:
    result = runner.invoke(app, ["audit", str(CLEAN), "--format", "html"])
    assert result.exit_code == 2
    assert "--output DIR" in result.output


# -- in a real browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    return need_chromium()


@pytest.fixture(scope="module")
def served(report_dir: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
            pass

    handler = functools.partial(Quiet, directory=str(report_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_the_report_opens_in_chromium_and_its_links_resolve(
    chromium: str, served: str, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("REGLAMENT_SCREENSHOTS", tmp_path))
    with browser(chromium) as b:
        index = b.open(served + "index.html")
        assert index.error is None and index.status == 200, index
        assert index.console_errors == []
        assert b.evaluate("document.querySelectorAll('#overview tbody tr').length") == 26
        b.screenshot(shots / "index.png")
        index_links = b.links()
        page = served + "atyrau-2012--child-benefit-under-18.html"
        assert page in index_links
        visited = _follow(b, served, served + "index.html", index_links)
        opened = b.open(page)
        assert opened.status == 200 and opened.console_errors == []
        b.screenshot(shots / "page.png")
        page_links = b.links()
        assert served + "index.html" in page_links
        visited += _follow(b, served, page, page_links)
    assert visited >= 26 + 2
    assert (shots / "index.png").stat().st_size > 10_000


def _follow(b: object, served: str, origin: str, links: list[str]) -> int:
    """Open every link of ``origin`` (same-page anchors: the target element must exist)."""
    from tests.audit.browser import Browser

    assert isinstance(b, Browser)
    count = 0
    for link in dict.fromkeys(links):
        assert link.startswith(served), f"{origin} links outside the report: {link}"
        target, fragment = urldefrag(link)
        visit = b.open(target)
        assert visit.error is None and visit.status == 200, (origin, link, visit)
        assert visit.console_errors == [], (link, visit.console_errors)
        if fragment:
            assert b.evaluate(f"document.getElementById({fragment!r}) !== null"), (origin, link)
        assert urlparse(target).path.endswith(".html")
        count += 1
    return count
