// The DAG view's page script (bundled to dist/dag-view.js): draws the scene the panel
// (./panel) laid out as an SVG — artifacts, edges, child runbook uses (a box around their
// artifacts, or one box when collapsed) — with a toolbar (search and filters by id,
// status and component; focus on an artifact's upstream and downstream; collapse and
// expand all; Fit), a minimap and a legend beside the graph. It pans and zooms, recolours
// boxes in place as a run's statuses come, and asks the panel to reveal an artifact or to
// collapse or expand a use. It lays nothing out and never builds markup from strings:
// every element is made with createElementNS/createElement and text goes in as text.
import type { ArtifactStatus } from "../server_api";
import {
  detailOf,
  statusClass,
  type Box,
  type Point,
  type Scene,
  type SceneCluster,
  type SceneEdge,
  type SceneGroup,
  type SceneNode,
} from "./scene";
import { groupStatus, isEmptyQuery, lineage, matches, type Query } from "./model";
import type { StatusChange } from "./live";
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
const MAX_ZOOM = 4;
/** The farthest one can zoom out: this, or less when that is what fits the graph. */
const MIN_ZOOM = 0.1;
/** A small graph is not blown up past this when fitted. */
const MAX_FIT_ZOOM = 1.25;
/** Showing one artifact (a search hit) zooms in to at least this. */
const READABLE_ZOOM = 0.9;
const FIT_MARGIN = 24;
/** Below this zoom the boxes' text is too small to read: it is not drawn (faster too). */
const TEXT_ZOOM = 0.35;
/** A pointer that moved less than this between down and up clicked. */
const CLICK_SLOP = 4;
const SEARCH_DEBOUNCE_MS = 120;
const MINIMAP_WIDTH = 200;
const MINIMAP_HEIGHT = 140;

const STATUSES: [string, string][] = [
  ["completed", "completed"],
  ["running", "running"],
  ["pending", "pending"],
  ["failed", "failed"],
  ["skipped", "skipped"],
  ["not_started", "not started"],
  ["none", "not run"],
];

const vscode = acquireVsCodeApi();

// -- the page ---------------------------------------------------------------------------

const header = element("header", "dag-header");
const title = element("span", "dag-title");
const run = element("span", "dag-run");
const counts = element("span", "dag-counts");
const busy = element("span", "dag-busy");
busy.hidden = true;
header.append(title, run, counts, busy);

const toolbar = element("div", "dag-toolbar");
toolbar.setAttribute("role", "toolbar");
const search = element("input", "dag-search");
search.type = "search";
search.placeholder = "Search artifacts by id";
search.title = "Search by id or name (Enter: next match, Shift+Enter: previous; Ctrl+F or / to come here)";
search.setAttribute("aria-label", "Search artifacts by id");
const statusFilter = element("select", "dag-status-filter");
statusFilter.title = "Only artifacts with this status";
statusFilter.setAttribute("aria-label", "Filter by status");
statusFilter.append(option("", "any status"), ...STATUSES.map(([value, text]) => option(value, text)));
const componentFilter = element("select", "dag-component-filter");
componentFilter.title = "Only artifacts of this connector or processor";
componentFilter.setAttribute("aria-label", "Filter by component");
const matchCount = element("span", "dag-matches");
const previousMatch = button("dag-previous", "‹", "Previous match (Shift+Enter)");
const nextMatch = button("dag-next", "›", "Next match (Enter)");
const focusButton = button("dag-focus", "Focus", "Show only the selected artifact's upstream and downstream (F)");
const clearFocusButton = button("dag-clear-focus", "Clear focus", "Show the whole graph again (Escape)");
clearFocusButton.hidden = true;
const collapseAll = button("dag-collapse-all", "Collapse all", "Draw each child runbook use as one box");
const expandAll = button("dag-expand-all", "Expand all", "Draw every artifact of every child runbook use");
const fitButton = button("dag-fit", "Fit", "Fit the whole graph to the view (double-click the background too)");
toolbar.append(
  search,
  statusFilter,
  componentFilter,
  previousMatch,
  nextMatch,
  matchCount,
  focusButton,
  clearFocusButton,
  collapseAll,
  expandAll,
  fitButton,
);

