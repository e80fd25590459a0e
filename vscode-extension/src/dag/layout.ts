// The DAG view's scene: the graph that is drawn (./model: artifacts, collapsed child
// runbook uses as one box each) laid out left to right by ELK's layered algorithm (elkjs),
// every box, edge and child-runbook-use box placed, ready to draw. Each connected part
// of the graph is laid out on its own (once per shape: a runbook's shards are often alike)
// and the parts are packed in rows to the shape of the view, so thousands of unrelated
// chains make a block, not a strip. No `vscode`, no DOM:
// the panel runs it in a worker thread (./layout_worker) and the webview only draws, so
// what the user sees is decided here and unit-tested here.
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { Graph, GraphNode } from "../server_api";
import { groupStatus, visibleGraph, type Group } from "./model";
import {
  DEFAULT_ASPECT,
  detailOf,
  statusClass,
  type Box,
  type Point,
  type Scene,
  type SceneCluster,
  type SceneEdge,
  type SceneGroup,
  type SceneMember,
  type SceneNode,
} from "./scene";

/** Sizes shared with the stylesheet (media/dag.css): labels 13px and the detail line
 * 11px in the editor's (monospace) font. */
export const NODE_HEIGHT = 44;
const LABEL_CHAR_WIDTH = 7.9;
const DETAIL_CHAR_WIDTH = 6.7;
const NODE_PADDING_X = 26;
const MIN_NODE_WIDTH = 110;
const MAX_LABEL_CHARS = 40;
/** Between the parts of the graph packed in rows, and around the scene. */
const PART_GAP = 48;
const MARGIN = 16;

const LAYERED = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.spacing.nodeNode": "20",
  "elk.spacing.edgeNode": "16",
  "elk.layered.spacing.edgeNodeBetweenLayers": "16",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.separateConnectedComponents": "false",
};
/** Room for a child runbook use's label above its artifacts. */
const CLUSTER_PADDING = "[top=30,left=14,bottom=14,right=14]";

let engine: InstanceType<typeof ELK> | undefined;

/** The scene of `graph` with the child runbook uses in `collapsed` drawn as one box each,
 * packed to about `aspect` (width / height). */
