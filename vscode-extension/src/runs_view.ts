// The Runs view: the workspace store's runs (newest first) with status, start time and
// duration; a run expands to its artifacts; an artifact opens its stored output. Context
// menus resume, poll or cancel where that applies. Refreshes as runs change: run events
// from the server, and changes to the store's files (runs started in a terminal).
import * as vscode from "vscode";
import {
  artifactDescription,
  artifactIcon,
  isResumable,
  runContext,
  runDescription,
  runIcon,
  runTooltip,
  shownStatus,
} from "./run_text";
import type { RunTracker } from "./run_tracker";
import type { ArtifactReport, RunSummary } from "./server_api";
import type { ServerSession } from "./session";

export class RunNode {
  constructor(readonly run: RunSummary) {}
}

export class ArtifactNode {
  constructor(
    readonly run: RunSummary,
    readonly artifact: string,
    readonly state: ArtifactReport,
  ) {}
}

export type RunsViewNode = RunNode | ArtifactNode;

const REFRESH_MS = 400;

export class RunsView implements vscode.TreeDataProvider<RunsViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: { dispose(): unknown }[] = [];
  private pending: NodeJS.Timeout | undefined;
  private view: vscode.TreeView<RunsViewNode> | undefined;

  private watcher: vscode.FileSystemWatcher | undefined;

  constructor(
    private readonly session: ServerSession,
    private readonly tracker: RunTracker,
    private readonly storeFolder: () => string | undefined = () => undefined,
  ) {
    this.disposables.push(
      this.changed,
      tracker.onDidChange((progress) =>
        progress.event === "artifact_started" || progress.event === "artifact_progress" ? undefined : this.refresh(),
      ),
      session.onDidChangeState(() => {
        this.watchStore(); // (a restart may have moved the store)
        this.refresh();
      }),
      {
        dispose: () => {
          this.watcher?.dispose();
        },
      },
    );
    this.watchStore();
  }

  /** Runs started elsewhere (`wct run` in a terminal) show up: watch the store's files. */
  private watchStore(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    const folder = this.storeFolder();
    if (folder === undefined) {
      return;
    }
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), "*"));
    watcher.onDidChange(() => this.refresh());
    watcher.onDidCreate(() => this.refresh());
    this.watcher = watcher;
  }

  attach(view: vscode.TreeView<RunsViewNode>): void {
    this.view = view;
  }

  /** Reload soon, at most every REFRESH_MS. */
  refresh(): void {
    if (this.pending !== undefined) {
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.changed.fire(undefined);
    }, REFRESH_MS);
  }

  getTreeItem(node: RunsViewNode): vscode.TreeItem {
    const now = new Date();
    if (node instanceof RunNode) {
      const run = node.run;
      // The run id first (the status is the icon): rows stay told apart however narrow
      // the view; then "customer_scan/runbook.yaml" (runbooks are often all runbook.yaml).
      const runbook = vscode.workspace.asRelativePath(run.runbook_path, false);
      const item = new vscode.TreeItem(run.run_id, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `run:${run.run_id}`; // stable: an expanded run stays expanded as it goes on
      item.description = `${runbook} · ${runDescription(run, now, this.tracker.latest(run.run_id))}`;
      item.tooltip = runTooltip(run, now);
      item.iconPath = themeIcon(runIcon(shownStatus(run)));
      item.contextValue = runContext(run, isResumable(run));
      return item;
    }
    const item = new vscode.TreeItem(node.state.alias ?? node.artifact, vscode.TreeItemCollapsibleState.None);
    item.id = `artifact:${node.run.run_id}:${node.artifact}`;
    item.description = artifactDescription(node.state);
    const lines = [`${node.artifact}: ${node.state.status}`];
    if (node.state.error) {
      lines.push(node.state.error);
    }
    for (const warning of node.state.warnings) {
      lines.push(`warning: ${warning}`);
    }
    item.tooltip = lines.join("\n");
    item.iconPath = themeIcon(artifactIcon(node.state.status));
    item.contextValue = `artifact.${node.state.status}`;
    if (node.state.status === "completed") {
      item.command = {
        command: "waivern.openArtifactOutput",
        title: "Open Artifact Output",
        arguments: [node.run.run_id, node.artifact],
      };
    }
    return item;
  }

  async getChildren(node?: RunsViewNode): Promise<RunsViewNode[]> {
    const server = this.session.server;
    if (server === undefined) {
      this.setMessage(this.session.lastFailure?.message ?? "The Waivern language server is not running.");
      return [];
    }
    try {
      if (node === undefined) {
        const runs = await server.runs();
        this.setMessage(runs.length ? undefined : "No runs yet. Run a runbook: Waivern: Run Runbook.");
        return runs.map((run) => new RunNode(run));
      }
      if (node instanceof RunNode) {
        const state = await server.inspect(node.run.run_id);
        return Object.entries(state.artifacts).map(([id, artifact]) => new ArtifactNode(node.run, id, artifact));
      }
    } catch (error) {
      this.setMessage(`Runs could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    return [];
  }

  private setMessage(message: string | undefined): void {
    if (this.view !== undefined) {
      this.view.message = message;
    }
  }

  dispose(): void {
    if (this.pending !== undefined) {
      clearTimeout(this.pending);
    }
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }
}

function themeIcon(icon: { icon: string; color: string | undefined }): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon.icon, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
}