const banner = element("div", "dag-banner");
banner.setAttribute("role", "alert");
banner.hidden = true;

const svg = svgElement("svg", { id: "dag", class: "dag-canvas", role: "group", "aria-label": "Runbook DAG" });
svg.append(arrowDefinitions());
const viewport = svgElement("g", { class: "dag-viewport" });
svg.append(viewport);

const empty = element("div", "dag-empty");
empty.textContent = "Reading the runbook…";

const minimap = element("div", "dag-minimap");
minimap.title = "The whole graph (shown when part of it is out of view): click or drag to move the view";
const minimapCanvas = element("canvas", "dag-minimap-canvas");
const minimapView = element("div", "dag-minimap-view");
minimap.append(minimapCanvas, minimapView);
minimap.hidden = true;

const legend = element("footer", "dag-legend");
for (const [status, text] of STATUSES) {
  const item = element("span", `dag-legend-item status-${status}`);
  item.append(element("span", "dag-swatch"), document.createTextNode(text));
  legend.append(item);
}
const childItem = element("span", "dag-legend-item dag-legend-child");
childItem.append(element("span", "dag-swatch"), document.createTextNode("child runbook use (▾ collapses)"));
legend.append(childItem);

const main = element("main", "dag-main");
main.append(svg, empty, minimap);
document.body.append(header, toolbar, banner, main, legend);

// -- state ------------------------------------------------------------------------------

let scene: Scene | undefined;
let about: DagHeader | undefined;
let view: View = savedView() ?? { x: 0, y: 0, k: 1 };
/** The user has panned or zoomed: new scenes keep their view, resizes do not refit. */
let moved = savedView() !== undefined;
let pointer: { id: number; x: number; y: number; startX: number; startY: number } | undefined;
/** The pointer went down and moved: its release pans, it does not click a node. */
let dragged = false;
/** Drawn boxes by id: artifacts and collapsed uses. */
let boxes = new Map<string, { element: SVGGElement; data: SceneNode | SceneGroup }>();
/** The collapsed use an artifact is drawn in. */
let memberOf = new Map<string, SceneGroup>();
let edgeElements: { edge: SceneEdge; element: SVGPathElement }[] = [];
let selected: string | undefined;
let focused: string | undefined;
let query: Query = { text: "", status: "", component: "" };
let matched: string[] = [];
let matchIndex = -1;
/** A use just collapsed or expanded: keep it where it was on screen in the next scene. */
let anchor: { id: string; screen: Point } | undefined;
let viewQueued = false;
let minimapQueued = false;
let searchTimer: ReturnType<typeof setTimeout> | undefined;

window.addEventListener("message", (event: MessageEvent<ToView>) => {
  const message = event.data;
  switch (message.type) {
    case "scene": {
      const first = scene === undefined;
      const started = performance.now();
      scene = message.scene;
      about = message.header;
      // The first view before the boxes are made: far out, their text is never laid out.
      const fitFirst = first && !moved && anchor === undefined;
      if (fitFirst) {
        fit();
      }
      draw(message.scene);
      drawHeader();
      if (!fitFirst) {
        keepAnchor();
      }
      document.body.dataset.drawMs = `${Math.round(performance.now() - started)}`;
      // Interactive once the browser has painted the scene (two frames later).
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          document.body.dataset.scenes = `${Number(document.body.dataset.scenes ?? "0") + 1}`;
        }),
      );
      break;
    }
    case "statuses":
      about = message.header;
      applyStatuses(message.changes);
      drawHeader();
      break;
    case "busy":
      busy.hidden = message.message === null;
      busy.textContent = message.message ?? "";
      if (scene === undefined && message.message !== null) {
        empty.textContent = message.message;
      }
      break;
    case "problem":
      banner.hidden = message.message === null;
      banner.textContent = message.message === null ? "" : `The DAG could not be updated: ${message.message}`;
      if (scene === undefined && message.message !== null) {
        empty.textContent = "No DAG to show yet.";
      }
      break;
  }
});

// -- drawing ----------------------------------------------------------------------------