export async function layoutScene(
  graph: Graph,
  collapsed: ReadonlySet<string> = new Set(),
  aspect: number = DEFAULT_ASPECT,
): Promise<Scene> {
  const visible = visibleGraph(graph, collapsed);
  const boxes = new Map<string, Drawn>();
  for (const node of visible.artifacts) {
    const label = shorten(node.label);
    const detail = detailOf(node.kind, node.status);
    boxes.set(node.id, { kind: "artifact", node, label, detail, width: nodeWidth(label, detail), parent: node.group });
  }
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  for (const group of visible.collapsed) {
    const label = shorten(group.artifact);
    const detail = `${group.runbook} · ${group.members.length} artifact${group.members.length === 1 ? "" : "s"}`;
    const members = group.members.flatMap((id) => {
      const node = byId.get(id);
      return node === undefined ? [] : [{ id, label: node.label, status: node.status, component: node.component }];
    });
    boxes.set(group.id, {
      kind: "group",
      group,
      members,
      label,
      detail,
      width: nodeWidth(label, detail),
      parent: group.parent,
    });
  }
  if (boxes.size === 0) {
    return { nodes: [], groups: [], edges: [], clusters: [], width: 0, height: 0 };
  }
  const clusters = new Map(visible.expanded.map((group) => [group.id, group]));
  const parts = connectedParts(boxes, clusters, visible.edges);

  // Parts of the same shape (a runbook's shards are often alike) are laid out once.
  const shaped = parts.map((part) => shapeOf(part, boxes, clusters));
  const firstOfShape = new Map<string, number>();
  const sameAs = shaped.map((shape, index) => {
    const first = firstOfShape.get(shape.signature) ?? index;
    firstOfShape.set(shape.signature, first);
    return first;
  });
  const laidOut = [...new Set(sameAs)];
  const root: ElkNode = {
    id: "root",
    layoutOptions: { "elk.algorithm": "fixed", "elk.json.shapeCoords": "ROOT", "elk.json.edgeCoords": "ROOT" },
    children: laidOut.map((index) => elkPart(index, shaped[index] ?? EMPTY_SHAPE)),
  };
  engine ??= new ELK();
  const laid = await engine.layout(root);
  const placed = new Map(
    laidOut.map((index, number) => [index, placesIn(laid.children?.[number], shaped[index] ?? EMPTY_SHAPE)]),
  );

  // Each part's place in the rows, then everything in it moved there.
  const sizes = sameAs.map((first) => placed.get(first)?.size ?? { width: 0, height: 0 });
  const spots = packRows(sizes, aspect);
  const nodes: SceneNode[] = [];
  const groups: SceneGroup[] = [];
  const sceneClusters: SceneCluster[] = [];
  const edges: SceneEdge[] = [];
  for (const [index, part] of parts.entries()) {
    const places = placed.get(sameAs[index] ?? index);
    const shape = shaped[index];
    if (places === undefined || shape === undefined) {
      continue;
    }
    const spot = spots[index] ?? { x: 0, y: 0 };
    const moved = (box: Box): Box => ({
      x: round(box.x + spot.x),
      y: round(box.y + spot.y),
      width: round(box.width),
      height: round(box.height),
    });
    for (const [number, id] of part.boxes.entries()) {
      const box = boxes.get(id);
      const place = places.boxes[number] ?? { x: 0, y: 0, width: 0, height: 0 };
      if (box?.kind === "artifact") {
        nodes.push(artifactNode(box, moved(place)));
      } else if (box?.kind === "group") {
        groups.push(groupBox(box, moved(place)));
      }
    }
    for (const [number, id] of shape.clusters.entries()) {
      const group = clusters.get(id);
      const place = places.clusters[number] ?? { x: 0, y: 0, width: 0, height: 0 };
      if (group !== undefined) {
        sceneClusters.push({ id, origin: `child:${group.runbook}`, label: clusterLabel(group), ...moved(place) });
      }
    }
    for (const [number, [from, to]] of part.edges.entries()) {
      const points = places.edges[number] ?? [];
      edges.push({
        from,
        to,
        points: points.map((point) => ({ x: round(point.x + spot.x), y: round(point.y + spot.y) })),
      });
    }
  }
  // In the graph's order, whatever order the parts came in: stable to compare and to read.
  const order = new Map(visible.artifacts.map((node, index) => [node.id, index]));
  nodes.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const edgeOrder = new Map(visible.edges.map(([from, to], index) => [`${from}\n${to}`, index]));
  edges.sort((a, b) => (edgeOrder.get(`${a.from}\n${a.to}`) ?? 0) - (edgeOrder.get(`${b.from}\n${b.to}`) ?? 0));
  const all: Box[] = [...nodes, ...groups, ...sceneClusters];
  const width = Math.max(...all.map((box) => box.x + box.width)) + MARGIN;
  const height = Math.max(...all.map((box) => box.y + box.height)) + MARGIN;
  return { nodes, groups, edges, clusters: sceneClusters, width: round(width), height: round(height) };
}

/** A part as ELK sees it, by position: its boxes (in the part's order) with their width
 * and the cluster they are in, its clusters (each in its parent cluster, or at the top)
 * and its edges between boxes. Two parts with one signature are laid out alike. */
interface Shape {
  boxes: { width: number; cluster: number }[];
  /** The uses drawn as a box around their artifacts, by id; each with its parent's index. */
  clusters: string[];
  clusterParents: number[];
  edges: [number, number][];
  signature: string;
}

const EMPTY_SHAPE: Shape = { boxes: [], clusters: [], clusterParents: [], edges: [], signature: "" };

