// The DAG view's scene: the flattened plan (`waivern.graph`) laid out left to right by
// dagre, with every box, edge and child-runbook cluster placed, ready to draw. Pure (no
// `vscode`, no DOM): the panel lays out in the extension host and the webview only draws,
// so what the user sees is decided here and unit-tested here.
import { graphlib, layout } from "@dagrejs/dagre";
import type { EdgeLabel, GraphLabel, NodeLabel } from "@dagrejs/dagre";
import type { ArtifactStatus, Graph, GraphNode } from "../server_api";

export interface Point {
  x: number;
  y: number;
}

/** A status class per artifact status; `status-none` when the artifact has not run. */
export type StatusClass = `status-${ArtifactStatus}` | "status-none";

export interface SceneNode {
  id: string;
  /** What the box says: the alias or local id, shortened when very long. */
  label: string;
  /** The box's second line: kind and status ("derived · completed"). */
  detail: string;
  kind: GraphNode["kind"];
  status: ArtifactStatus | null;
  origin: string;
  error: string | null;
  statusClass: StatusClass;
  /** The box's top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SceneEdge {
  from: string;
  to: string;
  /** From the border of the source box to the border of the target box. */
  points: Point[];
}

/** A box around the artifacts of one child runbook. */
export interface SceneCluster {
  /** The nodes' origin, "child:<name>". */
  origin: string;
  /** The child runbook's name. */
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Scene {
  nodes: SceneNode[];
  edges: SceneEdge[];
  clusters: SceneCluster[];
  width: number;
  height: number;
}

/** Sizes shared with the stylesheet (media/dag.css): labels 13px and the detail line
 * 11px in the editor's (monospace) font. */
export const NODE_HEIGHT = 44;
const LABEL_CHAR_WIDTH = 7.9;
const DETAIL_CHAR_WIDTH = 6.7;
const NODE_PADDING_X = 26;
const MIN_NODE_WIDTH = 110;
const MAX_LABEL_CHARS = 40;
const CHILD_PREFIX = "child:";

type DagreGraph = graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>;

/** Separations: the gap between a cluster's border and its first node is
 * (nodesep + edgesep) / 2, which leaves room for the cluster's label inside the box. */
const SPACING = { nodesep: 28, edgesep: 24, ranksep: 64, marginx: 16, marginy: 16 };

export function statusClass(status: ArtifactStatus | null): StatusClass {
  return status === null ? "status-none" : `status-${status}`;
}

/** How a status reads in the view: "not started", "not run" for no status at all. */
export function statusText(status: ArtifactStatus | null): string {
  return status === null ? "not run" : status.replace("_", " ");
}

export function layoutScene(graph: Graph): Scene {
  const nodes = uniqueNodes(graph.nodes);
  if (nodes.length === 0) {
    return { nodes: [], edges: [], clusters: [], width: 0, height: 0 };
  }
  const g: DagreGraph = new graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ compound: true, multigraph: false });
  g.setGraph({ rankdir: "LR", ...SPACING });
  g.setDefaultEdgeLabel(() => ({}));

  const drawn = nodes.map((node) => ({ node, label: shorten(node.label), detail: detailOf(node) }));
  for (const { node, label, detail } of drawn) {
    g.setNode(node.id, { width: nodeWidth(label, detail), height: NODE_HEIGHT });
  }
  const clusterIds = new Map<string, string>();
  for (const { node } of drawn) {
    if (!node.origin.startsWith(CHILD_PREFIX)) {
      continue;
    }
    let clusterId = clusterIds.get(node.origin);
    if (clusterId === undefined) {
      clusterId = freeId(g, `cluster:${node.origin}`);
      clusterIds.set(node.origin, clusterId);
      g.setNode(clusterId, { width: 0, height: 0 });
    }
    g.setParent(node.id, clusterId);
  }
  const known = new Set(nodes.map((node) => node.id));
  for (const [from, to] of graph.edges) {
    // An edge to an artifact the plan does not have cannot be drawn; a self-loop
    // cannot happen in a plan (the planner refuses cycles).
    if (known.has(from) && known.has(to) && from !== to) {
      g.setEdge(from, to);
    }
  }

  layout(g);

  const sceneNodes = drawn.map(({ node, label, detail }): SceneNode => {
    const box = g.node(node.id);
    return {
      id: node.id,
      label,
      detail,
      kind: node.kind,
      status: node.status,
      origin: node.origin,
      error: node.error,
      statusClass: statusClass(node.status),
      ...topLeft(box),
      width: box.width,
      height: box.height,
    };
  });
  const edges = g.edges().map((edge): SceneEdge => ({
    from: edge.v,
    to: edge.w,
    points: (g.edge(edge).points ?? []).map((point) => ({ x: round(point.x), y: round(point.y) })),
  }));
  const clusters = [...clusterIds].map(([origin, clusterId]): SceneCluster => {
    const box = g.node(clusterId);
    return {
      origin,
      label: origin.slice(CHILD_PREFIX.length),
      ...topLeft(box),
      width: round(box.width),
      height: round(box.height),
    };
  });
  const size = g.graph();
  return { nodes: sceneNodes, edges, clusters, width: round(size.width ?? 0), height: round(size.height ?? 0) };
}

/** A laid-out box's top left corner (dagre places boxes by their centre). */
function topLeft(box: NodeLabel): Point {
  if (box.x === undefined || box.y === undefined) {
    throw new Error("dagre left a box without a place"); // a bug: layout() places every node
  }
  return { x: round(box.x - box.width / 2), y: round(box.y - box.height / 2) };
}

function detailOf(node: GraphNode): string {
  return `${node.kind} · ${statusText(node.status)}`;
}

function nodeWidth(label: string, detail: string): number {
  const text = Math.max(label.length * LABEL_CHAR_WIDTH, detail.length * DETAIL_CHAR_WIDTH);
  return Math.max(MIN_NODE_WIDTH, Math.ceil(text + NODE_PADDING_X));
}

function shorten(label: string): string {
  return label.length <= MAX_LABEL_CHARS ? label : `${label.slice(0, MAX_LABEL_CHARS - 1)}…`;
}

/** The first node of each id: the server sends each artifact once, but a duplicate must
 * not turn into two boxes on the same spot. */
function uniqueNodes(nodes: GraphNode[]): GraphNode[] {
  const seen = new Set<string>();
  return nodes.filter((node) => {
    if (seen.has(node.id)) {
      return false;
    }
    seen.add(node.id);
    return true;
  });
}

function freeId(g: DagreGraph, wanted: string): string {
  let id = wanted;
  while (g.hasNode(id)) {
    id = `${id}'`;
  }
  return id;
}

/** Whole and half pixels keep the scene stable to compare and crisp to draw. */
function round(value: number): number {
  return Math.round(value * 2) / 2;
}