function drawHeader(): void {
  if (about === undefined || scene === undefined) {
    return;
  }
  title.textContent = about.runbook;
  if (about.runId === null) {
    run.textContent = "not run yet";
    run.className = "dag-run status-none";
  } else {
    run.textContent = `run ${about.runId} · ${about.runStatus ?? "unknown"}`;
    run.className = `dag-run status-${about.runStatus ?? "none"}`;
  }
  const statuses = allStatuses();
  const total = statuses.length;
  const failed = statuses.filter((status) => status === "failed").length;
  if (about.progress !== undefined) {
    const { done, total: all, failed: failing } = about.progress;
    counts.textContent = `${done}/${all} done${failing ? ` · ${failing} failed` : ""}`;
  } else if (about.runId === null) {
    counts.textContent = `${total.toLocaleString("en")} artifact${total === 1 ? "" : "s"}`;
  } else {
    const completed = statuses.filter((status) => status === "completed").length;
    counts.textContent = `${completed}/${total} completed${failed ? ` · ${failed} failed` : ""}`;
  }
}

function allStatuses(): (ArtifactStatus | null)[] {
  if (scene === undefined) {
    return [];
  }
  return [
    ...scene.nodes.map((node) => node.status),
    ...scene.groups.flatMap((group) => group.members.map((member) => member.status)),
  ];
}

function draw(drawn: Scene): void {
  boxes = new Map();
  memberOf = new Map();
  const clusters = svgElement("g", { class: "dag-clusters" });
  clusters.append(...drawn.clusters.map(clusterElement));
  const edges = svgElement("g", { class: "dag-edges" });
  edgeElements = drawn.edges.map((edge) => ({ edge, element: edgeElement(edge) }));
  edges.append(...edgeElements.map((drawnEdge) => drawnEdge.element));
  const groups = svgElement("g", { class: "dag-groups" });
  for (const group of drawn.groups) {
    const made = groupElement(group);
    boxes.set(group.id, { element: made, data: group });
    for (const member of group.members) {
      memberOf.set(member.id, group);
    }
    groups.append(made);
  }
  const nodes = svgElement("g", { class: "dag-nodes" });
  for (const node of drawn.nodes) {
    const made = nodeElement(node);
    boxes.set(node.id, { element: made, data: node });
    nodes.append(made);
  }
  viewport.replaceChildren(clusters, edges, groups, nodes);
  empty.hidden = drawn.nodes.length + drawn.groups.length > 0;
  empty.textContent = "This runbook has no artifacts yet.";
  minimap.hidden = !empty.hidden;
  fillComponents(drawn);
  if (selected !== undefined && !boxes.has(selected)) {
    selected = undefined;
  }
  if (focused !== undefined && !boxes.has(focused)) {
    focused = undefined;
  }
  if (selected !== undefined) {
    boxes.get(selected)?.element.classList.add("dag-selected");
  }
  applyFocus(false);
  applySearch(false);
  collapseAll.disabled = drawn.clusters.length === 0;
  expandAll.disabled = drawn.groups.length === 0;
  applyView();
  queueMinimap();
}

function nodeElement(node: SceneNode): SVGGElement {
  const group = svgElement("g", {
    class: `dag-node ${node.statusClass}`,
    "data-id": node.id,
    "data-status": node.status ?? "none",
    "data-kind": node.kind,
    "data-component": node.component ?? "",
    transform: `translate(${node.x} ${node.y})`,
    tabindex: "0",
    role: "button",
    "aria-label": `${node.label}, ${node.detail}`,
  });
  const tooltip = svgElement("title", {});
  tooltip.textContent = nodeTooltip(node);
  const box = svgElement("rect", { class: "dag-node-box", width: `${node.width}`, height: `${node.height}`, rx: "6" });
  const bar = svgElement("rect", { class: "dag-node-bar", width: "5", height: `${node.height}`, rx: "2" });
  const label = svgElement("text", { class: "dag-node-label", x: "14", y: "19" });
  label.textContent = node.label;
  const detail = svgElement("text", { class: "dag-node-detail", x: "14", y: "34" });
  detail.textContent = node.detail;
  group.append(tooltip, box, bar, label, detail);
  group.addEventListener("click", () => {
    if (!dragged) {
      select(node.id);
      reveal(node.id);
    }
  });
  group.addEventListener("keydown", (event) => boxKey(event, node.id, () => reveal(node.id)));
  return group;
}

