import assert from "node:assert/strict";
import { test } from "node:test";
import {
  layoutScene,
  statusClass,
  statusText,
  type Point,
  type Scene,
  type SceneCluster,
  type SceneNode,
} from "../../src/dag/layout";
import type { ArtifactStatus, Graph, GraphNode } from "../../src/server_api";

function artifact(id: string, overrides: Partial<GraphNode> = {}): GraphNode {
  return {
    id,
    label: id.slice(id.lastIndexOf(".") + 1),
    kind: "derived",
    status: null,
    origin: "parent",
    range: null,
    error: null,
    ...overrides,
  };
}

function graph(nodes: GraphNode[], edges: [string, string][] = []): Graph {
  return { nodes, edges, run_id: null, run_status: null };
}

/** A parent reading a source, calling child runbook `scan` (three artifacts), and
 * reporting on both. */
const scanned = graph(
  [
    artifact("db", { kind: "source", status: "completed" }),
    artifact("files", { kind: "source", status: "completed" }),
    artifact("personal_data", { status: "completed" }),
    artifact("scan.findings", { origin: "child:scan", status: "completed" }),
    artifact("scan.analysis.count", { label: "count", origin: "child:scan", status: "running" }),
    artifact("scan.summary", { origin: "child:scan", status: "failed", error: "boom" }),
    artifact("report", { status: "pending" }),
    artifact("export", { kind: "reuse", status: "not_started" }),
  ],
  [
    ["db", "personal_data"],
    ["files", "scan.findings"],
    ["scan.findings", "scan.analysis.count"],
    ["scan.analysis.count", "scan.summary"],
    ["scan.findings", "scan.summary"],
    ["personal_data", "report"],
    ["scan.summary", "report"],
    ["report", "export"],
  ],
);

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function inside(inner: Box, outer: Box): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/** On the box's border, give or take a pixel. */
function onBorder(point: Point, box: Box): boolean {
  const slack = 1;
  const near =
    point.x >= box.x - slack &&
    point.x <= box.x + box.width + slack &&
    point.y >= box.y - slack &&
    point.y <= box.y + box.height + slack;
  const within =
    point.x > box.x + slack &&
    point.x < box.x + box.width - slack &&
    point.y > box.y + slack &&
    point.y < box.y + box.height - slack;
  return near && !within;
}

function node(scene: Scene, id: string): SceneNode {
  const found = scene.nodes.find((candidate) => candidate.id === id);
  assert.ok(found, `no node ${id}`);
  return found;
}

/** Where an edge's line starts and ends. */
function ends(points: Point[]): { start: Point; end: Point } {
  const [start] = points;
  const end = points.at(-1);
  assert.ok(start && end, "a line without points");
  return { start, end };
}

function cluster(scene: Scene, origin: string): SceneCluster {
  const found = scene.clusters.find((candidate) => candidate.origin === origin);
  assert.ok(found, `no cluster ${origin}`);
  return found;
}

test("every artifact gets a box of its own, inside the scene", () => {
  const scene = layoutScene(scanned);
  assert.deepEqual(
    scene.nodes.map((placed) => placed.id),
    scanned.nodes.map((given) => given.id),
  );
  for (const [i, a] of scene.nodes.entries()) {
    assert.ok(a.width > 0 && a.height > 0, `${a.id} has no size`);
    assert.ok(inside(a, { x: 0, y: 0, width: scene.width, height: scene.height }), `${a.id} is outside the scene`);
    for (const b of scene.nodes.slice(i + 1)) {
      assert.ok(!overlap(a, b), `${a.id} overlaps ${b.id}`);
    }
  }
});

test("every edge runs from its source's box to its target's box", () => {
  const scene = layoutScene(scanned);
  assert.deepEqual(
    scene.edges.map((edge) => [edge.from, edge.to]),
    scanned.edges,
  );
  for (const edge of scene.edges) {
    assert.ok(edge.points.length >= 2, `${edge.from} → ${edge.to} has no line`);
    const { start, end } = ends(edge.points);
    assert.ok(onBorder(start, node(scene, edge.from)), `${edge.from} → ${edge.to} does not leave ${edge.from}`);
    assert.ok(onBorder(end, node(scene, edge.to)), `${edge.from} → ${edge.to} does not reach ${edge.to}`);
  }
});

