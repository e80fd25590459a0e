// Generated from schemas/server-api.schema.json by `npm run generate-types` (`make schema`
// runs it): do not edit. The shapes are declared in Python, see server/waivern_lsp/api_schema.py.

export type RunStatus = "running" | "completed" | "failed" | "interrupted" | "partial";
export type ArtifactStatus = "not_started" | "running" | "completed" | "failed" | "skipped" | "pending";

/**
 * What the Waivern language server sends beyond LSP, by method: the result of
 * each `waivern.*` command (`workspace/executeCommand`; `waivern.inspect` with
 * one argument, the run id) and the params of the `waivern/runProgress`
 * notification. Fields may be added, never renamed or removed.
 */
export interface ServerApi {
  "waivern.run": StartedRun;
  "waivern.resume": StartedRun;
  "waivern.poll": PollReport;
  "waivern.cancel": Cancellation;
  "waivern.graph": Graph;
  "waivern.runs": RunSummary[];
  "waivern.inspect": RunReport;
  "waivern/runProgress": RunProgress;
}
/**
 * `waivern.run`, `waivern.resume`: the run, once it has started.
 */
export interface StartedRun {
  run_id: string;
}
/**
 * `waivern.poll`: what the batch providers said about the run's pending jobs
 * (`wct poll`).
 */
export interface PollReport {
  run_id: string;
  status: RunStatus;
  /**
   * Jobs whose results are in (at this poll or before).
   */
  completed: number;
  /**
   * Jobs still being worked on.
   */
  waiting: number;
  failed: PollFailure[];
  /**
   * What to do next: poll again later, resume the run (to take in the results), or
   * nothing (the run is complete).
   */
  next: "poll" | "resume" | "nothing";
}
/**
 * A batch job that failed.
 */
export interface PollFailure {
  artifact: string;
  error: string;
}
/**
 * `waivern.cancel`.
 */
export interface Cancellation {
  run_id: string;
  /**
   * False: the run's process had already ended.
   */
  cancelled: boolean;
}
/**
 * The flattened plan with the latest run's statuses (`waivern.graph`).
 */
export interface Graph {
  nodes: GraphNode[];
  /**
   * From an input to the artifact that takes it.
   */
  edges: [string, string][];
  /**
   * The latest run of the runbook, if any.
   */
  run_id: string | null;
  run_status: RunStatus | null;
}
/**
 * A planned artifact.
 */
export interface GraphNode {
  /**
   * The planned id (a child runbook's artifacts carry their namespace).
   */
  id: string;
  /**
   * The name to show: the parent-side alias, else the id in its own runbook.
   */
  label: string;
  kind: "source" | "derived" | "reuse";
  /**
   * In the latest run; null when the runbook has not run, or the artifact is new.
   */
  status: ArtifactStatus | null;
  /**
   * `parent`, or `child:<child runbook name>` for a child runbook's artifacts.
   */
  origin: string;
  /**
   * The artifact's key in the runbook (a child's artifacts: the parent's
   * `child_runbook` artifact).
   */
  range: Range | null;
  /**
   * Why it failed in the latest run.
   */
  error: string | null;
  /**
   * The connector (`source.type`) or processor (`process.type`) type; null for `reuse`.
   */
  component: string | null;
  /**
   * The child runbook use the artifact comes from: the namespace its plan id starts with
   * (`scan.analysis` for `scan.analysis.count`), one per `child_runbook` artifact (nested
   * uses: the innermost); null for the runbook's own artifacts.
   */
  group: string | null;
}
/**
 * As in LSP: `end` is exclusive.
 */
export interface Range {
  start: Position;
  end: Position;
}
/**
 * As in LSP: 0-based line and character, in the position encoding chosen with the
 * client (UTF-16 code units unless it chose UTF-8 or UTF-32).
 */
export interface Position {
  line: number;
  character: number;
}
/**
 * One recorded run (`wct runs --json`, `waivern.runs`).
 */
export interface RunSummary {
  run_id: string;
  /**
   * The runbook's path as the run was given it (absolute).
   */
  runbook_path: string;
  status: RunStatus;
  /**
   * ISO 8601, with time zone.
   */
  started_at: string;
  /**
   * ISO 8601, with time zone; null while the run has not ended.
   */
  completed_at: string | null;
  counts: RunCounts;
  /**
   * Why the run stopped, when it did not complete.
   */
  reason: string | null;
  /**
   * A `running` run whose process is still there (false: it died, the run is
   * resumable with `wct run --resume`).
   */
  owner_alive: boolean;
  /**
   * Where it ran (its last attempt): `local`, `dask-local:N`, or the Dask scheduler's
   * address (`tcp://HOST:PORT`, `tls://HOST:PORT`); null for runs of wct 0.1.0.
   */
  executor: string | null;
  /**
   * How long a resumed run stood still between an end (or its process's death) and a
   * resume: how long it took is `completed_at - started_at - idle_seconds`.
   */
  idle_seconds: number;
}
/**
 * A run's artifacts by status (a `running` artifact counts as not started).
 */
export interface RunCounts {
  completed: number;
  failed: number;
  skipped: number;
  pending: number;
  not_started: number;
}
/**
 * A run and the state of each of its artifacts (`wct inspect RUN_ID --json`,
 * `waivern.inspect [run_id]`).
 */
export interface RunReport {
  run_id: string;
  runbook_path: string;
  status: RunStatus;
  /**
   * Why the run stopped, when it did not complete.
   */
  reason: string | null;
  started_at: string;
  completed_at: string | null;
  /**
   * Where it ran (its last attempt), as in `RunSummary`.
   */
  executor: string | null;
  /**
   * By planned artifact id, in plan order.
   */
  artifacts: {
    [k: string]: ArtifactReport;
  };
}
/**
 * One artifact in a run.
 */
export interface ArtifactReport {
  status: ArtifactStatus;
  duration_seconds: number | null;
  error: string | null;
  /**
   * `parent`, or `child:<child runbook name>` for a child runbook's artifacts.
   */
  origin: string;
  /**
   * The parent-side name of a child runbook's output.
   */
  alias: string | null;
  warnings: string[];
}
/**
 * `waivern/runProgress`: one event of a run started from the editor.
 */
export interface RunProgress {
  run_id: string;
  /**
   * The runbook's file URI.
   */
  runbook: string;
  /**
   * The `wct run --events` event, or `run_ended`: the process is gone.
   */
  event: "run_started" | "artifact_started" | "artifact_progress" | "artifact_finished" | "run_finished" | "run_ended";
  /**
   * `running` until `run_finished`; then the final status.
   */
  status: RunStatus;
  /**
   * Artifacts finished, whatever their status (after a resume: with those completed
   * before).
   */
  done: number;
  total: number;
  failed: number;
  /**
   * The artifacts running now.
   */
  running: string[];
  /**
   * The artifact that started or finished.
   */
  artifact?: string;
  /**
   * How it finished (`artifact_finished`).
   */
  artifact_status?: ArtifactStatus;
  /**
   * How far the first running artifact that reports it has got, in words: "files:
   * 1,200/5,000 files · 310 MB · 41.3 MB/s · 1 min 5 s left" (events while one does).
   */
  progress?: string;
}