function nodeTooltip(node: SceneNode): string {
  const component =
    node.component === null ? "" : `${node.kind === "source" ? "connector" : "processor"} ${node.component}`;
  return [node.id, node.detail, component, node.error, "Click: show in the runbook · F: focus"]
    .filter((line) => line)
    .join("\n");
}

function groupElement(group: SceneGroup): SVGGElement {
  const made = svgElement("g", {
    class: `dag-group ${group.statusClass}`,
    "data-group": group.id,
    "data-status": group.status ?? "none",
    transform: `translate(${group.x} ${group.y})`,
    tabindex: "0",
    role: "button",
    "aria-expanded": "false",
    "aria-label": `${group.label}, child runbook ${group.detail}, collapsed`,
  });
  const tooltip = svgElement("title", {});
  tooltip.textContent = `${group.label}: child runbook ${group.detail}\nClick: expand · F: focus`;
  const behind = svgElement("rect", {
    class: "dag-group-behind",
    x: "4",
    y: "4",
    width: `${group.width}`,
    height: `${group.height}`,
    rx: "6",
  });
  const box = svgElement("rect", {
    class: "dag-node-box",
    width: `${group.width}`,
    height: `${group.height}`,
    rx: "6",
  });
  const bar = svgElement("rect", { class: "dag-node-bar", width: "5", height: `${group.height}`, rx: "2" });
  const label = svgElement("text", { class: "dag-node-label", x: "14", y: "19" });
  label.textContent = `▸ ${group.label}`;
  const detail = svgElement("text", { class: "dag-node-detail", x: "14", y: "34" });
  detail.textContent = group.detail;
  made.append(tooltip, behind, box, bar, label, detail);
  made.addEventListener("click", () => {
    if (!dragged) {
      select(group.id);
      toggle(group.id, false);
    }
  });
  made.addEventListener("keydown", (event) => boxKey(event, group.id, () => toggle(group.id, false)));
  return made;
}

function clusterElement(cluster: SceneCluster): SVGGElement {
  const group = svgElement("g", { class: "dag-cluster", "data-group": cluster.id, "data-origin": cluster.origin });
  const tooltip = svgElement("title", {});
  tooltip.textContent = `child runbook use ${cluster.label}`;
  const box = svgElement("rect", {
    class: "dag-cluster-box",
    x: `${cluster.x}`,
    y: `${cluster.y}`,
    width: `${cluster.width}`,
    height: `${cluster.height}`,
    rx: "8",
  });
  const toggleButton = svgElement("g", {
    class: "dag-cluster-toggle",
    tabindex: "0",
    role: "button",
    "aria-expanded": "true",
    "aria-label": `Collapse ${cluster.label}`,
  });
  const label = svgElement("text", { class: "dag-cluster-label", x: `${cluster.x + 10}`, y: `${cluster.y + 18}` });
  label.textContent = `▾ ${cluster.label}`;
  const hit = svgElement("rect", {
    class: "dag-cluster-hit",
    x: `${cluster.x}`,
    y: `${cluster.y}`,
    width: `${cluster.width}`,
    height: "26",
  });
  toggleButton.append(hit, label);
  toggleButton.addEventListener("click", () => {
    if (!dragged) {
      toggle(cluster.id, true);
    }
  });
  toggleButton.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggle(cluster.id, true);
    }
  });
  group.append(tooltip, box, toggleButton);
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

/** A curve through the layout's points: straight for two, else quadratic pieces through
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

// -- live statuses ----------------------------------------------------------------------

/** New statuses drawn in place: the box's class, its detail line and tooltip; a
 * collapsed use takes the status of its artifacts that matters most. */
