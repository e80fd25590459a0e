import assert from "node:assert/strict";
import { test } from "node:test";
import { RunTracker } from "../../src/run_tracker";
import { type RunProgress, type StartedRun, WaivernServer } from "../../src/server_api";
import { Uri, resetStub, shown } from "../stub/vscode";

function event(overrides: Partial<RunProgress>): RunProgress {
  return {
    run_id: "r1",
    runbook: "file:///ws/runbook.yaml",
    event: "artifact_finished",
    status: "running",
    done: 0,
    total: 4,
    failed: 0,
    running: [],
    ...overrides,
  };
}

function fakeServer(calls: { command: string; args: unknown[] }[]): WaivernServer {
  return new WaivernServer({
    execute: (command, args) => {
      calls.push({ command, args });
      return Promise.resolve({ run_id: args[0], cancelled: true });
    },
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("a view following a runbook starts where its run is, then gets each of its events", () => {
  resetStub();
  const tracker = new RunTracker(() => undefined);
  tracker.update(event({ done: 118, total: 200, running: ["scan"] }));
  tracker.update(event({ run_id: "r2", runbook: "file:///ws/other/runbook.yaml", done: 1 }));
  const seen: number[] = [];
  const following = tracker.followRunbook(Uri.file("/ws/runbook.yaml") as never, (progress) =>
    seen.push(progress.done),
  );
  tracker.update(event({ done: 119, total: 200 }));
  tracker.update(event({ run_id: "r2", runbook: "file:///ws/other/runbook.yaml", done: 2 })); // not ours
  following.dispose();
  tracker.update(event({ done: 120, total: 200 }));
  assert.deepEqual(seen, [118, 119]); // not 0/200 when opened during the run
});

test("following a run reports its progress and ends with the run", async () => {
  resetStub();
  const tracker = new RunTracker(() => fakeServer([]));
  tracker.update(event({ event: "run_started", done: 0 })); // before the command answered
  const followed = tracker.follow("r1", "Running runbook.yaml");
  tracker.update(event({ event: "artifact_started", running: ["files"] }));
  tracker.update(event({ run_id: "other", done: 3 })); // another run: not reported here
  tracker.update(event({ done: 2, running: ["scan"] }));
  tracker.update(event({ event: "run_ended", status: "completed", done: 4 }));

  const final = await followed;
  assert.equal(final?.status, "completed");
  const [progress] = shown.progress;
  assert.ok(progress);
  assert.equal(progress.title, "Running runbook.yaml");
  assert.deepEqual(
    progress.reports.map((report) => report.message),
    ["0/4", "0/4 · files", "2/4 · scan", "4/4"],
  );
  const total = progress.reports.reduce((sum, report) => sum + (report.increment ?? 0), 0);
  assert.equal(total, 100);
  assert.equal(progress.done, true);
  assert.deepEqual(
    tracker.active().map((run) => run.run_id),
    ["other"],
  );
});

test("Cancel in the notification cancels the run on the server", async () => {
  resetStub();
  const calls: { command: string; args: unknown[] }[] = [];
  const tracker = new RunTracker(() => fakeServer(calls));
  tracker.update(event({ event: "run_started" }));
  const followed = tracker.follow("r1", "Running runbook.yaml");
  const [progress] = shown.progress;
  assert.ok(progress);
  progress.cancel();
  await tick();
  assert.deepEqual(calls, [{ command: "waivern.cancel", args: ["r1"] }]);
  assert.equal(progress.done, false, "the notification stays until the run has ended");
  tracker.update(event({ event: "run_ended", status: "interrupted", done: 1 }));
  assert.equal((await followed)?.status, "interrupted");
});

test("a run that ended before it was followed resolves at once", async () => {
  resetStub();
  const tracker = new RunTracker(() => undefined);
  tracker.update(event({ event: "run_ended", status: "failed", done: 4, failed: 1 }));
  assert.equal((await tracker.follow("r1", "Running"))?.failed, 1);
  assert.equal(tracker.activeFor("/ws/runbook.yaml"), undefined);
});

test("the notification opens before the run has started; Cancel then cancels it once it has", async () => {
  resetStub();
  const calls: { command: string; args: unknown[] }[] = [];
  const tracker = new RunTracker(() => fakeServer(calls));
  let started!: (answer: StartedRun) => void;
  const running = tracker.run("Running runbook.yaml", () => new Promise((resolve) => (started = resolve)));
  const [progress] = shown.progress;
  assert.ok(progress);
  assert.deepEqual(progress.reports, [{ message: "starting…" }]);
  progress.cancel(); // before the server answered
  assert.deepEqual(calls, []);
  tracker.update(event({ event: "run_started" }));
  started({ run_id: "r1" });
  await tick();
  assert.deepEqual(calls, [{ command: "waivern.cancel", args: ["r1"] }]);
  tracker.update(event({ event: "run_ended", status: "interrupted" }));
  assert.equal((await running)?.status, "interrupted");
});

test("a run the server refuses closes its notification and rejects with the refusal", async () => {
  resetStub();
  const tracker = new RunTracker(() => undefined);
  const refusal = Object.assign(new Error("runbook.yaml has 1 error"), { code: -32803 });
  await assert.rejects(Promise.resolve(tracker.run("Running", () => Promise.reject(refusal))), /has 1 error/);
  assert.equal(shown.progress[0]?.done, true);
});

test("when the server stops, followed runs end their notifications and say the run goes on", async () => {
  resetStub();
  const tracker = new RunTracker(() => undefined);
  tracker.update(event({ event: "run_started" }));
  const followed = tracker.follow("r1", "Running runbook.yaml");
  tracker.forget("the Waivern language server stopped");
  assert.equal((await followed)?.run_id, "r1");
  assert.match(shown.messages[0]?.text ?? "", /server stopped; run r1 goes on \(see the Runs view\)/);
  assert.deepEqual(tracker.active(), []);
});
