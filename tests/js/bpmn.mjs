// bpmnlint's recommended rules, and bpmn-moddle's reading, over BPMN files given on stdin, for
// the Python tests (tests/bpmn).
//
// Input: a JSON array of {"name": ..., "xml": ...}. Output: a JSON array, one entry per input,
// {"name", "ok", "error", "warnings": what bpmn-moddle could not read, "reports": bpmnlint's
// findings as {"rule", "id", "message", "category"} ("error" or "warn")}. One process for every
// file.
import { readFileSync } from "node:fs";
import { BpmnModdle } from "bpmn-moddle";
import bpmnlint from "bpmnlint";
import NodeResolver from "bpmnlint/lib/resolver/node-resolver.js";

async function lint(xml) {
  // a linter per file: some rules (no-duplicate-sequence-flows) keep what they saw
  const linter = new bpmnlint.Linter({
    config: { extends: "bpmnlint:recommended" },
    resolver: new NodeResolver(),
  });
  const moddle = new BpmnModdle();
  const { rootElement, warnings } = await moddle.fromXML(xml, "bpmn:Definitions");
  const found = await linter.lint(rootElement);
  const reports = [];
  for (const [rule, items] of Object.entries(found)) {
    for (const item of items) {
      reports.push({ rule, id: item.id, message: item.message, category: item.category });
    }
  }
  return { warnings: warnings.map((w) => String(w.message)), reports };
}

const inputs = JSON.parse(readFileSync(0, "utf-8"));
const results = [];
for (const { name, xml } of inputs) {
  try {
    results.push({ name, ok: true, error: null, ...(await lint(xml)) });
  } catch (error) {
    results.push({ name, ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
