// The language server's `waivern.*` commands (workspace/executeCommand) and its
// `waivern/runProgress` notification, typed. Shapes: DESIGN.md §4.2 and §5, and
// server/waivern_lsp/features/commands.py.

export type RunStatus = "running" | "completed" | "failed" | "interrupted";
export type ArtifactStatus =
  | "not_started"
  | "running"
  | "completed"
  | "failed"
  | "skipped"
  | "pending";

/** One run of the workspace store (`wct runs --json`). */
export interface RunSummary {
  run_id: string;
  runbook_path: string;
  status: RunStatus;
  started_at: string;
  completed_at: string | null;
  /** A `running` run whose process is still there (false: it died, the run is resumable). */
  owner_alive?: boolean;
  counts: {
    completed: number;
    failed: number;
    skipped: number;
    pending: number;
    not_started: number;
  };
}

export interface ArtifactState {
  status: ArtifactStatus;
  duration_seconds: number | null;
  error: string | null;
  origin: string;
  alias: string | null;
  warnings?: string[];
}

/** A run's state per artifact (`wct inspect RUN_ID --json`). */
export interface RunState {
  run_id: string;
  runbook_path: string;
  status: RunStatus;
  reason?: string | null;
  started_at: string;
  completed_at: string | null;
  artifacts: Record<string, ArtifactState>;
}

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface GraphNode {
  id: string;
  label: string;
  kind: "source" | "derived" | "reuse";
  status: ArtifactStatus | null;
  /** "parent", or "child:<child runbook name>" for a child runbook's artifacts. */
  origin: string;
  /** The artifact's key in the runbook (a child's artifacts: the parent's child_runbook artifact). */
  range: LspRange | null;
  error: string | null;
}

/** The flattened plan with the latest run's statuses (`waivern.graph`). */
export interface Graph {
  nodes: GraphNode[];
  edges: [string, string][];
  run_id: string | null;
  run_status: RunStatus | null;
}

export interface PollSummary {
  run_id: string;
  status: RunStatus;
  completed: number;
  waiting: number;
  failed: { artifact: string; error: string | null }[];
  next: "poll" | "resume" | "nothing";
}

/** `waivern/runProgress`: one event of a run started from the editor. */
export interface RunProgress {
  run_id: string;
  /** The runbook's file URI. */
  runbook: string;
  event: "run_started" | "artifact_started" | "artifact_finished" | "run_finished" | "run_ended";
  /** "running" until run_finished; then the final status. */
  status: RunStatus;
  done: number;
  total: number;
  failed: number;
  running: string[];
  artifact?: string;
  artifact_status?: ArtifactStatus;
}

export const RUN_PROGRESS = "waivern/runProgress";

/** What sends `workspace/executeCommand` (the language client, or a fake in tests). */
export interface CommandSender {
  execute(command: string, args: unknown[]): Promise<unknown>;
}

/** The server's commands with their argument and result types. */
export class WaivernServer {
  constructor(private readonly sender: CommandSender) {}

  run(uri: string): Promise<{ run_id: string }> {
    return this.call("waivern.run", [uri]);
  }

  resume(uri: string, runId?: string): Promise<{ run_id: string }> {
    return this.call("waivern.resume", runId === undefined ? [uri] : [uri, runId]);
  }

  poll(runId: string): Promise<PollSummary> {
    return this.call("waivern.poll", [runId]);
  }

  cancel(runId: string): Promise<{ run_id: string; cancelled: boolean }> {
    return this.call("waivern.cancel", [runId]);
  }

  graph(uri: string): Promise<Graph> {
    return this.call("waivern.graph", [uri]);
  }

  runs(uri?: string): Promise<RunSummary[]> {
    return this.call("waivern.runs", uri === undefined ? [] : [uri]);
  }

  inspect(runId: string): Promise<RunState> {
    return this.call("waivern.inspect", [runId]);
  }

  /** The stored output message of an artifact (plan id or alias) in a run. */
  output(runId: string, artifact: string): Promise<Record<string, unknown>> {
    return this.call("waivern.inspect", [runId, artifact]);
  }

  private async call<T>(command: string, args: unknown[]): Promise<T> {
    return (await this.sender.execute(command, args)) as T;
  }
}

/** LSP `RequestFailed`: the server refused a command and has already said why
 * (`window/showMessage`), so the extension does not say it again. */
const REQUEST_FAILED = -32803;

export function isRefusal(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === REQUEST_FAILED;
}