function shapeOf(
  part: { boxes: string[]; edges: [string, string][] },
  boxes: Map<string, Drawn>,
  clusters: Map<string, Group>,
): Shape {
  const clusterIds: string[] = [];
  const clusterParents: number[] = [];
  const clusterIndex = (id: string | null): number => {
    if (id === null || !clusters.has(id)) {
      return -1;
    }
    const known = clusterIds.indexOf(id);
    if (known >= 0) {
      return known;
    }
    const parent = clusterIndex(clusters.get(id)?.parent ?? null);
    clusterIds.push(id);
    clusterParents.push(parent);
    return clusterIds.length - 1;
  };
  const boxIndex = new Map(part.boxes.map((id, index) => [id, index]));
  const shapeBoxes = part.boxes.map((id) => {
    const box = boxes.get(id);
    return { width: box?.width ?? MIN_NODE_WIDTH, cluster: clusterIndex(box?.parent ?? null) };
  });
  const edges = part.edges.map(([from, to]): [number, number] => [boxIndex.get(from) ?? 0, boxIndex.get(to) ?? 0]);
  const signature = JSON.stringify([shapeBoxes.map((box) => [box.width, box.cluster]), clusterParents, edges]);
  return { boxes: shapeBoxes, clusters: clusterIds, clusterParents, edges, signature };
}

/** The ELK graph of a part: its boxes inside their clusters, its edges. */
function elkPart(index: number, shape: Shape): ElkNode {
  const id = (kind: string, number: number): string => `p${index}:${kind}${number}`;
  const top: ElkNode[] = [];
  const clusterNodes = shape.clusters.map((_, number): ElkNode => ({
    id: id("c", number),
    children: [],
    layoutOptions: { "elk.padding": CLUSTER_PADDING },
  }));
  const into = (cluster: number): ElkNode[] => {
    const found = clusterNodes[cluster];
    return found === undefined ? top : (found.children ??= []);
  };
  // (parents come before their children in `clusters`)
  for (const [number, cluster] of clusterNodes.entries()) {
    into(shape.clusterParents[number] ?? -1).push(cluster);
  }
  for (const [number, box] of shape.boxes.entries()) {
    into(box.cluster).push({ id: id("b", number), width: box.width, height: NODE_HEIGHT });
  }
  const edges = shape.edges.map(([from, to], number): ElkExtendedEdge => ({
    id: id("e", number),
    sources: [id("b", from)],
    targets: [id("b", to)],
  }));
  return { id: `p${index}`, layoutOptions: LAYERED, children: top, edges };
}

/** Where ELK put a part's boxes, clusters and edges, from the part's top left corner. */
function placesIn(
  laid: ElkNode | undefined,
  shape: Shape,
): { size: { width: number; height: number }; boxes: Box[]; clusters: Box[]; edges: Point[][] } {
  const origin = { x: laid?.x ?? 0, y: laid?.y ?? 0 };
  const found = new Map<string, Box>();
  const visit = (node: ElkNode): void => {
    const key = node.id.slice(node.id.indexOf(":") + 1);
    found.set(key, {
      x: (node.x ?? 0) - origin.x,
      y: (node.y ?? 0) - origin.y,
      width: node.width ?? 0,
      height: node.height ?? 0,
    });
    for (const child of node.children ?? []) {
      visit(child);
    }
  };
  for (const child of laid?.children ?? []) {
    visit(child);
  }
  const edges = (laid?.edges ?? []).map((edge) => {
    const section = edge.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    return points.map((point) => ({ x: point.x - origin.x, y: point.y - origin.y }));
  });
  const none = { x: 0, y: 0, width: 0, height: 0 };
  return {
    size: { width: laid?.width ?? 0, height: laid?.height ?? 0 },
    boxes: shape.boxes.map((_, number) => found.get(`b${number}`) ?? none),
    clusters: shape.clusters.map((_, number) => found.get(`c${number}`) ?? none),
    edges,
  };
}

type Drawn =
  | { kind: "artifact"; node: GraphNode; label: string; detail: string; width: number; parent: string | null }
  | {
      kind: "group";
      group: Group;
      members: SceneMember[];
      label: string;
      detail: string;
      width: number;
      parent: string | null;
    };

