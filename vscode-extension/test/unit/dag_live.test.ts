import assert from "node:assert/strict";
import { test } from "node:test";
import { statusChanges, withProgress, type DrawnStatuses } from "../../src/dag/live";
import type { Graph, RunProgress } from "../../src/server_api";
import { artifact } from "./dag_graphs";

/** Read from the run store a moment ago: `files` done, the rest not yet started. */
const read: Graph = {
  nodes: [
    artifact("files", { kind: "source", status: "completed" }),
    artifact("scan", { status: "not_started" }),
    artifact("report", { status: "not_started" }),
  ],
  edges: [
    ["files", "scan"],
    ["scan", "report"],
  ],
  run_id: "r1",
  run_status: "running",
};

function event(overrides: Partial<RunProgress>): RunProgress {
  return {
    run_id: "r1",
    runbook: "file:///w/runbook.yaml",
    event: "artifact_started",
    status: "running",
    done: 1,
    total: 3,
    failed: 0,
    running: [],
    ...overrides,
  };
}

const statuses = (graph: Graph): (string | null)[] => graph.nodes.map((node) => node.status);

test("an artifact the run started is running before the run store says so", () => {
  const live = withProgress(read, event({ artifact: "scan", running: ["scan"] }));
  assert.deepEqual(statuses(live), ["completed", "running", "not_started"]);
  assert.deepEqual(statuses(read), ["completed", "not_started", "not_started"]); // (a copy)
});

test("an artifact that finished takes the status the event gives it", () => {
  const failed = event({ event: "artifact_finished", artifact: "scan", artifact_status: "failed", running: [] });
  assert.deepEqual(statuses(withProgress(read, failed)), ["completed", "failed", "not_started"]);
  // a later read of the store that says the same changes nothing
  const stored = {
    ...read,
    nodes: read.nodes.map((node) => (node.id === "scan" ? { ...node, status: "failed" as const } : node)),
  };
  assert.deepEqual(statuses(withProgress(stored, failed)), ["completed", "failed", "not_started"]);
});

test("a finished run's last event marks nothing running", () => {
  const ended = event({ event: "run_finished", status: "completed", running: ["scan"] });
  assert.deepEqual(statuses(withProgress(read, ended)), statuses(read));
  assert.equal(withProgress(read, undefined), read);
});

test("only the statuses that changed since they were drawn are sent, once", () => {
  const drawn: DrawnStatuses = new Map(read.nodes.map((node) => [node.id, [node.status, node.error]]));
  assert.deepEqual(statusChanges(read, drawn), []);
  const live = withProgress(
    read,
    event({ event: "artifact_finished", artifact: "scan", artifact_status: "completed" }),
  );
  assert.deepEqual(statusChanges(live, drawn), [["scan", "completed", null]]);
  assert.deepEqual(statusChanges(live, drawn), []);
  const broken = {
    ...live,
    nodes: live.nodes.map((node) =>
      node.id === "report" ? { ...node, status: "failed" as const, error: "boom" } : node,
    ),
  };
  assert.deepEqual(statusChanges(broken, drawn), [["report", "failed", "boom"]]);
});
