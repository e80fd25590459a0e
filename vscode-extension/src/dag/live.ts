// A run's progress in the DAG view: what its events say of the artifacts (the one that
// just finished, those running now), laid over the graph last read from the run store,
// and the statuses that changed since the view last drew them. Pure: the panel (./panel)
// feeds it each `waivern/runProgress` event and sends the changes at once, so a box
// changes colour as soon as the event arrives, without a new layout.
import type { ArtifactStatus, Graph, RunProgress } from "../server_api";

/** An artifact's status now: its id, status and why it failed. */
export type StatusChange = [string, ArtifactStatus | null, string | null];

/** What the view has drawn, by artifact: status and error. */
export type DrawnStatuses = Map<string, [ArtifactStatus | null, string | null]>;

/** The graph with what a run's event said: the artifact that finished as it finished, and
 * those the run is working on now running (the run store may not have said so yet when the
 * graph was read). */
export function withProgress(graph: Graph, event: RunProgress | undefined): Graph {
  if (event === undefined) {
    return graph;
  }
  const running = new Set(event.status === "running" ? event.running : []);
  const finished = event.artifact !== undefined ? event.artifact_status : undefined;
  const nodes = graph.nodes.map((node) => {
    if (finished !== undefined && node.id === event.artifact && node.status !== finished) {
      return { ...node, status: finished };
    }
    const waiting = node.status === null || node.status === "not_started" || node.status === "pending";
    return running.has(node.id) && waiting ? { ...node, status: "running" as const } : node;
  });
  return { ...graph, nodes };
}

/** The artifacts whose status or error differs from what was drawn; `drawn` is brought up
 * to date. */
export function statusChanges(graph: Graph, drawn: DrawnStatuses): StatusChange[] {
  const changes: StatusChange[] = [];
  for (const node of graph.nodes) {
    const [status, error] = drawn.get(node.id) ?? [null, null];
    if (status !== node.status || error !== node.error) {
      changes.push([node.id, node.status, node.error]);
      drawn.set(node.id, [node.status, node.error]);
    }
  }
  return changes;
}
