import assert from "node:assert/strict";
import { test } from "node:test";
import { layoutScene, packRows } from "../../src/dag/layout";
import {
  statusClass,
  statusText,
  type Point,
  type Scene,
  type SceneCluster,
  type SceneGroup,
  type SceneNode,
} from "../../src/dag/scene";
import type { ArtifactStatus, GraphNode } from "../../src/server_api";
import { artifact, graph } from "./dag_graphs";

/** A parent reading a source, calling child runbook `scan` (three artifacts), and
 * reporting on both. */
const scanned = graph(
  [
    artifact("db", { kind: "source", status: "completed" }),
    artifact("files", { kind: "source", status: "completed" }),
    artifact("personal_data", { status: "completed" }),
    artifact("scan.findings", { origin: "child:scan", group: "scan", status: "completed" }),
    artifact("scan.analysis.count", { label: "count", origin: "child:scan", group: "scan", status: "running" }),
    artifact("scan.summary", { origin: "child:scan", group: "scan", status: "failed", error: "boom" }),
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

function cluster(scene: Scene, id: string): SceneCluster {
  const found = scene.clusters.find((candidate) => candidate.id === id);
  assert.ok(found, `no cluster ${id}`);
  return found;
}

function group(scene: Scene, id: string): SceneGroup {
  const found = scene.groups.find((candidate) => candidate.id === id);
  assert.ok(found, `no collapsed use ${id}`);
  return found;
}

test("every artifact gets a box of its own, inside the scene", async () => {
  const scene = await layoutScene(scanned);
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

test("every edge runs from its source's box to its target's box", async () => {
  const scene = await layoutScene(scanned);
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

test("a chain reads left to right", async () => {
  const scene = await layoutScene(
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

test("a child runbook use's artifacts sit in one labelled box, the parent's outside it", async () => {
  const scene = await layoutScene(scanned);
  assert.equal(scene.clusters.length, 1);
  const scan = cluster(scene, "scan");
  assert.equal(scan.label, "scan · scan");
  assert.equal(scan.origin, "child:scan");
  for (const placed of scene.nodes) {
    if (placed.group === "scan") {
      assert.ok(inside(placed, scan), `${placed.id} is outside the scan box`);
    } else {
      assert.ok(!overlap(placed, scan), `${placed.id} of the parent is in the scan box`);
    }
  }
  assert.ok(inside(scan, { x: 0, y: 0, width: scene.width, height: scene.height }));
});

/** One child runbook (`strict`) used twice, by `a` and `b`, from unrelated sources. */
const twice = graph(
  [
    artifact("src1", { kind: "source", component: "filesystem" }),
    artifact("src2", { kind: "source", component: "sqlite" }),
    artifact("a.strict.x", { origin: "child:strict", group: "a.strict", status: "completed" }),
    artifact("a.strict.y", { origin: "child:strict", group: "a.strict", status: "failed" }),
    artifact("b.strict.x", { origin: "child:strict", group: "b.strict" }),
    artifact("b.strict.y", { origin: "child:strict", group: "b.strict" }),
    artifact("out1"),
    artifact("out2"),
  ],
  [
    ["src1", "a.strict.x"],
    ["a.strict.x", "a.strict.y"],
    ["a.strict.y", "out1"],
    ["src2", "b.strict.x"],
    ["b.strict.x", "b.strict.y"],
    ["b.strict.y", "out2"],
  ],
);

test("two uses of one child runbook are two boxes that do not overlap", async () => {
  const scene = await layoutScene(twice);
  const a = cluster(scene, "a.strict");
  const b = cluster(scene, "b.strict");
  assert.ok(!overlap(a, b));
  assert.ok(inside(node(scene, "a.strict.x"), a) && inside(node(scene, "a.strict.y"), a));
  assert.ok(inside(node(scene, "b.strict.x"), b) && !overlap(node(scene, "b.strict.x"), a));
  assert.equal(a.label, "a · strict");
});

test("a collapsed use is one box, its edges go to it, its status is the one that matters", async () => {
  const scene = await layoutScene(twice, new Set(["a.strict"]));
  assert.deepEqual(
    scene.nodes.map((placed) => placed.id),
    ["src1", "src2", "b.strict.x", "b.strict.y", "out1", "out2"],
  );
  const a = group(scene, "a.strict");
  assert.equal(a.label, "a");
  assert.equal(a.detail, "strict · 2 artifacts");
  assert.equal(a.status, "failed");
  assert.equal(a.statusClass, "status-failed");
  assert.deepEqual(
    a.members.map((member) => member.id),
    ["a.strict.x", "a.strict.y"],
  );
  assert.deepEqual(
    scene.edges.map((edge) => [edge.from, edge.to]),
    [
      ["src1", "a.strict"],
      ["a.strict", "out1"],
      ["src2", "b.strict.x"],
      ["b.strict.x", "b.strict.y"],
      ["b.strict.y", "out2"],
    ],
  );
  for (const edge of scene.edges.filter((candidate) => candidate.to === "a.strict")) {
    assert.ok(onBorder(ends(edge.points).end, a), "the edge does not reach the collapsed box");
  }
  assert.deepEqual(
    scene.clusters.map((drawn) => drawn.id),
    ["b.strict"],
  );
});

test("unrelated parts are packed in rows, not one long strip", async () => {
  const nodes: GraphNode[] = [];
  const edges: [string, string][] = [];
  for (let part = 0; part < 60; part++) {
    nodes.push(artifact(`s${part}`, { kind: "source" }), artifact(`d${part}`));
    edges.push([`s${part}`, `d${part}`]);
  }
  const scene = await layoutScene(graph(nodes, edges), new Set(), 1.5);
  const shape = scene.width / scene.height;
  assert.ok(shape > 0.75 && shape < 3, `a ${scene.width} × ${scene.height} scene`);
  for (const [i, a] of scene.nodes.entries()) {
    for (const b of scene.nodes.slice(i + 1)) {
      assert.ok(!overlap(a, b), `${a.id} overlaps ${b.id}`);
    }
  }
  for (let part = 0; part < 60; part++) {
    const [s, d] = [node(scene, `s${part}`), node(scene, `d${part}`)];
    assert.ok(s.x + s.width < d.x, `s${part} is not left of d${part}`);
  }
});

test("rows: parts in their order, a new row when the next would pass the width", () => {
  const spots = packRows(
    [
      { width: 100, height: 50 },
      { width: 100, height: 80 },
      { width: 100, height: 50 },
      { width: 500, height: 10 },
    ],
    1,
  );
  assert.deepEqual(spots[0], { x: 16, y: 16 });
  assert.equal(spots[1]?.y, 16);
  assert.ok(spots[1].x > 116);
  const rows = new Set(spots.map((spot) => spot.y));
  assert.ok(rows.size >= 2, "everything in one row");
  assert.equal(spots[3]?.x, 16); // the widest part starts a row of its own
});

test("a box is coloured by its artifact's status; no status reads as not run", async () => {
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
  const scene = await layoutScene(scanned);
  assert.equal(node(scene, "scan.summary").statusClass, "status-failed");
  assert.equal(node(scene, "scan.summary").error, "boom");
  assert.equal(node(scene, "export").detail, "reuse · not started");
  assert.equal(node(scene, "scan.analysis.count").label, "count");
  assert.equal(node(scene, "db").component, "test_pass");
});

test("a longer label gets a wider box, a very long one is shortened", async () => {
  const long = "x".repeat(80);
  const scene = await layoutScene(
    graph([artifact("a"), artifact("personal_data_classification_by_region"), artifact("b", { label: long })]),
  );
  assert.ok(node(scene, "personal_data_classification_by_region").width > node(scene, "a").width);
  const shortened = node(scene, "b");
  assert.ok(shortened.label.length < long.length && shortened.label.endsWith("…"));
});

test("the same graph is laid out the same way every time", async () => {
  assert.deepEqual(await layoutScene(scanned), await layoutScene(structuredClone(scanned)));
});

test("an empty runbook is an empty scene", async () => {
  assert.deepEqual(await layoutScene(graph([])), {
    nodes: [],
    groups: [],
    edges: [],
    clusters: [],
    width: 0,
    height: 0,
  });
});

test("edges to artifacts the plan lacks and repeated artifacts are left out", async () => {
  const scene = await layoutScene(
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

test("parts of the same shape are laid out alike, each in its own place", async () => {
  const nodes: GraphNode[] = [];
  const edges: [string, string][] = [];
  for (const part of ["a", "b", "c"]) {
    nodes.push(artifact(`${part}1`, { kind: "source" }), artifact(`${part}2`), artifact(`${part}3`));
    edges.push([`${part}1`, `${part}2`], [`${part}1`, `${part}3`], [`${part}2`, `${part}3`]);
  }
  nodes.push(artifact("lonely_artifact_with_a_long_name"));
  const scene = await layoutScene(graph(nodes, edges));
  const relative = (part: string): Point[] => {
    const first = node(scene, `${part}1`);
    return [1, 2, 3].map((n) => ({
      x: node(scene, `${part}${n}`).x - first.x,
      y: node(scene, `${part}${n}`).y - first.y,
    }));
  };
  assert.deepEqual(relative("b"), relative("a"));
  assert.deepEqual(relative("c"), relative("a"));
  for (const [i, a] of scene.nodes.entries()) {
    for (const b of scene.nodes.slice(i + 1)) {
      assert.ok(!overlap(a, b), `${a.id} overlaps ${b.id}`);
    }
  }
  for (const edge of scene.edges) {
    const { start, end } = ends(edge.points);
    assert.ok(onBorder(start, node(scene, edge.from)), `${edge.from} → ${edge.to} does not leave ${edge.from}`);
    assert.ok(onBorder(end, node(scene, edge.to)), `${edge.from} → ${edge.to} does not reach ${edge.to}`);
  }
});