function applyStatuses(changes: StatusChange[]): void {
  const groups = new Set<SceneGroup>();
  for (const [id, status, error] of changes) {
    const shown = boxes.get(id);
    if (shown !== undefined && "kind" in shown.data) {
      const node = shown.data;
      node.status = status;
      node.error = error;
      node.statusClass = statusClass(status);
      node.detail = detailOf(node.kind, status);
      restyle(shown.element, node.statusClass, status);
      const [tooltip, , , , detail] = Array.from(shown.element.children);
      if (detail !== undefined) {
        detail.textContent = node.detail;
      }
      if (tooltip !== undefined) {
        tooltip.textContent = nodeTooltip(node);
      }
      shown.element.setAttribute("aria-label", `${node.label}, ${node.detail}`);
      continue;
    }
    const group = memberOf.get(id);
    const member = group?.members.find((candidate) => candidate.id === id);
    if (group !== undefined && member !== undefined) {
      member.status = status;
      groups.add(group);
    }
  }
  for (const group of groups) {
    group.status = groupStatus(group.members.map((member) => member.status));
    group.statusClass = statusClass(group.status);
    const shown = boxes.get(group.id);
    if (shown !== undefined) {
      restyle(shown.element, group.statusClass, group.status);
    }
  }
  if (changes.length > 0) {
    if (query.status !== "") {
      applySearch(false);
    }
    queueMinimap();
  }
}

function restyle(drawn: SVGGElement, colour: string, status: ArtifactStatus | null): void {
  for (const name of Array.from(drawn.classList)) {
    if (name.startsWith("status-")) {
      drawn.classList.remove(name);
    }
  }
  drawn.classList.add(colour);
  drawn.setAttribute("data-status", status ?? "none");
}

// -- selection, focus, search -----------------------------------------------------------

function select(id: string): void {
  if (selected !== undefined) {
    boxes.get(selected)?.element.classList.remove("dag-selected");
  }
  selected = id;
  boxes.get(id)?.element.classList.add("dag-selected");
}

/** Keys on a box: Enter or Space does what a click does, F focuses on it, Escape
 * clears the focus. */
function boxKey(event: KeyboardEvent, id: string, activate: () => void): void {
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    select(id);
    activate();
  } else if (event.key === "f" || event.key === "F") {
    event.preventDefault();
    select(id);
    focusOn(id);
  }
}

/** Shows only the box, what it reads (transitively) and what reads it; the rest is dimmed. */
function focusOn(id: string): void {
  if (!boxes.has(id)) {
    return;
  }
  focused = id;
  applyFocus(true);
}

function clearFocus(): void {
  if (focused === undefined) {
    return;
  }
  focused = undefined;
  applyFocus(false);
}

function applyFocus(zoom: boolean): void {
  const set = focused === undefined || scene === undefined ? undefined : lineage(focused, scene.edges.map(ends));
  svg.classList.toggle("focusing", set !== undefined);
  clearFocusButton.hidden = set === undefined;
  focusButton.hidden = set !== undefined;
  for (const [id, shown] of boxes) {
    shown.element.classList.toggle("dag-in-focus", set?.has(id) ?? false);
  }
  for (const { edge, element: path } of edgeElements) {
    path.classList.toggle("dag-in-focus", (set?.has(edge.from) ?? false) && (set?.has(edge.to) ?? false));
  }
  if (set !== undefined && zoom) {
    const shown = [...set].flatMap((id) => {
      const found = boxes.get(id);
      return found === undefined ? [] : [found.data];
    });
    fitTo(bounds(shown));
    saveView();
  }
  queueMinimap();
}

function ends(edge: SceneEdge): [string, string] {
  return [edge.from, edge.to];
}

function readQuery(): Query {
  return { text: search.value, status: statusFilter.value, component: componentFilter.value };
}

function applySearch(show: boolean): void {
  query = readQuery();
  const active = !isEmptyQuery(query);
  svg.classList.toggle("filtering", active);
  matched = [];
  for (const [id, shown] of boxes) {
    const data = shown.data;
    const hit =
      active &&
      ("members" in data
        ? data.members.some((member) => matches(member, query)) || matches({ ...data, component: null }, query)
        : matches(data, query));
    shown.element.classList.toggle("dag-match", hit);
    if (hit) {
      matched.push(id);
    }
  }
  for (const { edge, element: path } of edgeElements) {
    path.classList.toggle("dag-match", matched.includes(edge.from) && matched.includes(edge.to));
  }
  matchIndex = -1;
  matchCount.textContent = active
    ? `${matched.length.toLocaleString("en")} match${matched.length === 1 ? "" : "es"}`
    : "";
  previousMatch.disabled = nextMatch.disabled = matched.length === 0;
  if (show && matched.length > 0) {
    step(1);
  }
  queueMinimap();
}

