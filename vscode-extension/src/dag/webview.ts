// The DAG view's page script (bundled to dist/dag-view.js): draws the scene the panel
// (./panel) laid out as an SVG — artifacts, edges, child-runbook clusters, a legend and a
// header — pans and zooms it, and asks the panel to reveal an artifact when one is
// clicked. It lays nothing out and never builds markup from strings: every element is
// made with createElementNS/createElement and text goes in as text.
import type { Point, Scene, SceneCluster, SceneEdge, SceneNode } from "./layout";
import type { DagHeader, FromView, ToView } from "./panel";

interface VsCodeApi {
  postMessage(message: FromView): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

interface View {
  x: number;
  y: number;
  k: number;
}

const SVG = "http://www.w3.org/2000/svg";
const MIN_ZOOM = 0.1;
const MAX_ZOOM = 4;
/** A small graph is not blown up past this when fitted. */
const MAX_FIT_ZOOM = 1.25;
const FIT_MARGIN = 24;
/** A pointer that moved less than this between down and up clicked. */
const CLICK_SLOP = 4;

const LEGEND: [string, string][] = [
  ["completed", "completed"],
  ["running", "running"],
  ["pending", "pending"],
  ["failed", "failed"],
  ["skipped", "skipped"],
  ["not_started", "not started"],
  ["none", "not run"],
];

const vscode = acquireVsCodeApi();

const header = element("header", "dag-header");
const title = element("span", "dag-title");
const run = element("span", "dag-run");
const counts = element("span", "dag-counts");
const fitButton = element("button", "dag-fit");
fitButton.textContent = "Fit";
fitButton.title = "Fit the graph to the view (double-click the background too)";
header.append(title, run, counts, fitButton);

const banner = element("div", "dag-banner");
banner.setAttribute("role", "alert");
banner.hidden = true;

const svg = svgElement("svg", { id: "dag", class: "dag-canvas", role: "img", "aria-label": "Runbook DAG" });
svg.append(arrowDefinitions());
const viewport = svgElement("g", { class: "dag-viewport" });
svg.append(viewport);

const empty = element("div", "dag-empty");
empty.textContent = "Reading the runbook…";

const legend = element("div", "dag-legend");
for (const [status, text] of LEGEND) {
  const item = element("span", `dag-legend-item status-${status}`);
  item.append(element("span", "dag-swatch"), document.createTextNode(text));
  legend.append(item);
}
const childItem = element("span", "dag-legend-item dag-legend-child");
childItem.append(element("span", "dag-swatch"), document.createTextNode("child runbook"));
legend.append(childItem);

const main = element("main", "dag-main");
main.append(svg, empty, legend);
document.body.append(header, banner, main);

let scene: Scene | undefined;
let view: View = savedView() ?? { x: 0, y: 0, k: 1 };
/** The user has panned or zoomed: new scenes keep their view, resizes do not refit. */
let moved = savedView() !== undefined;
let pointer: { id: number; x: number; y: number; startX: number; startY: number } | undefined;
/** The pointer went down and moved: its release pans, it does not click a node. */
let dragged = false;

window.addEventListener("message", (event: MessageEvent<ToView>) => {
  const message = event.data;
  switch (message.type) {
    case "scene": {
      const first = scene === undefined;
      scene = message.scene;
      drawHeader(message.header, message.scene);
      draw(message.scene);
      if (first && !moved) {
        fit();
      }
      break;
    }
    case "problem":
      banner.hidden = message.message === null;
      banner.textContent = message.message === null ? "" : `The DAG could not be updated: ${message.message}`;
      if (scene === undefined) {
        empty.textContent = message.message === null ? "Reading the runbook…" : "No DAG to show yet.";
      }
      break;
  }
});

function drawHeader(about: DagHeader, drawn: Scene): void {
  title.textContent = about.runbook;
  if (about.runId === null) {
    run.textContent = "not run yet";
    run.className = "dag-run status-none";
  } else {
    run.textContent = `run ${about.runId} · ${about.runStatus ?? "unknown"}`;
    run.className = `dag-run status-${about.runStatus ?? "none"}`;
  }
  const total = drawn.nodes.length;
  const completed = drawn.nodes.filter((node) => node.status === "completed").length;
  const failed = drawn.nodes.filter((node) => node.status === "failed").length;
  counts.textContent =
    about.runId === null
      ? `${total} artifact${total === 1 ? "" : "s"}`
      : `${completed}/${total} completed${failed ? ` · ${failed} failed` : ""}`;
}

function draw(drawn: Scene): void {
  const clusters = svgElement("g", { class: "dag-clusters" });
  clusters.append(...drawn.clusters.map(clusterElement));
  const edges = svgElement("g", { class: "dag-edges" });
  edges.append(...drawn.edges.map(edgeElement));
  const nodes = svgElement("g", { class: "dag-nodes" });
  nodes.append(...drawn.nodes.map(nodeElement));
  viewport.replaceChildren(clusters, edges, nodes);
  empty.hidden = drawn.nodes.length > 0;
  empty.textContent = "This runbook has no artifacts yet.";
  applyView();
}

function nodeElement(node: SceneNode): SVGGElement {
  const group = svgElement("g", {
    class: `dag-node ${node.statusClass}`,
    "data-id": node.id,
    "data-status": node.status ?? "none",
    "data-kind": node.kind,
    transform: `translate(${node.x} ${node.y})`,
    tabindex: "0",
    role: "button",
    "aria-label": `${node.label}, ${node.detail}`,
  });
  const tooltip = svgElement("title", {});
  tooltip.textContent = [node.id, node.detail, node.error].filter((line) => line).join("\n");
  const box = svgElement("rect", { class: "dag-node-box", width: `${node.width}`, height: `${node.height}`, rx: "6" });
  const bar = svgElement("rect", { class: "dag-node-bar", width: "5", height: `${node.height}`, rx: "2" });
  const label = svgElement("text", { class: "dag-node-label", x: "14", y: "19" });
  label.textContent = node.label;
  const detail = svgElement("text", { class: "dag-node-detail", x: "14", y: "34" });
  detail.textContent = node.detail;
  group.append(tooltip, box, bar, label, detail);
  group.addEventListener("click", () => {
    if (!dragged) {
      reveal(node.id);
    }
  });
  group.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      reveal(node.id);
    }
  });
  return group;
}