test("a chain reads left to right", () => {
  const scene = layoutScene(
    graph(
      [artifact("a"), artifact("b"), artifact("c")],
      [
        ["a", "b"],
        ["b", "c"],
      ],
    ),
  );
  const [a, b, c] = [node(scene, "a"), node(scene, "b"), node(scene, "c")];
  assert.ok(a.x + a.width < b.x, "a is not left of b");
  assert.ok(b.x + b.width < c.x, "b is not left of c");
  for (const edge of scene.edges) {
    const { start, end } = ends(edge.points);
    assert.ok(start.x < end.x, `${edge.from} → ${edge.to} points right to left`);
  }
});

test("a child runbook's artifacts sit in one labelled box, the parent's outside it", () => {
  const scene = layoutScene(scanned);
  assert.equal(scene.clusters.length, 1);
  const scan = cluster(scene, "child:scan");
  assert.equal(scan.label, "scan");
  for (const placed of scene.nodes) {
    if (placed.origin === "child:scan") {
      assert.ok(inside(placed, scan), `${placed.id} is outside the scan box`);
    } else {
      assert.ok(!overlap(placed, scan), `${placed.id} of the parent is in the scan box`);
    }
  }
  assert.ok(inside(scan, { x: 0, y: 0, width: scene.width, height: scene.height }));
});

test("two child runbooks get two boxes that do not overlap", () => {
  const scene = layoutScene(
    graph(
      [
        artifact("src", { kind: "source" }),
        artifact("a.x", { origin: "child:alpha" }),
        artifact("a.y", { origin: "child:alpha" }),
        artifact("b.x", { origin: "child:beta" }),
        artifact("out"),
      ],
      [
        ["src", "a.x"],
        ["a.x", "a.y"],
        ["src", "b.x"],
        ["a.y", "out"],
        ["b.x", "out"],
      ],
    ),
  );
  const alpha = cluster(scene, "child:alpha");
  const beta = cluster(scene, "child:beta");
  assert.ok(!overlap(alpha, beta));
  assert.ok(inside(node(scene, "a.x"), alpha) && inside(node(scene, "a.y"), alpha));
  assert.ok(inside(node(scene, "b.x"), beta) && !overlap(node(scene, "b.x"), alpha));
});

test("a box is coloured by its artifact's status; no status reads as not run", () => {
  const cases: [ArtifactStatus | null, string, string][] = [
    ["completed", "status-completed", "completed"],
    ["failed", "status-failed", "failed"],
    ["running", "status-running", "running"],
    ["pending", "status-pending", "pending"],
    ["skipped", "status-skipped", "skipped"],
    ["not_started", "status-not_started", "not started"],
    [null, "status-none", "not run"],
  ];
  for (const [status, colour, text] of cases) {
    assert.equal(statusClass(status), colour);
    assert.equal(statusText(status), text);
  }
  const scene = layoutScene(scanned);
  assert.equal(node(scene, "scan.summary").statusClass, "status-failed");
  assert.equal(node(scene, "scan.summary").error, "boom");
  assert.equal(node(scene, "export").detail, "reuse · not started");
  assert.equal(node(scene, "scan.analysis.count").label, "count");
});

test("a longer label gets a wider box, a very long one is shortened", () => {
  const long = "x".repeat(80);
  const scene = layoutScene(
    graph([artifact("a"), artifact("personal_data_classification_by_region"), artifact("b", { label: long })]),
  );
  assert.ok(node(scene, "personal_data_classification_by_region").width > node(scene, "a").width);
  const shortened = node(scene, "b");
  assert.ok(shortened.label.length < long.length && shortened.label.endsWith("…"));
});

test("the same graph is laid out the same way every time", () => {
  assert.deepEqual(layoutScene(scanned), layoutScene(structuredClone(scanned)));
});

test("an empty runbook is an empty scene", () => {
  assert.deepEqual(layoutScene(graph([])), { nodes: [], edges: [], clusters: [], width: 0, height: 0 });
});

test("edges to artifacts the plan lacks and repeated artifacts are left out", () => {
  const scene = layoutScene(
    graph(
      [artifact("a"), artifact("b"), artifact("a")],
      [
        ["a", "b"],
        ["a", "ghost"],
      ],
    ),
  );
  assert.deepEqual(
    scene.nodes.map((placed) => placed.id),
    ["a", "b"],
  );
  assert.deepEqual(
    scene.edges.map((edge) => [edge.from, edge.to]),
    [["a", "b"]],
  );
});
