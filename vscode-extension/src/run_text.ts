// How runs and artifacts read in the status bar, the runs view and messages. Pure.
import type { ArtifactReport, ArtifactStatus, PollReport, RunProgress, RunStatus, RunSummary } from "./server_api";

/** A codicon and the theme colour it is drawn in, per status. */
export interface StatusIcon {
  icon: string;
  color: string | undefined;
}

const RUN_ICONS: Record<RunStatus, StatusIcon> = {
  running: { icon: "sync~spin", color: "charts.blue" },
  completed: { icon: "pass", color: "testing.iconPassed" },
  failed: { icon: "error", color: "testing.iconFailed" },
  interrupted: { icon: "debug-pause", color: "charts.yellow" },
  // Optional artifacts failed: the required work is done, a resume retries the rest.
  partial: { icon: "warning", color: "charts.yellow" },
};

const ARTIFACT_ICONS: Record<ArtifactStatus, StatusIcon> = {
  not_started: { icon: "circle-outline", color: undefined },
  running: { icon: "sync~spin", color: "charts.blue" },
  completed: { icon: "pass", color: "testing.iconPassed" },
  failed: { icon: "error", color: "testing.iconFailed" },
  skipped: { icon: "circle-slash", color: "disabledForeground" },
  pending: { icon: "watch", color: "charts.yellow" },
};

// A server newer than the extension may report a status the extension does not know yet.
const UNKNOWN_ICON: StatusIcon = { icon: "question", color: undefined };

function iconOf(icons: Partial<Record<string, StatusIcon>>, status: string): StatusIcon {
  return icons[status] ?? UNKNOWN_ICON;
}

export function runIcon(status: RunStatus): StatusIcon {
  return iconOf(RUN_ICONS, status);
}

/** The status bar's background theme colour after a run (none when it went well). */
export function runBackground(status: RunStatus): string | undefined {
  switch (status) {
    case "failed":
      return "statusBarItem.errorBackground";
    case "partial":
      return "statusBarItem.warningBackground";
    default:
      return undefined;
  }
}

export function artifactIcon(status: ArtifactStatus): StatusIcon {
  return iconOf(ARTIFACT_ICONS, status);
}

/** "just now", "5 min ago", "3 h ago", "2 days ago" (or the date when older than a week). */
export function relativeTime(iso: string, now: Date): string {
  const then = new Date(iso);
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (Number.isNaN(seconds)) {
    return iso;
  }
  if (seconds < 45) {
    return "just now";
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.round(minutes / 60);
  if (hours < 24) {
    return `${hours} h ago`;
  }
  const days = Math.round(hours / 24);
  if (days <= 7) {
    return days === 1 ? "yesterday" : `${days} days ago`;
  }
  return then.toISOString().slice(0, 10);
}

/** "2026-12-06 14:05:09": the local time, written as the server's hover writes it (ISO
 * order, whatever the locale), so every view of a run shows its moments alike. */
export function localMoment(iso: string): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) {
    return iso;
  }
  const two = (value: number): string => String(value).padStart(2, "0");
  const date = `${moment.getFullYear()}-${two(moment.getMonth() + 1)}-${two(moment.getDate())}`;
  return `${date} ${two(moment.getHours())}:${two(moment.getMinutes())}:${two(moment.getSeconds())}`;
}

/** "< 1 ms", "250 ms", "4.50 s", "12.3 s", "2 min 5 s", "1 h 2 min": the words the
 * server's hover and code lenses use (run_words.duration), so every view agrees. */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) {
    return seconds >= 0.001 ? `${Math.round(seconds * 1000)} ms` : "< 1 ms";
  }
  if (seconds < 10) {
    return `${seconds.toFixed(2)} s`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) {
    return `${minutes} min ${whole - minutes * 60} s`;
  }
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How long a run took, or has taken so far when it has not finished: without the time a
 * resumed run stood still before its resume (`idle_seconds`; absent from an older server). */
export function runDuration(
  run: Pick<RunSummary, "started_at" | "completed_at"> & { idle_seconds?: number },
  now: Date,
): string {
  const start = new Date(run.started_at).getTime();
  const end = run.completed_at ? new Date(run.completed_at).getTime() : now.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return "";
  }
  return formatSeconds(Math.max(0, (end - start) / 1000 - (run.idle_seconds ?? 0)));
}

export function baseName(filePath: string): string {
  const name = filePath.split(/[\\/]/).at(-1);
  return name === undefined || name === "" ? filePath : name;
}

/** A run in the runs view: "runbook.yaml" with "failed · 5 min ago · 2.1 s · 3/4". A run
 * this window follows counts by its latest event (`live`), as the notification and the
 * status bar do, so the three never disagree while it goes on. */