function edgeElement(edge: SceneEdge): SVGPathElement {
  return svgElement("path", {
    class: "dag-edge",
    d: smoothPath(edge.points),
    "marker-end": "url(#dag-arrow)",
    "data-from": edge.from,
    "data-to": edge.to,
  });
}

function clusterElement(cluster: SceneCluster): SVGGElement {
  const group = svgElement("g", { class: "dag-cluster", "data-origin": cluster.origin });
  const tooltip = svgElement("title", {});
  tooltip.textContent = `child runbook ${cluster.label}`;
  const box = svgElement("rect", {
    class: "dag-cluster-box",
    x: `${cluster.x}`,
    y: `${cluster.y}`,
    width: `${cluster.width}`,
    height: `${cluster.height}`,
    rx: "8",
  });
  const label = svgElement("text", { class: "dag-cluster-label", x: `${cluster.x + 10}`, y: `${cluster.y + 16}` });
  label.textContent = cluster.label;
  group.append(tooltip, box, label);
  return group;
}

/** A curve through dagre's points: straight for two, else quadratic pieces through
 * the midpoints, which ends on the last point heading the way the last piece does. */
function smoothPath(points: Point[]): string {
  const [start, ...rest] = points;
  if (start === undefined) {
    return "";
  }
  const [end, ...more] = rest;
  if (end !== undefined && more.length === 0) {
    return `M ${start.x} ${start.y} L ${end.x} ${end.y}`;
  }
  const pieces = [...consecutive(rest)].map(([control, next], index, all) => {
    const to = index === all.length - 1 ? next : { x: (control.x + next.x) / 2, y: (control.y + next.y) / 2 };
    return ` Q ${control.x} ${control.y} ${to.x} ${to.y}`;
  });
  return `M ${start.x} ${start.y}${pieces.join("")}`;
}

