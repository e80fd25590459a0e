// The DAG view's panel: one webview per runbook showing its flattened plan laid out
// (./layout) with the latest run's statuses, redrawn as the runbook is edited or saved
// and as a run of it makes progress. The webview (./webview, bundled to dist/dag-view.js)
// only draws what this panel sends and asks it to reveal artifacts.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { Graph, RunProgress, RunStatus, WaivernServer } from "../server_api";
import { layoutScene, type Scene } from "./layout";
import { dagHtml } from "./page";

/** What the panel tells the view. */
export type ToView =
  | { type: "scene"; scene: Scene; header: DagHeader }
  /** Why the graph could not be made (the last good scene stays drawn); null clears it. */
  | { type: "problem"; message: string | null };

/** What the view tells the panel. */
export type FromView = { type: "ready" } | { type: "reveal"; id: string };

/** The view's header line: the runbook and its latest run. */
export interface DagHeader {
  /** The runbook's file name. */
  runbook: string;
  runId: string | null;
  runStatus: RunStatus | null;
}

const EDIT_DEBOUNCE_MS = 300;
/** During a run, at most one graph request per this many milliseconds. */
const PROGRESS_INTERVAL_MS = 250;

export class DagPanel {
  private static readonly open = new Map<string, DagPanel>();

  private readonly disposables: { dispose(): unknown }[] = [];
  private graph: Graph | undefined;
  private scene: Scene | undefined;
  private problem: string | null = null;
  /** Artifacts the latest progress event of this runbook's run says are running. */
  private running: { runId: string; ids: Set<string> } | undefined;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private fetching = false;
  private fetchAgain = false;
  private lastFetch = 0;
  /** A change came while the view was hidden: fetch when it is shown again. */
  private stale = false;
  private disposed = false;

  /** Shows the DAG of the runbook at `uri`: its open panel if there is one, else a new
   * one beside the editor. */
  static show(
    context: vscode.ExtensionContext,
    server: WaivernServer,
    uri: vscode.Uri,
    progress: vscode.Event<RunProgress>,
  ): DagPanel {
    const existing = DagPanel.open.get(uri.toString());
    if (existing !== undefined) {
      // The server may have been restarted since the panel was opened.
      existing.server = server;
      existing.panel.reveal(vscode.ViewColumn.Beside);
      existing.refresh();
      return existing;
    }
    const dist = vscode.Uri.joinPath(context.extensionUri, "dist");
    const media = vscode.Uri.joinPath(context.extensionUri, "media");
    const panel = vscode.window.createWebviewPanel(
      "waivernDag",
      `DAG: ${fileName(uri)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [dist, media], retainContextWhenHidden: false },
    );
    const webview = panel.webview;
    webview.html = dagHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, "dag-view.js")).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, "dag.css")).toString(),
      nonce: randomBytes(16).toString("hex"),
    });
    const created = new DagPanel(panel, server, uri, progress);
    DagPanel.open.set(uri.toString(), created);
    return created;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private server: WaivernServer,
    private readonly uri: vscode.Uri,
    progress: vscode.Event<RunProgress>,
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromView) => this.received(message)),
      vscode.workspace.onDidChangeTextDocument((change) => {
        if (change.document.uri.toString() === uri.toString() && change.contentChanges.length > 0) {
          clearTimeout(this.editTimer);
          this.editTimer = setTimeout(() => this.refresh(), EDIT_DEBOUNCE_MS);
        }
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (document.uri.toString() === uri.toString()) {
          this.refresh();
        }
      }),
      progress((event) => this.progressed(event)),
    );
  }

  /** Asks the server for the graph again (now, or as soon as the current request ends). */
  refresh(): void {
    if (this.disposed) {
      return;
    }
    if (!this.panel.visible) {
      this.stale = true;
      return;
    }
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    void this.fetch();
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    DagPanel.open.delete(this.uri.toString());
    clearTimeout(this.editTimer);
    clearTimeout(this.progressTimer);
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
    this.panel.dispose();
  }

  private async fetch(): Promise<void> {
    this.fetching = true;
    this.lastFetch = Date.now();
    try {
      const graph = await this.server.graph(this.uri.toString());
      this.graph = graph;
      this.scene = layoutScene(this.withRunning(graph));
      this.problem = null;
    } catch (error) {
      if (isSuperseded(error)) {
        this.fetchAgain = true; // the text changed while the server worked: ask again
      } else {
        // The runbook has errors or the server is gone: say so above the last good graph.
        this.problem = error instanceof Error ? error.message : String(error);
      }
    } finally {
      this.fetching = false;
    }
    this.post();
    if (this.fetchAgain) {
      this.fetchAgain = false;
      this.refresh();
    }
  }

  private post(): void {
    if (this.disposed) {
      return;
    }
    if (this.scene !== undefined && this.graph !== undefined) {
      const header: DagHeader = {
        runbook: fileName(this.uri),
        runId: this.graph.run_id,
        runStatus: this.graph.run_status,
      };
      void this.send({ type: "scene", scene: this.scene, header });
    }
    void this.send({ type: "problem", message: this.problem });
  }

  private send(message: ToView): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  private received(message: FromView): void {
    switch (message.type) {
      case "ready":
        // A new webview (first shown, or shown again after being hidden): it has nothing.
        if (this.stale || this.graph === undefined) {
          this.stale = false;
          this.refresh();
        }
        this.post();
        break;
      case "reveal":
        void this.reveal(message.id);
        break;
    }
  }

  private progressed(event: RunProgress): void {
    if (vscode.Uri.parse(event.runbook).fsPath !== this.uri.fsPath) {
      return;
    }
    this.running = event.status === "running" ? { runId: event.run_id, ids: new Set(event.running) } : undefined;
    if (this.progressTimer !== undefined) {
      return; // The request already scheduled comes after this event.
    }
    const wait = Math.max(0, this.lastFetch + PROGRESS_INTERVAL_MS - Date.now());
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.refresh();
    }, wait);
  }

  /** The graph with the artifacts the run is working on right now marked running: the
   * run store may not have said so yet when the graph was read. */
  private withRunning(graph: Graph): Graph {
    const running = this.running;
    if (running?.runId !== graph.run_id || graph.run_status !== "running") {
      return graph;
    }
    const nodes = graph.nodes.map((node) =>
      running.ids.has(node.id) && (node.status === null || node.status === "not_started" || node.status === "pending")
        ? { ...node, status: "running" as const }
        : node,
    );
    return { ...graph, nodes };
  }

  private async reveal(id: string): Promise<void> {
    const node = this.graph?.nodes.find((candidate) => candidate.id === id);
    if (node === undefined) {
      return;
    }
    const range = node.range
      ? new vscode.Range(
          node.range.start.line,
          node.range.start.character,
          node.range.end.line,
          node.range.end.character,
        )
      : undefined;
    // Back to the editor the runbook is open in, not into the DAG panel's column.
    const shown = vscode.window.visibleTextEditors.find(
      (editor) => editor.document.uri.toString() === this.uri.toString(),
    );
    const editor = await vscode.window.showTextDocument(this.uri, {
      viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One,
      selection: range,
      preserveFocus: false,
    });
    if (range !== undefined) {
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }
}

function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf("/") + 1);
}

/** ContentModified / RequestCancelled: an answer for a text that has changed since. */
function isSuperseded(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === -32801 || code === -32800;
}
