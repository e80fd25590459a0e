import assert from "node:assert/strict";
import { test } from "node:test";
import {
  localMoment,
  artifactDescription,
  artifactIcon,
  formatSeconds,
  isResumable,
  pollMessage,
  progressMessage,
  relativeTime,
  runBackground,
  runContext,
  runDescription,
  runIcon,
} from "../../src/run_text";
import type { ArtifactStatus, RunProgress, RunStatus, RunSummary } from "../../src/server_api";

const now = new Date("2026-11-24T12:00:00Z");

function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    run_id: "20261124-115500-ab12",
    runbook_path: "/ws/examples/scan/runbook.yaml",
    status: "completed",
    started_at: "2026-11-24T11:55:00+00:00",
    completed_at: "2026-11-24T11:55:02.5+00:00",
    counts: { completed: 4, failed: 0, skipped: 0, pending: 0, not_started: 0 },
    reason: null,
    owner_alive: false,
    executor: "local",
    idle_seconds: 0,
    ...overrides,
  };
}

test("times read as people say them", () => {
  assert.equal(relativeTime("2026-11-24T11:59:50Z", now), "just now");
  assert.equal(relativeTime("2026-11-24T11:55:00Z", now), "5 min ago");
  assert.equal(relativeTime("2026-11-24T09:00:00Z", now), "3 h ago");
  assert.equal(relativeTime("2026-11-23T10:00:00Z", now), "yesterday");
  assert.equal(relativeTime("2026-10-01T10:00:00Z", now), "2026-10-01");
  // the server's words (run_words.duration; the same table in tests/language/test_lens_titles.py)
  assert.deepEqual([0.0004, 0.04, 0.4213, 4.5, 12.34, 59.96, 61, 3600, 150.5, 0.0025].map(formatSeconds), [
    "< 1 ms",
    "40 ms",
    "421 ms",
    "4.50 s",
    "12.3 s",
    "60.0 s",
    "1 min 1 s",
    "1 h 0 min",
    "2 min 31 s",
    "3 ms",
  ]);
  assert.equal(relativeTime("2026-11-24T11:57:30Z", now), "3 min ago"); // 150 s: halves up, as the hover
});

test("a run's line says status, when, how long, and how far it got", () => {
  assert.equal(runDescription(summary(), now), "completed · 5 min ago · 2.50 s · 4/4");
  const failed = summary({
    status: "failed",
    counts: { completed: 2, failed: 1, skipped: 1, pending: 0, not_started: 0 },
  });
  // done of all, as the notification and the status bar count: failed and skipped are done
  assert.equal(runDescription(failed, now), "failed · 5 min ago · 2.50 s · 4/4 · 1 failed");
  const running = summary({
    status: "running",
    completed_at: null,
    started_at: "2026-11-24T11:59:00+00:00",
    owner_alive: true,
  });
  assert.match(runDescription(running, now), /^running · 1 min ago · 1 min 0 s · 4\/4$/);
});

test("a resumed run took its working time, not the time it stood still before the resume", () => {
  const resumed = summary({
    started_at: "2026-11-24T09:00:00+00:00", // interrupted at 09:01, resumed at 11:58
    completed_at: "2026-11-24T11:59:00+00:00",
    idle_seconds: (2 * 60 + 57) * 60,
  });
  assert.equal(runDescription(resumed, now), "completed · 3 h ago · 2 min 0 s · 4/4");
});

test("a run this window follows counts by its events, as the notification and the status bar", () => {
  const running = summary({ status: "running", completed_at: null, owner_alive: true });
  const live: RunProgress = {
    run_id: running.run_id,
    runbook: "file:///ws/examples/scan/runbook.yaml",
    event: "artifact_finished",
    status: "running",
    done: 3,
    total: 7,
    failed: 1,
    running: ["scan"],
  };
  // (the store's counts of that moment may lag behind: the events are the one source)
  assert.match(runDescription(running, now, live), /^running · 5 min ago · 5 min 0 s · 3\/7 · 1 failed$/);
  assert.match(runDescription(running, now, { ...live, event: "run_ended" }), /4\/4$/);
});