/** Shows the next (or previous) match, selected, in the middle of the view. */
function step(by: number): void {
  if (matched.length === 0) {
    return;
  }
  matchIndex = (matchIndex + by + matched.length) % matched.length;
  const id = matched[matchIndex];
  const shown = id === undefined ? undefined : boxes.get(id);
  if (id === undefined || shown === undefined) {
    return;
  }
  select(id);
  matchCount.textContent = `${matchIndex + 1} of ${matched.length.toLocaleString("en")}`;
  centreOn(shown.data, Math.max(view.k, READABLE_ZOOM));
}

function fillComponents(drawn: Scene): void {
  const found = new Set<string>();
  for (const node of drawn.nodes) {
    if (node.component !== null) {
      found.add(node.component);
    }
  }
  for (const group of drawn.groups) {
    for (const member of group.members) {
      if (member.component !== null) {
        found.add(member.component);
      }
    }
  }
  const current = componentFilter.value;
  const sorted = [...found].sort();
  componentFilter.replaceChildren(option("", "any component"), ...sorted.map((name) => option(name, name)));
  componentFilter.value = sorted.includes(current) ? current : "";
}

search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => applySearch(false), SEARCH_DEBOUNCE_MS);
});
search.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    clearTimeout(searchTimer);
    if (readQuery().text !== query.text) {
      applySearch(false);
    }
    step(event.shiftKey ? -1 : 1);
  } else if (event.key === "Escape" && search.value !== "") {
    event.stopPropagation();
    search.value = "";
    applySearch(false);
  }
});
statusFilter.addEventListener("change", () => applySearch(false));
componentFilter.addEventListener("change", () => applySearch(false));
nextMatch.addEventListener("click", () => step(1));
previousMatch.addEventListener("click", () => step(-1));
focusButton.addEventListener("click", () => {
  const target = selected ?? matched[Math.max(0, matchIndex)];
  if (target !== undefined) {
    focusOn(target);
  }
});
clearFocusButton.addEventListener("click", () => clearFocus());
collapseAll.addEventListener("click", () => vscode.postMessage({ type: "collapse", groups: null, collapsed: true }));
expandAll.addEventListener("click", () => vscode.postMessage({ type: "collapse", groups: null, collapsed: false }));

document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
  if ((event.key === "f" && (event.ctrlKey || event.metaKey)) || (event.key === "/" && !typing)) {
    event.preventDefault();
    search.focus();
    search.select();
  } else if (event.key === "Escape") {
    clearFocus();
  }
});

function toggle(id: string, collapse: boolean): void {
  const shown = collapse ? scene?.clusters.find((cluster) => cluster.id === id) : boxes.get(id)?.data;
  if (shown !== undefined) {
    anchor = { id, screen: toScreen(shown) };
  }
  vscode.postMessage({ type: "collapse", groups: [id], collapsed: collapse });
}

/** After a use was collapsed or expanded: its box where the old one was on screen. */
function keepAnchor(): boolean {
  const wanted = anchor;
  anchor = undefined;
  if (wanted === undefined || scene === undefined) {
    return false;
  }
  const now =
    scene.groups.find((group) => group.id === wanted.id) ?? scene.clusters.find((cluster) => cluster.id === wanted.id);
  if (now === undefined) {
    return false;
  }
  view = { ...view, x: wanted.screen.x - now.x * view.k, y: wanted.screen.y - now.y * view.k };
  moved = true;
  applyView();
  saveView();
  return true;
}

function reveal(id: string): void {
  vscode.postMessage({ type: "reveal", id });
}

// -- pan and zoom -----------------------------------------------------------------------

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
  queueView();
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
    const area = svg.getBoundingClientRect();
    const at = { x: event.clientX - area.left, y: event.clientY - area.top };
    const k = clamp(view.k * Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), minZoom(), MAX_ZOOM);
    // Keep the point under the pointer where it is.
    view = { k, x: at.x - ((at.x - view.x) * k) / view.k, y: at.y - ((at.y - view.y) * k) / view.k };
    moved = true;
    queueView();
    saveView();
  },
  { passive: false },
);

