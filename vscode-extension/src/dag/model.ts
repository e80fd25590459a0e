// The DAG view's graph model: the child runbook uses (groups) of a `waivern.graph`
// answer, which of them are collapsed, the graph that is drawn then (a collapsed use is one
// box, its edges go to that box), and the questions the view asks of it — which boxes a
// search matches, what is upstream and downstream of a box. Pure (no `vscode`, no DOM,
// no layout): the panel, the layout worker and the webview all use it, and it is
// unit-tested here.
import type { ArtifactStatus, Graph, GraphNode } from "../server_api";

/** One use of a child runbook (one `child_runbook` artifact): its artifacts are drawn
 * inside one box, which can be collapsed to a single box. */
export interface Group {
  /** The use's plan-id namespace (`scan.analysis`), as the server's `group`. */
  id: string;
  /** The `child_runbook` artifact that uses the child runbook. */
  artifact: string;
  /** The child runbook's name. */
  runbook: string;
  /** The use this one is nested in (a child runbook that uses another), if any. */
  parent: string | null;
  /** Its artifacts and those of the uses nested in it, in the graph's order. */
  members: string[];
}

/** Above this many artifacts the view opens with every child runbook use collapsed. */
export const COLLAPSE_ABOVE = 300;
const CHILD_PREFIX = "child:";

/** The first node of each id: the server sends each artifact once, but a duplicate must
 * not turn into two boxes on the same spot. */
export function uniqueNodes(nodes: GraphNode[]): GraphNode[] {
  const seen = new Set<string>();
  return nodes.filter((node) => {
    if (seen.has(node.id)) {
      return false;
    }
    seen.add(node.id);
    return true;
  });
}

/** The child runbook uses of the graph, outermost first (a use before those nested in
 * it). A use nested in another is found by its namespace: it starts with the outer one's. */
export function groupsOf(graph: Graph): Group[] {
  const direct = new Map<string, { runbook: string; members: string[] }>();
  for (const node of uniqueNodes(graph.nodes)) {
    const id = node.group ?? null;
    if (id === null) {
      continue;
    }
    const found = direct.get(id) ?? { runbook: runbookName(node.origin), members: [] };
    found.members.push(node.id);
    direct.set(id, found);
  }
  const ids = [...direct.keys()].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const groups = new Map<string, Group>();
  for (const id of ids) {
    const parent = ids.filter((other) => other !== id && id.startsWith(`${other}.`)).at(-1) ?? null;
    const rest = parent === null ? id : id.slice(parent.length + 1);
    const entry = direct.get(id);
    groups.set(id, {
      id,
      artifact: rest.split(".")[0] ?? rest,
      runbook: entry?.runbook ?? "",
      parent,
      members: [],
    });
  }
  // Members in the graph's order, each also a member of every use it is nested in.
  for (const node of uniqueNodes(graph.nodes)) {
    for (let id = node.group ?? null; id !== null; id = groups.get(id)?.parent ?? null) {
      groups.get(id)?.members.push(node.id);
    }
  }
  return ids.map((id) => groups.get(id)).filter((group): group is Group => group !== undefined);
}

/** Every use collapsed when the runbook is large, none when it is not. */
export function defaultCollapsed(graph: Graph): Set<string> {
  return uniqueNodes(graph.nodes).length > COLLAPSE_ABOVE ? new Set(groupsOf(graph).map((g) => g.id)) : new Set();
}

/** What is drawn: artifacts outside collapsed uses, and one box per outermost collapsed
 * use; every edge between two drawn boxes once (none inside a collapsed use). */
export interface VisibleGraph {
  artifacts: GraphNode[];
  /** Collapsed uses shown as one box (those inside another collapsed use are not). */
  collapsed: Group[];
  /** Expanded uses, drawn as a box around their artifacts. */
  expanded: Group[];
  edges: [string, string][];
  /** The drawn box an artifact is in: itself, or the collapsed use that hides it. */
  shownAs: Map<string, string>;
}

