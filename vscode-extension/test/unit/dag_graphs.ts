// Graphs as `waivern.graph` sends them, for the DAG view's unit tests.
import type { Graph, GraphNode } from "../../src/server_api";

/** A derived artifact of the parent runbook, not run, labelled with the last part of its
 * id (a child runbook's artifacts are `use.child.artifact`); `overrides` say the rest. */
export function artifact(id: string, overrides: Partial<GraphNode> = {}): GraphNode {
  return {
    id,
    label: id.slice(id.lastIndexOf(".") + 1),
    kind: "derived",
    status: null,
    origin: "parent",
    range: null,
    error: null,
    component: "test_pass",
    group: null,
    ...overrides,
  };
}

/** A graph of `nodes` and `edges` (input → artifact), read with no run. */
export function graph(nodes: GraphNode[], edges: [string, string][] = []): Graph {
  return { nodes, edges, run_id: null, run_status: null };
}
