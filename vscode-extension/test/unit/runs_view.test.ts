import assert from "node:assert/strict";
import { test } from "node:test";
import { RunTracker } from "../../src/run_tracker";
import { ArtifactNode, RunNode, RunsView } from "../../src/runs_view";
import { type RunReport, type RunSummary, WaivernServer } from "../../src/server_api";
import type { ServerSession } from "../../src/session";
import { EventEmitter, ThemeIcon, TreeItemCollapsibleState, Uri, resetStub, workspace } from "../stub/vscode";

const run: RunSummary = {
  run_id: "r1",
  runbook_path: "/ws/scan/runbook.yaml",
  status: "failed",
  started_at: new Date(Date.now() - 120_000).toISOString(),
  completed_at: new Date(Date.now() - 110_000).toISOString(),
  counts: { completed: 1, failed: 1, skipped: 0, pending: 0, not_started: 0 },
  reason: null,
  owner_alive: false,
  executor: "local",
  idle_seconds: 0,
};

const state: RunReport = {
  run_id: "r1",
  runbook_path: run.runbook_path,
  status: "failed",
  reason: null,
  started_at: run.started_at,
  completed_at: run.completed_at,
  executor: "local",
  artifacts: {
    files: { status: "completed", duration_seconds: 0.25, error: null, origin: "parent", alias: null, warnings: [] },
    "scan.analysis.count": {
      status: "failed",
      duration_seconds: 1.5,
      error: "no luck",
      origin: "child:Analysis",
      alias: "findings",
      warnings: [],
    },
  },
};

function session(server: WaivernServer | undefined): ServerSession {
  return {
    server,
    lastFailure: server ? undefined : { message: "Waivern: the Python interpreter was not found." },
    onDidChangeState: new EventEmitter<boolean>().event,
  } as unknown as ServerSession;
}

const server = new WaivernServer({
  execute: (command, args) => {
    if (command === "waivern.runs") return Promise.resolve([run]);
    if (command === "waivern.inspect" && args[0] === "r1") return Promise.resolve(state);
    return Promise.reject(new Error(`unexpected ${command}`));
  },
});

test("runs list with status and expand to their artifacts; completed ones open their output", async () => {
  resetStub();
  workspace.workspaceFolders = [{ uri: Uri.file("/ws") }];
  const view = new RunsView(session(server), new RunTracker(() => server));
  const [node] = await view.getChildren();
  assert.ok(node instanceof RunNode);
  const item = view.getTreeItem(node);
  assert.equal(item.label, "r1"); // the run id: rows stay told apart in a narrow view
  // then the runbook: they are often all called runbook.yaml
  assert.match(String(item.description), /^scan\/runbook\.yaml · failed · 2 min ago · 10.0 s · 2\/2 · 1 failed$/);
  assert.equal(item.contextValue, "run.failed.resumable");
  assert.equal(item.collapsibleState, TreeItemCollapsibleState.Collapsed);
  assert.equal((item.iconPath as ThemeIcon).id, "error");

  const artifacts = await view.getChildren(node);
  assert.deepEqual(
    artifacts.map((child) => (child as ArtifactNode).artifact),
    ["files", "scan.analysis.count"],
  );
  const [first, second] = artifacts;
  assert.ok(first && second);
  const done = view.getTreeItem(first);
  assert.equal(done.description, "completed · 250 ms");
  assert.deepEqual(done.command?.arguments, ["r1", "files"]);
  assert.equal(done.command.command, "waivern.openArtifactOutput");
  const failed = view.getTreeItem(second);
  assert.equal(failed.label, "findings");
  assert.equal(failed.command, undefined);
  assert.ok(typeof failed.tooltip === "string");
  assert.match(failed.tooltip, /no luck/);
  view.dispose();
});

test("without a server the view says why instead of listing nothing", async () => {
  resetStub();
  const view = new RunsView(session(undefined), new RunTracker(() => undefined));
  const tree = { message: undefined as string | undefined };
  view.attach(tree as never);
  assert.deepEqual(await view.getChildren(), []);
  assert.equal(tree.message, "Waivern: the Python interpreter was not found.");
  view.dispose();
});