export function runDescription(run: RunSummary, now: Date, live?: RunProgress): string {
  if (live !== undefined && live.event !== "run_ended") {
    const since = [live.status, relativeTime(run.started_at, now), runDuration(run, now), progressText(live)];
    return since.filter(Boolean).join(" · ");
  }
  const counts = run.counts;
  const total = counts.completed + counts.failed + counts.skipped + counts.pending + counts.not_started;
  const status = isStale(run) ? "interrupted (its process is gone)" : run.status;
  const parts: string[] = [status, relativeTime(run.started_at, now), isStale(run) ? "" : runDuration(run, now)];
  // done of all, as the progress notification and the status bar count (`progressText`):
  // a failed or skipped artifact is done too
  parts.push(`${counts.completed + counts.failed + counts.skipped}/${total}`);
  if (counts.failed) {
    parts.push(`${counts.failed} failed`);
  }
  if (counts.pending) {
    parts.push(`${counts.pending} pending`);
  }
  return parts.filter(Boolean).join(" · ");
}

export function runTooltip(run: RunSummary, now: Date): string {
  const lines = [
    `Run ${run.run_id}: ${shownStatus(run)}` + (isStale(run) ? " (recorded as running; its process is gone)" : ""),
    run.runbook_path,
    `started ${localMoment(run.started_at)} (${relativeTime(run.started_at, now)})`,
  ];
  if (run.completed_at) {
    lines.push(`ended ${localMoment(run.completed_at)}, took ${runDuration(run, now)}`);
  }
  const counts = Object.entries(run.counts)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status.replace("_", " ")}`);
  if (counts.length) {
    lines.push(counts.join(", "));
  }
  return lines.join("\n");
}

/** The runs view's context value: what the run's context menu offers. */
export function runContext(run: RunSummary, resumable: boolean): string {
  const flags = [`run`, shownStatus(run)];
  if (resumable) {
    flags.push("resumable");
  }
  // Poll asks batch providers about pending jobs: offered only where some wait.
  if (run.counts.pending > 0) {
    flags.push("pollable");
  }
  return flags.join(".");
}

export function artifactDescription(state: ArtifactReport): string {
  const parts: string[] = [state.status.replace("_", " ")];
  if (state.duration_seconds !== null) {
    parts.push(formatSeconds(state.duration_seconds));
  }
  if (state.origin && state.origin !== "parent") {
    parts.push(state.origin.replace(/^child:/, "child runbook "));
  }
  return parts.join(" · ");
}

/** The status bar during a run: "3/7 · 1 failed". */
export function progressText(progress: RunProgress): string {
  let text = `${progress.done}/${progress.total}`;
  if (progress.failed) {
    text += ` · ${progress.failed} failed`;
  }
  return text;
}

/** A progress notification line: "3/7 · scan, report", and how far the first running
 * artifact that reports it has got ("· scan: 1,200/5,000 files · 41.3 MB/s · 1 min 5 s left"). */
export function progressMessage(progress: RunProgress): string {
  const running = progress.running.slice(0, 3).join(", ") + (progress.running.length > 3 ? " …" : "");
  const message = running ? `${progressText(progress)} · ${running}` : progressText(progress);
  return progress.progress ? `${message} · ${progress.progress}` : message;
}

/** What `waivern.poll` found, in one sentence. */
export function pollMessage(summary: PollReport): string {
  const parts = [`Run ${summary.run_id} is ${summary.status}`];
  if (summary.completed) {
    parts.push(`${summary.completed} batch job(s) completed since the last poll`);
  }
  if (summary.waiting) {
    parts.push(`${summary.waiting} still waiting`);
  }
  if (summary.failed.length) {
    const names = summary.failed.map((item) => item.artifact).join(", ");
    parts.push(`failed: ${names}`);
  }
  const next = {
    poll: "poll again later",
    resume: "resume it to go on",
    nothing: "nothing left to do",
  }[summary.next];
  return `${parts.join("; ")}: ${next}.`;
}

/** A run may be resumed when it failed, was interrupted or is partial (optional artifacts
 * failed), when it says `running` but its process is gone (killed, the machine restarted),
 * or when it says `completed` with failed artifacts (a partial run as an earlier wct
 * recorded it). */
export function isResumable(run: Pick<RunSummary, "status" | "owner_alive" | "counts">): boolean {
  return (
    run.status === "failed" ||
    run.status === "interrupted" ||
    run.status === "partial" ||
    (run.status === "completed" && run.counts.failed > 0) ||
    isStale(run)
  );
}

/** `running` in the store, but nobody runs it any more. */
export function isStale(run: Pick<RunSummary, "status" | "owner_alive">): boolean {
  return run.status === "running" && !run.owner_alive;
}

/** The status to show: a stale run reads as interrupted (which is what resuming sees). */
export function shownStatus(run: Pick<RunSummary, "status" | "owner_alive">): RunStatus {
  return isStale(run) ? "interrupted" : run.status;
}
