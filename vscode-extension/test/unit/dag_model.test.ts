import assert from "node:assert/strict";
import { test } from "node:test";
import {
  COLLAPSE_ABOVE,
  defaultCollapsed,
  groupsOf,
  groupStatus,
  isEmptyQuery,
  lineage,
  matches,
  structureKey,
  visibleGraph,
} from "../../src/dag/model";
import type { GraphNode } from "../../src/server_api";
import { artifact as node, graph } from "./dag_graphs";

/** An artifact of a `personal_data` processor unless said otherwise. */
const artifact = (id: string, overrides: Partial<GraphNode> = {}): GraphNode =>
  node(id, { component: "personal_data", ...overrides });

/** `files` read by two uses of child runbook `strict` (`a` and `b`); `b`'s use nests a use
 * `inner` of runbook `deep`; `report` reads both uses' results. */
const uses = graph(
  [
    artifact("files", { kind: "source", component: "filesystem", status: "completed" }),
    artifact("a.strict.scan", { origin: "child:strict", group: "a.strict", status: "completed" }),
    artifact("a.strict.sum", { origin: "child:strict", group: "a.strict", component: "findings_summary" }),
    artifact("b.strict.scan", { origin: "child:strict", group: "b.strict", status: "failed" }),
    artifact("b.strict.inner.deep.x", { origin: "child:deep", group: "b.strict.inner.deep" }),
    artifact("report", { label: "Final report", component: "findings_summary" }),
  ],
  [
    ["files", "a.strict.scan"],
    ["a.strict.scan", "a.strict.sum"],
    ["files", "b.strict.scan"],
    ["b.strict.scan", "b.strict.inner.deep.x"],
    ["a.strict.sum", "report"],
    ["b.strict.inner.deep.x", "report"],
  ],
);

test("each use of a child runbook is a group of its own, nested uses inside theirs", () => {
  assert.deepEqual(groupsOf(uses), [
    { id: "a.strict", artifact: "a", runbook: "strict", parent: null, members: ["a.strict.scan", "a.strict.sum"] },
    {
      id: "b.strict",
      artifact: "b",
      runbook: "strict",
      parent: null,
      members: ["b.strict.scan", "b.strict.inner.deep.x"],
    },
    {
      id: "b.strict.inner.deep",
      artifact: "inner",
      runbook: "deep",
      parent: "b.strict",
      members: ["b.strict.inner.deep.x"],
    },
  ]);
});

test("nothing collapsed: every artifact and edge is drawn, each use expanded", () => {
  const visible = visibleGraph(uses, new Set());
  assert.equal(visible.artifacts.length, uses.nodes.length);
  assert.deepEqual(visible.edges, uses.edges);
  assert.deepEqual(
    visible.expanded.map((group) => group.id),
    ["a.strict", "b.strict", "b.strict.inner.deep"],
  );
  assert.deepEqual(visible.collapsed, []);
});

test("a collapsed use is one box: its edges end there, edges inside it are gone", () => {
  const visible = visibleGraph(uses, new Set(["a.strict"]));
  assert.deepEqual(
    visible.artifacts.map((node) => node.id),
    ["files", "b.strict.scan", "b.strict.inner.deep.x", "report"],
  );
  assert.deepEqual(
    visible.collapsed.map((group) => group.id),
    ["a.strict"],
  );
  assert.deepEqual(visible.edges, [
    ["files", "a.strict"],
    ["files", "b.strict.scan"],
    ["b.strict.scan", "b.strict.inner.deep.x"],
    ["a.strict", "report"],
    ["b.strict.inner.deep.x", "report"],
  ]);
  assert.equal(visible.shownAs.get("a.strict.sum"), "a.strict");
  assert.equal(visible.shownAs.get("report"), "report");
});

test("collapsing an outer use hides the uses nested in it; edges are not repeated", () => {
  const visible = visibleGraph(uses, new Set(["b.strict", "b.strict.inner.deep"]));
  assert.deepEqual(
    visible.collapsed.map((group) => group.id),
    ["b.strict"],
  );
  assert.deepEqual(
    visible.expanded.map((group) => group.id),
    ["a.strict"],
  );
  assert.equal(visible.shownAs.get("b.strict.inner.deep.x"), "b.strict");
  assert.deepEqual(
    visible.edges.filter(([, to]) => to === "report"),
    [
      ["a.strict.sum", "report"],
      ["b.strict", "report"],
    ],
  );
});

test("large runbooks open with every use collapsed, small ones with none", () => {
  assert.deepEqual(defaultCollapsed(uses), new Set());
  const many = graph(
    Array.from({ length: COLLAPSE_ABOVE + 1 }, (_, i) =>
      artifact(`u${i % 3}.c.a${i}`, { origin: "child:c", group: `u${i % 3}.c` }),
    ),
  );
  assert.deepEqual(defaultCollapsed(many), new Set(["u0.c", "u1.c", "u2.c"]));
});

test("a collapsed use takes the status that matters most", () => {
  assert.equal(groupStatus(["completed", "failed", "running"]), "failed");
  assert.equal(groupStatus(["completed", "running", null]), "running");
  assert.equal(groupStatus(["completed", "completed"]), "completed");
  assert.equal(groupStatus(["completed", null]), "completed");
  assert.equal(groupStatus([null, null]), null);
  assert.equal(groupStatus([]), null);
});

test("search: text in the id or the label, a status ('none': not run), a component", () => {
  const hits = (text: string, status = "", component = ""): string[] =>
    uses.nodes.filter((node) => matches(node, { text, status, component })).map((node) => node.id);
  assert.deepEqual(hits("STRICT.SCAN"), ["a.strict.scan", "b.strict.scan"]);
  assert.deepEqual(hits("final"), ["report"]); // the label
  assert.deepEqual(hits("", "failed"), ["b.strict.scan"]);
  assert.deepEqual(hits("", "none"), ["a.strict.sum", "b.strict.inner.deep.x", "report"]);
  assert.deepEqual(hits("", "", "findings_summary"), ["a.strict.sum", "report"]);
  assert.deepEqual(hits("a.", "completed", "personal_data"), ["a.strict.scan"]);
  assert.ok(isEmptyQuery({ text: "  ", status: "", component: "" }));
  assert.ok(!isEmptyQuery({ text: "", status: "failed", component: "" }));
});

test("focus: the artifact, all it reads and all that reads it, nothing beside", () => {
  assert.deepEqual(lineage("a.strict.scan", uses.edges), new Set(["a.strict.scan", "files", "a.strict.sum", "report"]));
  assert.deepEqual(lineage("files", uses.edges).size, uses.nodes.length);
  assert.deepEqual(
    lineage("b.strict.scan", uses.edges),
    new Set(["b.strict.scan", "files", "b.strict.inner.deep.x", "report"]),
  );
  assert.deepEqual(lineage("alone", uses.edges), new Set(["alone"]));
});

test("the structure key ignores statuses, not the boxes or the edges", () => {
  const ran = graph(
    uses.nodes.map((node) => ({ ...node, status: "completed" as const, error: "x" })),
    uses.edges,
  );
  assert.equal(structureKey(ran), structureKey(uses));
  assert.notEqual(structureKey(graph(uses.nodes, uses.edges.slice(1))), structureKey(uses));
  assert.notEqual(structureKey(graph([...uses.nodes, artifact("new")], uses.edges)), structureKey(uses));
});
