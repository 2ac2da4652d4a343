// Mermaid's own parser over diagrams given on stdin, for the Python tests.
//
// Input: a JSON array of {"name": ..., "text": ...}. Output: a JSON array, one entry per input,
// {"name", "ok", "error", "type", ...what Mermaid understood}: the nodes, edges and subgraphs of
// a flowchart; the sections and tasks (with the instants Mermaid computed) of a Gantt chart.
// The tests compare that with what the generator meant, so a label that swallowed its
// neighbour or a date Mermaid read differently fails even when the grammar accepts the text.
//
// Mermaid is an ES module written for browsers: its sanitiser (DOMPurify) needs a window at
// import time, so a jsdom window is installed on globalThis first. Run with TZ=UTC: Gantt dates
// are read in the process's zone.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

function iso(value) {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;
}

async function understood(text) {
  await mermaid.parse(text); // throws on any syntax error
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  const found = { type: diagram.type };
  if (diagram.type.startsWith("flowchart")) {
    found.vertices = [...db.getVertices().values()].map((v) => ({
      id: v.id,
      text: v.text,
      shape: v.type,
      classes: v.classes,
    }));
    found.edges = db.getEdges().map((e) => ({
      start: e.start,
      end: e.end,
      text: e.text,
      stroke: e.stroke,
    }));
    found.subgraphs = db.getSubGraphs().map((s) => ({ id: s.id, title: s.title, nodes: s.nodes }));
  } else if (diagram.type === "gantt") {
    found.sections = db.getSections();
    found.tasks = db.getTasks().map((t) => ({
      id: t.id,
      task: t.task,
      section: t.section,
      start: iso(t.startTime),
      end: iso(t.endTime),
      milestone: Boolean(t.milestone),
      classes: t.classes,
      crit: Boolean(t.crit),
      active: Boolean(t.active),
      done: Boolean(t.done),
    }));
  }
  return found;
}

const inputs = JSON.parse(readFileSync(0, "utf-8"));
const results = [];
for (const { name, text } of inputs) {
  try {
    results.push({ name, ok: true, error: null, ...(await understood(text)) });
  } catch (error) {
    results.push({ name, ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