export function visibleGraph(graph: Graph, collapsed: ReadonlySet<string>): VisibleGraph {
  const nodes = uniqueNodes(graph.nodes);
  const groups = groupsOf(graph);
  const byId = new Map(groups.map((group) => [group.id, group]));
  /** The outermost collapsed use around a use, if any. */
  const hiddenBy = (id: string | null): string | null => {
    let outermost: string | null = null;
    for (let at = id; at !== null; at = byId.get(at)?.parent ?? null) {
      if (collapsed.has(at)) {
        outermost = at;
      }
    }
    return outermost;
  };
  const shownAs = new Map<string, string>();
  const artifacts: GraphNode[] = [];
  for (const node of nodes) {
    const hider = hiddenBy(node.group ?? null);
    shownAs.set(node.id, hider ?? node.id);
    if (hider === null) {
      artifacts.push(node);
    }
  }
  const shownGroups = groups.filter((group) => hiddenBy(group.parent) === null);
  const edges: [string, string][] = [];
  const seen = new Set<string>();
  for (const [from, to] of graph.edges) {
    const a = shownAs.get(from);
    const b = shownAs.get(to);
    // An edge to an artifact the plan does not have cannot be drawn; one inside a
    // collapsed use is inside its box.
    if (a === undefined || b === undefined || a === b) {
      continue;
    }
    const key = `${a}\n${b}`;
    if (!seen.has(key)) {
      seen.add(key);
      edges.push([a, b]);
    }
  }
  return {
    artifacts,
    collapsed: shownGroups.filter((group) => collapsed.has(group.id)),
    expanded: shownGroups.filter((group) => !collapsed.has(group.id)),
    edges,
    shownAs,
  };
}

/** What laying out depends on: the boxes and their edges, not the statuses. Two graphs
 * with the same key are drawn in the same places. */
export function structureKey(graph: Graph): string {
  const nodes = uniqueNodes(graph.nodes).map((node) => [node.id, node.label, node.kind, node.group ?? null]);
  return JSON.stringify([nodes, graph.edges]);
}

/** One status for the artifacts of a collapsed use, the one that matters most: any
 * failed, else running, pending, skipped, not started, completed; null when none has one. */
export function groupStatus(statuses: (ArtifactStatus | null)[]): ArtifactStatus | null {
  const order: ArtifactStatus[] = ["failed", "running", "pending", "skipped", "not_started", "completed"];
  return order.find((status) => statuses.includes(status)) ?? null;
}

/** A search: text in the id or label, a status, a component; empty parts match all. */
export interface Query {
  text: string;
  /** An artifact status, "none" for not run, or "" for any. */
  status: string;
  /** A component type, or "" for any. */
  component: string;
}

export function isEmptyQuery(query: Query): boolean {
  return query.text.trim() === "" && query.status === "" && query.component === "";
}

/** What a search looks at in an artifact. */
export interface Searchable {
  id: string;
  label: string;
  status: ArtifactStatus | null;
  component: string | null;
}

export function matches(artifact: Searchable, query: Query): boolean {
  const text = query.text.trim().toLowerCase();
  if (text !== "" && !artifact.id.toLowerCase().includes(text) && !artifact.label.toLowerCase().includes(text)) {
    return false;
  }
  if (query.status !== "" && (artifact.status ?? "none") !== query.status) {
    return false;
  }
  return query.component === "" || artifact.component === query.component;
}

/** A box and everything upstream (what it reads, transitively) and downstream (what
 * reads it) of it, along `edges`. */
export function lineage(id: string, edges: readonly (readonly [string, string])[]): Set<string> {
  const forward = new Map<string, string[]>();
  const backward = new Map<string, string[]>();
  for (const [from, to] of edges) {
    forward.set(from, [...(forward.get(from) ?? []), to]);
    backward.set(to, [...(backward.get(to) ?? []), from]);
  }
  const found = new Set([id]);
  for (const next of [forward, backward]) {
    const queue = [id];
    for (let at = queue.pop(); at !== undefined; at = queue.pop()) {
      for (const neighbour of next.get(at) ?? []) {
        if (!found.has(neighbour)) {
          found.add(neighbour);
          queue.push(neighbour);
        }
      }
    }
  }
  return found;
}

function runbookName(origin: string): string {
  return origin.startsWith(CHILD_PREFIX) ? origin.slice(CHILD_PREFIX.length) : origin;
}