svg.addEventListener("dblclick", (event) => {
  if (
    !(event.target instanceof Element) ||
    event.target.closest(".dag-node, .dag-group, .dag-cluster-toggle") === null
  ) {
    fit();
  }
});
fitButton.addEventListener("click", () => fit());
window.addEventListener("resize", () => {
  if (!moved) {
    fit();
  }
  queueMinimap();
});

/** The whole graph in view, centred, at most a little larger than life: however large
 * the graph, no lower limit on the zoom cuts it off. */
function fit(): void {
  if (scene === undefined || scene.width === 0) {
    return;
  }
  fitTo({ x: 0, y: 0, width: scene.width, height: scene.height });
  moved = false;
  saveView();
}

function fitTo(box: Box): void {
  const area = svg.getBoundingClientRect();
  const room = {
    width: Math.max(1, area.width - 2 * FIT_MARGIN),
    height: Math.max(1, area.height - 2 * FIT_MARGIN),
  };
  const k = Math.min(room.width / Math.max(1, box.width), room.height / Math.max(1, box.height), MAX_FIT_ZOOM);
  view = {
    k,
    x: (area.width - box.width * k) / 2 - box.x * k,
    y: (area.height - box.height * k) / 2 - box.y * k,
  };
  moved = true;
  applyView();
}

function centreOn(box: Box, k: number): void {
  const area = svg.getBoundingClientRect();
  view = {
    k,
    x: area.width / 2 - (box.x + box.width / 2) * k,
    y: area.height / 2 - (box.y + box.height / 2) * k,
  };
  moved = true;
  applyView();
  saveView();
}

/** Zooming out stops where the whole graph is a quarter of the view, or at MIN_ZOOM. */
function minZoom(): number {
  if (scene === undefined || scene.width === 0) {
    return MIN_ZOOM;
  }
  const area = svg.getBoundingClientRect();
  const fits = Math.min(area.width / scene.width, area.height / scene.height);
  return Math.min(MIN_ZOOM, fits / 2);
}

function toScreen(box: Box): Point {
  return { x: view.x + box.x * view.k, y: view.y + box.y * view.k };
}

