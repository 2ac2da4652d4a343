"""The real clients of the BPMN export: the OMG BPMN 2.0 XSDs (as SpiffWorkflow ships them) read
by lxml, SpiffWorkflow's parser, bpmnlint's recommended rules and bpmn-moddle under Node
(``tests/js/bpmn.mjs``), and bpmn-js in headless Chromium (``tests/bpmn/viewer.html``).

This module is lxml's one home. Without Node, bpmnlint or Chromium the tests that need them skip
locally, naming what to install; under CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import SpiffWorkflow
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from tests.audit.browser import Browser, find_chromium
from tests.diagrams.clients import JS, _missing

LINT = JS / "bpmn.mjs"
VIEWER = Path(__file__).parent / "viewer.html"
SCHEMAS = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse(xml: str) -> Any:
    """An XML document read with entities, DTDs and the network off."""
    return etree.fromstring(xml.encode("utf-8"), _SAFE)


@cache
def _schema() -> etree.XMLSchema:
    """BPMN20.xsd with the DI, DC and semantic schemas it imports, all from the package."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "BPMN20.xsd"), _SAFE))


def xsd_errors(xml: str) -> list[str]:
    """What the OMG BPMN 2.0 XSDs find wrong with ``xml`` (nothing: valid)."""
    schema = _schema()
    if schema.validate(parse(xml)):
        return []
    return [f"{error.line}:{error.column}: {error.message}" for error in schema.error_log]


def spiff_spec(xml: str, name: str) -> BpmnProcessSpec:
    """The process as SpiffWorkflow's parser reads it (it raises on what it cannot load)."""
    parser = BpmnParser()
    parser.add_bpmn_xml(parse(xml), filename=name)
    spec: BpmnProcessSpec = parser.get_spec("process")
    return spec


def need_bpmnlint() -> str:
    node = shutil.which("node")
    if node is None:
        _missing("Node.js", "install Node 18 or later")
    assert node is not None
    for package in ("bpmnlint", "bpmn-moddle", "bpmn-js"):
        if not (JS / "node_modules" / package).is_dir():
            _missing(package, "run `npm ci --prefix tests/js`")
    return node


def bpmnlint(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """bpmn-moddle's warnings and bpmnlint's recommended findings for each file, by name, from
    one Node process."""
    node = need_bpmnlint()
    items = [{"name": name, "xml": xml} for name, xml in files.items()]
    done = subprocess.run(
        [node, str(LINT)], input=json.dumps(items), capture_output=True, text=True, cwd=JS
    )
    assert done.returncode == 0, f"bpmn.mjs failed: {done.stderr}"
    return {result["name"]: result for result in json.loads(done.stdout)}


def need_chromium() -> str:
    executable = find_chromium()
    if executable is None:
        _missing("Chromium", "apt-get install chromium")
    assert executable is not None
    need_bpmnlint()  # bpmn-js comes from tests/js too
    return executable


class Viewer:
    """bpmn-js's viewer in one headless Chromium page: import a file, screenshot it."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        visit = browser.open(VIEWER.resolve().as_uri())
        assert visit.error is None and not visit.console_errors, visit

    def show(self, xml: str) -> dict[str, Any]:
        """What bpmn-js made of ``xml``: its error and warnings, every shape and connection."""
        reply = self.browser.call(
            "Runtime.evaluate",
            {"expression": f"show({json.dumps(xml)})", "awaitPromise": True, "returnByValue": True},
            session=True,
        )
        found: dict[str, Any] = reply["result"]["value"]
        return found

    def screenshot(self, box: dict[str, float], path: Path) -> None:
        """The diagram just shown, whole, as a PNG (at most 2400 by 1800 pixels)."""
        width = int(min(max(box["width"] + 40, 640), 2400))
        height = int(min(max(box["height"] + 40, 320), 1800))
        self.browser.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        assert self.browser.evaluate("fit()") is True
        data = self.browser.call("Page.captureScreenshot", {"format": "png"}, session=True)
        path.write_bytes(base64.b64decode(data["data"]))


def shots_folder(default: Path) -> Path:
    """Where the screenshots go: ``$REGLAMENT_BPMN_SHOTS`` when set (to look at them), else
    ``default``."""
    folder = Path(os.environ.get("REGLAMENT_BPMN_SHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
