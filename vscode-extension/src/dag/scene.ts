// The DAG view's scene, as the layout (./layout) makes it and the webview (./webview)
// draws it: boxes, edges and child runbook uses with their places, and how a status
// reads. Types and small pure functions only — no ELK — so the extension's and the
// webview's bundles do not carry the layout engine.
import type { ArtifactStatus, GraphNode } from "../server_api";

export interface Point {
  x: number;
  y: number;
}

/** A status class per artifact status; `status-none` when the artifact has not run. */
export type StatusClass = `status-${ArtifactStatus}` | "status-none";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SceneNode extends Box {
  id: string;
  /** What the box says: the alias or local id, shortened when very long. */
  label: string;
  /** The box's second line: kind and status ("derived · completed"). */
  detail: string;
  kind: GraphNode["kind"];
  status: ArtifactStatus | null;
  origin: string;
  error: string | null;
  component: string | null;
  /** The child runbook use it is drawn in, if any. */
  group: string | null;
  statusClass: StatusClass;
}

/** An artifact inside a collapsed child runbook use, as searches and statuses see it. */
export interface SceneMember {
  id: string;
  label: string;
  status: ArtifactStatus | null;
  component: string | null;
}

/** A collapsed child runbook use: one box for all its artifacts. */
export interface SceneGroup extends Box {
  /** The use's id (./model `Group`). */
  id: string;
  /** The `child_runbook` artifact. */
  label: string;
  /** "child runbook <name> · N artifacts". */
  detail: string;
  runbook: string;
  status: ArtifactStatus | null;
  statusClass: StatusClass;
  members: SceneMember[];
}

/** An expanded child runbook use: a box around its artifacts. */
export interface SceneCluster extends Box {
  id: string;
  /** The child runbook's nodes' origin, "child:<name>". */
  origin: string;
  /** "<child_runbook artifact> · <child runbook name>". */
  label: string;
}

export interface SceneEdge {
  /** Drawn boxes: an artifact's id or a collapsed use's id. */
  from: string;
  to: string;
  /** From the border of the source box to the border of the target box. */
  points: Point[];
}

export interface Scene {
  nodes: SceneNode[];
  groups: SceneGroup[];
  edges: SceneEdge[];
  clusters: SceneCluster[];
  width: number;
  height: number;
}

/** The packed rows aim at this width for height, about a panel beside an editor. */
export const DEFAULT_ASPECT = 1.6;

export function statusClass(status: ArtifactStatus | null): StatusClass {
  return status === null ? "status-none" : `status-${status}`;
}

/** How a status reads in the view: "not started", "not run" for no status at all. */
export function statusText(status: ArtifactStatus | null): string {
  return status === null ? "not run" : status.replace("_", " ");
}

/** The detail line of an artifact's box. */
export function detailOf(kind: GraphNode["kind"], status: ArtifactStatus | null): string {
  return `${kind} · ${statusText(status)}`;
}