/** Each point with the one after it. */
function* consecutive(points: Point[]): Generator<[Point, Point]> {
  let previous: Point | undefined;
  for (const point of points) {
    if (previous !== undefined) {
      yield [previous, point];
    }
    previous = point;
  }
}

function arrowDefinitions(): SVGDefsElement {
  const defs = svgElement("defs", {});
  const marker = svgElement("marker", {
    id: "dag-arrow",
    viewBox: "0 0 10 10",
    refX: "10",
    refY: "5",
    markerWidth: "8",
    markerHeight: "8",
    markerUnits: "userSpaceOnUse",
    orient: "auto",
  });
  marker.append(svgElement("path", { class: "dag-arrowhead", d: "M 0 0 L 10 5 L 0 10 z" }));
  defs.append(marker);
  return defs;
}

function reveal(id: string): void {
  vscode.postMessage({ type: "reveal", id });
}

// Pan by dragging anywhere, zoom with the wheel around the pointer.

svg.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) {
    return;
  }
  pointer = { id: event.pointerId, x: event.clientX, y: event.clientY, startX: event.clientX, startY: event.clientY };
  dragged = false;
});

svg.addEventListener("pointermove", (event) => {
  if (pointer?.id !== event.pointerId) {
    return;
  }
  if (!dragged && Math.hypot(event.clientX - pointer.startX, event.clientY - pointer.startY) < CLICK_SLOP) {
    return;
  }
  if (!dragged) {
    dragged = true;
    svg.setPointerCapture(event.pointerId);
    svg.classList.add("dragging");
  }
  view = { ...view, x: view.x + event.clientX - pointer.x, y: view.y + event.clientY - pointer.y };
  pointer = { ...pointer, x: event.clientX, y: event.clientY };
  moved = true;
  applyView();
});

function endDrag(event: PointerEvent): void {
  if (pointer?.id !== event.pointerId) {
    return;
  }
  pointer = undefined;
  svg.classList.remove("dragging");
  if (dragged) {
    saveView();
  }
}
svg.addEventListener("pointerup", endDrag);
svg.addEventListener("pointercancel", endDrag);

svg.addEventListener(
  "wheel",
  (event) => {
    event.preventDefault();
    const bounds = svg.getBoundingClientRect();
    const at = { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
    const k = clamp(view.k * Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), MIN_ZOOM, MAX_ZOOM);
    // Keep the point under the pointer where it is.
    view = { k, x: at.x - ((at.x - view.x) * k) / view.k, y: at.y - ((at.y - view.y) * k) / view.k };
    moved = true;
    applyView();
    saveView();
  },
  { passive: false },
);

svg.addEventListener("dblclick", (event) => {
  if (!(event.target instanceof Element) || event.target.closest(".dag-node") === null) {
    fit();
  }
});
fitButton.addEventListener("click", () => fit());
window.addEventListener("resize", () => {
  if (!moved) {
    fit();
  }
});

/** The whole graph in view, centred, at most a little larger than life. */
function fit(): void {
  if (scene === undefined || scene.width === 0) {
    return;
  }
  const bounds = svg.getBoundingClientRect();
  const room = {
    width: Math.max(1, bounds.width - 2 * FIT_MARGIN),
    height: Math.max(1, bounds.height - 2 * FIT_MARGIN),
  };
  const k = clamp(Math.min(room.width / scene.width, room.height / scene.height, MAX_FIT_ZOOM), MIN_ZOOM, MAX_ZOOM);
  view = { k, x: (bounds.width - scene.width * k) / 2, y: (bounds.height - scene.height * k) / 2 };
  moved = false;
  applyView();
  saveView();
}

function applyView(): void {
  viewport.setAttribute("transform", `translate(${view.x} ${view.y}) scale(${view.k})`);
}

/** The view survives the panel being hidden and shown (the page is made anew). */
function saveView(): void {
  vscode.setState({ view: moved ? view : undefined });
}

function savedView(): View | undefined {
  const state = vscode.getState() as { view?: View } | undefined;
  return state?.view;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  made.className = className;
  return made;
}

function svgElement<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
): SVGElementTagNameMap[K] {
  const made = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    made.setAttribute(name, value);
  }
  return made;
}

vscode.postMessage({ type: "ready" });