function bounds(shown: Box[]): Box {
  const left = Math.min(...shown.map((box) => box.x));
  const top = Math.min(...shown.map((box) => box.y));
  const right = Math.max(...shown.map((box) => box.x + box.width));
  const bottom = Math.max(...shown.map((box) => box.y + box.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

function queueView(): void {
  if (!viewQueued) {
    viewQueued = true;
    requestAnimationFrame(() => {
      viewQueued = false;
      applyView();
    });
  }
}

function applyView(): void {
  viewport.setAttribute("transform", `translate(${view.x} ${view.y}) scale(${view.k})`);
  svg.classList.toggle("far", view.k < TEXT_ZOOM);
  placeMinimapView();
}

/** The view survives the panel being hidden and shown (the page is made anew). */
function saveView(): void {
  vscode.setState({ view: moved ? view : undefined });
}

function savedView(): View | undefined {
  const state = vscode.getState() as { view?: View } | undefined;
  return state?.view;
}

// -- minimap ----------------------------------------------------------------------------

function minimapScale(): number {
  if (scene === undefined || scene.width === 0) {
    return 1;
  }
  return Math.min(MINIMAP_WIDTH / scene.width, MINIMAP_HEIGHT / scene.height);
}

function queueMinimap(): void {
  if (!minimapQueued) {
    minimapQueued = true;
    requestAnimationFrame(() => {
      minimapQueued = false;
      drawMinimap();
    });
  }
}

/** Every box as a dot of its status's colour; the view as a frame over it. */
function drawMinimap(): void {
  if (scene === undefined) {
    return;
  }
  const scale = minimapScale();
  const width = Math.max(1, Math.ceil(scene.width * scale));
  const height = Math.max(1, Math.ceil(scene.height * scale));
  const ratio = window.devicePixelRatio || 1;
  minimapCanvas.width = width * ratio;
  minimapCanvas.height = height * ratio;
  minimapCanvas.style.width = `${width}px`;
  minimapCanvas.style.height = `${height}px`;
  minimap.style.width = `${width}px`;
  minimap.style.height = `${height}px`;
  const context = minimapCanvas.getContext("2d");
  if (context === null) {
    return;
  }
  context.setTransform(ratio * scale, 0, 0, ratio * scale, 0, 0);
  context.clearRect(0, 0, scene.width, scene.height);
  const styles = getComputedStyle(document.documentElement);
  const colours = new Map(
    STATUSES.map(([status]) => [status, styles.getPropertyValue(`--dag-${status.replace("_", "-")}`).trim() || "#888"]),
  );
  context.globalAlpha = 0.35;
  context.strokeStyle = styles.getPropertyValue("--dag-none").trim() || "#888";
  context.lineWidth = 1 / scale;
  for (const cluster of scene.clusters) {
    context.strokeRect(cluster.x, cluster.y, cluster.width, cluster.height);
  }
  const focusing = svg.classList.contains("focusing");
  const filtering = svg.classList.contains("filtering");
  for (const [, shown] of boxes) {
    const box = shown.data;
    const classes = shown.element.classList;
    const lit = focusing ? classes.contains("dag-in-focus") : filtering ? classes.contains("dag-match") : true;
    context.globalAlpha = lit ? 0.9 : 0.2;
    context.fillStyle = colours.get(box.status ?? "none") ?? "#888";
    context.fillRect(box.x, box.y, box.width, box.height);
  }
  placeMinimapView();
}

function placeMinimapView(): void {
  if (scene === undefined) {
    return;
  }
  const scale = minimapScale();
  const area = svg.getBoundingClientRect();
  // The scene's part in view, in scene units, clipped to the scene.
  const left = clamp(-view.x / view.k, 0, scene.width);
  const top = clamp(-view.y / view.k, 0, scene.height);
  const right = clamp((area.width - view.x) / view.k, 0, scene.width);
  const bottom = clamp((area.height - view.y) / view.k, 0, scene.height);
  minimapView.style.left = `${left * scale}px`;
  minimapView.style.top = `${top * scale}px`;
  minimapView.style.width = `${Math.max(2, (right - left) * scale)}px`;
  minimapView.style.height = `${Math.max(2, (bottom - top) * scale)}px`;
  // With the whole graph in view the minimap has nothing to add: it does not cover a corner.
  const whole = left <= 0 && top <= 0 && right >= scene.width && bottom >= scene.height;
  minimap.classList.toggle("dag-minimap-whole", whole);
}

let minimapPointer: number | undefined;
function minimapMove(event: PointerEvent): void {
  if (scene === undefined) {
    return;
  }
  const at = minimapCanvas.getBoundingClientRect();
  const scale = minimapScale();
  const point = { x: (event.clientX - at.left) / scale, y: (event.clientY - at.top) / scale };
  centreOn({ x: point.x, y: point.y, width: 0, height: 0 }, view.k);
}
minimap.addEventListener("pointerdown", (event) => {
  minimapPointer = event.pointerId;
  minimap.setPointerCapture(event.pointerId);
  minimapMove(event);
});
minimap.addEventListener("pointermove", (event) => {
  if (minimapPointer === event.pointerId) {
    minimapMove(event);
  }
});
minimap.addEventListener("pointerup", () => (minimapPointer = undefined));
minimap.addEventListener("pointercancel", () => (minimapPointer = undefined));

// -- helpers ----------------------------------------------------------------------------

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  made.className = className;
  return made;
}

function button(className: string, text: string, tooltip: string): HTMLButtonElement {
  const made = element("button", `dag-button ${className}`);
  made.type = "button";
  made.textContent = text;
  made.title = tooltip;
  return made;
}

function option(value: string, text: string): HTMLOptionElement {
  const made = document.createElement("option");
  made.value = value;
  made.textContent = text;
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

const area = svg.getBoundingClientRect();
vscode.postMessage({ type: "ready", aspect: area.height > 0 ? area.width / area.height : undefined });