function artifactNode(box: Extract<Drawn, { kind: "artifact" }>, place: Box): SceneNode {
  const { node } = box;
  return {
    id: node.id,
    label: box.label,
    detail: box.detail,
    kind: node.kind,
    status: node.status,
    origin: node.origin,
    error: node.error,
    component: node.component,
    group: node.group,
    statusClass: statusClass(node.status),
    ...place,
  };
}

function groupBox(box: Extract<Drawn, { kind: "group" }>, place: Box): SceneGroup {
  const status = groupStatus(box.members.map((member) => member.status));
  return {
    id: box.group.id,
    label: box.label,
    detail: box.detail,
    runbook: box.group.runbook,
    status,
    statusClass: statusClass(status),
    members: box.members,
    ...place,
  };
}

function clusterLabel(group: Group): string {
  return `${group.artifact} · ${group.runbook}`;
}

/** The boxes (and their edges) connected to each other, by edges or by sharing a child
 * runbook use's box: each part is laid out on its own. Parts in the order of their first
 * box. */
function connectedParts(
  boxes: Map<string, Drawn>,
  clusters: Map<string, Group>,
  edges: [string, string][],
): { boxes: string[]; edges: [string, string][] }[] {
  const leader = new Map<string, string>();
  const find = (id: string): string => {
    let at = id;
    for (let up = leader.get(at); up !== undefined && up !== at; up = leader.get(at)) {
      leader.set(at, leader.get(up) ?? up); // halve the path
      at = up;
    }
    return at;
  };
  const join = (a: string, b: string): void => {
    const [x, y] = [find(a), find(b)];
    if (x !== y) {
      leader.set(y, x);
    }
  };
  const clusterKey = (id: string): string => `\0${id}`;
  for (const [id, box] of boxes) {
    leader.set(id, id);
    for (
      let parent = box.parent;
      parent !== null && clusters.has(parent);
      parent = clusters.get(parent)?.parent ?? null
    ) {
      if (!leader.has(clusterKey(parent))) {
        leader.set(clusterKey(parent), clusterKey(parent));
      }
      join(clusterKey(parent), id);
    }
  }
  for (const [from, to] of edges) {
    join(from, to);
  }
  const parts = new Map<string, { boxes: string[]; edges: [string, string][] }>();
  for (const id of boxes.keys()) {
    const key = find(id);
    const part = parts.get(key) ?? { boxes: [], edges: [] };
    part.boxes.push(id);
    parts.set(key, part);
  }
  for (const edge of edges) {
    parts.get(find(edge[0]))?.edges.push(edge);
  }
  return [...parts.values()];
}

/** Places parts (in their order) left to right in rows about `aspect` times as wide as
 * the whole is high; a part wider than that gets a row of its own. */
export function packRows(sizes: { width: number; height: number }[], aspect: number): Point[] {
  const area = sizes.reduce((sum, size) => sum + (size.width + PART_GAP) * (size.height + PART_GAP), 0);
  const widest = Math.max(0, ...sizes.map((size) => size.width));
  const rowWidth = Math.max(widest, Math.sqrt(area * Math.max(0.1, aspect)));
  const spots: Point[] = [];
  let x = MARGIN;
  let y = MARGIN;
  let rowHeight = 0;
  for (const size of sizes) {
    if (x > MARGIN && x + size.width > MARGIN + rowWidth) {
      x = MARGIN;
      y += rowHeight + PART_GAP;
      rowHeight = 0;
    }
    spots.push({ x, y });
    x += size.width + PART_GAP;
    rowHeight = Math.max(rowHeight, size.height);
  }
  return spots;
}

function nodeWidth(label: string, detail: string): number {
  const text = Math.max(label.length * LABEL_CHAR_WIDTH, detail.length * DETAIL_CHAR_WIDTH);
  return Math.max(MIN_NODE_WIDTH, Math.ceil(text + NODE_PADDING_X));
}

function shorten(label: string): string {
  return label.length <= MAX_LABEL_CHARS ? label : `${label.slice(0, MAX_LABEL_CHARS - 1)}…`;
}

/** Whole and half pixels keep the scene stable to compare and crisp to draw. */
function round(value: number): number {
  return Math.round(value * 2) / 2;
}