test("the context menu offers resume only on failed, interrupted or partial runs, poll only with pending jobs", () => {
  assert.equal(runContext(summary(), isResumable(summary())), "run.completed");
  const failed = summary({ status: "failed" });
  assert.equal(runContext(failed, isResumable(failed)), "run.failed.resumable");
  const interrupted = summary({ status: "interrupted" });
  assert.equal(runContext(interrupted, isResumable(interrupted)), "run.interrupted.resumable");
  const waiting = summary({
    status: "interrupted",
    counts: { completed: 1, failed: 0, skipped: 0, pending: 1, not_started: 0 },
  });
  assert.equal(runContext(waiting, isResumable(waiting)), "run.interrupted.resumable.pollable");
  const optionalFailed = { completed: 2, failed: 1, skipped: 1, pending: 0, not_started: 0 };
  const partial = summary({ status: "partial", counts: optionalFailed });
  assert.equal(runContext(partial, isResumable(partial)), "run.partial.resumable");
  // a partial run as a wct from before `partial` recorded it
  const earlier = summary({ counts: optionalFailed });
  assert.equal(runContext(earlier, isResumable(earlier)), "run.completed.resumable");
  const batch = summary({ counts: { completed: 2, failed: 0, skipped: 0, pending: 2, not_started: 0 } });
  assert.equal(runContext(batch, false), "run.completed.pollable");
  assert.equal(runContext(summary({ status: "running", owner_alive: true }), false), "run.running");
});

test("artifacts show status, duration and the child runbook they come from", () => {
  const base = { error: null, alias: null, origin: "parent", warnings: [] };
  assert.equal(artifactDescription({ ...base, status: "completed", duration_seconds: 1.234 }), "completed · 1.23 s");
  assert.equal(artifactDescription({ ...base, status: "not_started", duration_seconds: null }), "not started");
  assert.equal(
    artifactDescription({ ...base, status: "failed", duration_seconds: 0.5, origin: "child:Analysis" }),
    "failed · 500 ms · child runbook Analysis",
  );
});

test("progress lines name what runs now; poll results say what to do next", () => {
  const progress: RunProgress = {
    run_id: "r1",
    runbook: "file:///ws/runbook.yaml",
    event: "artifact_started",
    status: "running",
    done: 3,
    total: 7,
    failed: 1,
    running: ["a", "b", "c", "d"],
  };
  assert.equal(progressMessage(progress), "3/7 · 1 failed · a, b, c …");
  assert.equal(progressMessage({ ...progress, failed: 0, running: [] }), "3/7");
  const moving = { ...progress, event: "artifact_progress" as const, progress: "scan: 12 MB · 4.0 MB/s · 3 s left" };
  assert.equal(progressMessage(moving), "3/7 · 1 failed · a, b, c … · scan: 12 MB · 4.0 MB/s · 3 s left");
  assert.equal(
    pollMessage({ run_id: "r1", status: "running", completed: 1, waiting: 2, failed: [], next: "poll" }),
    "Run r1 is running; 1 batch job(s) completed since the last poll; 2 still waiting: poll again later.",
  );
  assert.equal(
    pollMessage({
      run_id: "r1",
      status: "failed",
      completed: 0,
      waiting: 0,
      failed: [{ artifact: "review", error: "rejected" }],
      next: "resume",
    }),
    "Run r1 is failed; failed: review: resume it to go on.",
  );
});

test("a partial run looks like a warning: yellow, and the status bar on a warning background", () => {
  assert.deepEqual(runIcon("partial"), { icon: "warning", color: "charts.yellow" });
  assert.equal(runBackground("partial"), "statusBarItem.warningBackground");
  assert.equal(runBackground("failed"), "statusBarItem.errorBackground");
  assert.equal(runBackground("completed"), undefined);
  const partial = summary({
    status: "partial",
    counts: { completed: 2, failed: 1, skipped: 1, pending: 0, not_started: 0 },
  });
  assert.equal(runDescription(partial, now), "partial · 5 min ago · 2.50 s · 4/4 · 1 failed");
});

test("a status the extension does not know yet (a newer server) gets a question mark, not an error", () => {
  assert.deepEqual(runIcon("paused" as RunStatus), { icon: "question", color: undefined });
  assert.deepEqual(artifactIcon("throttled" as ArtifactStatus), { icon: "question", color: undefined });
  assert.equal(runIcon("completed").icon, "pass");
});

test("moments read in ISO order, local time, as the server's hover writes them", () => {
  const moment = new Date(2026, 11, 6, 9, 5, 7); // local time
  assert.equal(localMoment(moment.toISOString()), "2026-12-06 09:05:07");
  assert.equal(localMoment("not a time"), "not a time");
});
