// The DAG view's panel: one webview per runbook showing its flattened plan laid out
// (./layout, in a worker thread: ./layout_client) with the latest run's statuses. Edits and
// saves lay it out again; a run's progress events recolour the boxes in place at once (no
// new layout: the structure has not changed), and the graph is read again now and then to
// stay in step with the run store. The webview (./webview, bundled to dist/dag-view.js)
// only draws what this panel sends, and asks it to reveal artifacts and to collapse or
// expand child runbook uses.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { ArtifactStatus, Graph, RunProgress, RunStatus, WaivernServer } from "../server_api";
import { DEFAULT_ASPECT, type Scene } from "./scene";
import { LayoutWorker } from "./layout_client";
import { statusChanges, withProgress, type DrawnStatuses, type StatusChange } from "./live";
import { defaultCollapsed, groupsOf, structureKey } from "./model";
import { dagHtml } from "./page";

/** What the panel tells the view. */
export type ToView =
  | { type: "scene"; scene: Scene; header: DagHeader }
  /** Statuses that changed since the scene (or the last such message), drawn in place. */
  | { type: "statuses"; changes: StatusChange[]; header: DagHeader }
  /** A layout is being made (what for), or null: it is done. */
  | { type: "busy"; message: string | null }
  /** Why the graph could not be made (the last good scene stays drawn); null clears it. */
  | { type: "problem"; message: string | null };

/** What the view tells the panel. */
export type FromView =
  /** A new page; its graph area's width / height. */
  | { type: "ready"; aspect?: number }
  | { type: "reveal"; id: string }
  /** Collapse (or expand) these child runbook uses; all of them when `groups` is null. */
  | { type: "collapse"; groups: string[] | null; collapsed: boolean };

/** The view's header line: the runbook and its latest run. */
export interface DagHeader {
  /** The runbook's file name. */
  runbook: string;
  runId: string | null;
  runStatus: RunStatus | null;
  /** While a run started from the editor goes on: its own count (`waivern/runProgress`). */
  progress?: { done: number; total: number; failed: number };
}

const EDIT_DEBOUNCE_MS = 300;
/** During a run, at most one graph request per this many milliseconds. */
const PROGRESS_INTERVAL_MS = 250;

export class DagPanel {
  private static readonly open = new Map<string, DagPanel>();

  private readonly disposables: { dispose(): unknown }[] = [];
  private graph: Graph | undefined;
  private scene: Scene | undefined;
  /** The structure (./model `structureKey`) and collapsed uses the scene was made for. */
  private laidOut: string | undefined;
  /** The same for the layout being made now, if any. */
  private layingOut: string | undefined;
  /** Statuses the view has drawn, by artifact: what a change is measured against. */
  private drawn: DrawnStatuses = new Map();
  /** Child runbook uses drawn as one box; chosen with the first graph. */
  private collapsed: Set<string> | undefined;
  private aspect = DEFAULT_ASPECT;
  private readonly layouts: LayoutWorker;
  /** The latest progress event of this runbook's run, while it goes on. */
  private live: RunProgress | undefined;
  private problem: string | null = null;
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
    const layouts = new LayoutWorker(vscode.Uri.joinPath(dist, "dag-layout.js").fsPath);
    const created = new DagPanel(panel, server, uri, progress, layouts);
    DagPanel.open.set(uri.toString(), created);
    return created;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private server: WaivernServer,
    private readonly uri: vscode.Uri,
    progress: vscode.Event<RunProgress>,
    layouts: LayoutWorker,
  ) {
    this.layouts = layouts;
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
    this.layouts.dispose();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
    this.panel.dispose();
  }

  private async fetch(): Promise<void> {
    this.fetching = true;
    this.lastFetch = Date.now();
    try {
      this.graph = this.withLive(await this.server.graph(this.uri.toString()));
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
    void this.send({ type: "problem", message: this.problem });
    if (this.graph !== undefined && this.problem === null) {
      const key = this.layoutKey(this.graph);
      if (key === this.laidOut && this.scene !== undefined) {
        this.postStatuses(); // the same boxes: only their colours may have changed
      } else if (key !== this.layingOut) {
        // (the same layout asked for again while it is made would supersede it, again
        // and again during a run: its statuses follow it instead)
        void this.layout();
      }
    }
    if (this.fetchAgain) {
      this.fetchAgain = false;
      this.refresh();
    }
  }

  private layoutKey(graph: Graph): string {
    return `${structureKey(graph)}\n${JSON.stringify([...(this.collapsed ?? [])].sort())}`;
  }

  /** Lays the graph out (in the worker) and sends the scene; a newer layout asked for
   * meanwhile supersedes it. */
  private async layout(): Promise<void> {
    const graph = this.graph;
    if (graph === undefined || this.disposed) {
      return;
    }
    this.collapsed ??= defaultCollapsed(graph);
    const known = new Set(groupsOf(graph).map((group) => group.id));
    this.collapsed = new Set([...this.collapsed].filter((id) => known.has(id)));
    const key = this.layoutKey(graph);
    this.layingOut = key;
    void this.send({ type: "busy", message: `Laying out ${graph.nodes.length.toLocaleString("en")} artifacts…` });
    try {
      const scene = await this.layouts.layout(graph, this.collapsed, this.aspect);
      if (scene === undefined) {
        return; // a newer layout is coming (or the panel is gone)
      }
      this.layingOut = undefined;
      this.scene = scene;
      this.laidOut = key;
      this.drawn = new Map(graph.nodes.map((node) => [node.id, [node.status, node.error]]));
      this.postScene();
      this.postStatuses(); // what changed while the layout was made
    } catch (error) {
      this.layingOut = undefined;
      this.problem = `laying out the graph failed: ${error instanceof Error ? error.message : String(error)}`;
      void this.send({ type: "problem", message: this.problem });
    }
    void this.send({ type: "busy", message: null });
  }

  private header(): DagHeader {
    const live = this.live;
    return {
      runbook: fileName(this.uri),
      runId: live?.run_id ?? this.graph?.run_id ?? null,
      runStatus: live?.status ?? this.graph?.run_status ?? null,
      ...(live !== undefined ? { progress: { done: live.done, total: live.total, failed: live.failed } } : {}),
    };
  }

  /** The scene as last laid out, with the statuses it was laid out with. */
  private postScene(): void {
    if (!this.disposed && this.scene !== undefined) {
      void this.send({ type: "scene", scene: this.scene, header: this.header() });
    }
  }

  /** The statuses that differ from those the view has drawn. */
  private postStatuses(): void {
    if (this.disposed || this.graph === undefined || this.scene === undefined) {
      return;
    }
    const changes = statusChanges(this.graph, this.drawn);
    void this.send({ type: "statuses", changes, header: this.header() });
  }

  private send(message: ToView): Thenable<boolean> {
    if (this.disposed) {
      return Promise.resolve(false); // (a layout that ended after the panel closed)
    }
    return this.panel.webview.postMessage(message);
  }

  private received(message: FromView): void {
    switch (message.type) {
      case "ready": {
        // A new webview (first shown, or shown again after being hidden): it has nothing.
        if (message.aspect !== undefined && Number.isFinite(message.aspect) && message.aspect > 0) {
          this.aspect = message.aspect;
        }
        this.drawn = new Map(this.scene === undefined ? [] : this.sceneStatuses(this.scene));
        if (this.stale || this.graph === undefined) {
          this.stale = false;
          this.refresh();
        }
        this.postScene();
        this.postStatuses();
        void this.send({ type: "problem", message: this.problem });
        break;
      }
      case "reveal":
        void this.reveal(message.id);
        break;
      case "collapse": {
        const all = this.graph === undefined ? [] : groupsOf(this.graph).map((group) => group.id);
        const collapsed = (this.collapsed ??= new Set());
        for (const id of message.groups ?? all) {
          if (message.collapsed) {
            collapsed.add(id);
          } else {
            collapsed.delete(id);
          }
        }
        void this.layout();
        break;
      }
    }
  }

  /** The statuses a scene was drawn with, by artifact. */
  private sceneStatuses(scene: Scene): [string, [ArtifactStatus | null, string | null]][] {
    return [
      ...scene.nodes.map((node): [string, [ArtifactStatus | null, string | null]] => [
        node.id,
        [node.status, node.error],
      ]),
      ...scene.groups.flatMap((group) =>
        group.members.map((member): [string, [ArtifactStatus | null, string | null]] => [
          member.id,
          [member.status, null],
        ]),
      ),
    ];
  }

  private progressed(event: RunProgress): void {
    if (vscode.Uri.parse(event.runbook).fsPath !== this.uri.fsPath) {
      return;
    }
    this.live = event.event === "run_ended" || event.status !== "running" ? undefined : event;
    // The run's own word, drawn now: the run store is read again below, a little later.
    if (this.graph !== undefined) {
      this.graph = this.withLive(this.graph, event);
      this.postStatuses();
    }
    if (this.progressTimer !== undefined) {
      return; // The request already scheduled comes after this event.
    }
    const wait = Math.max(0, this.lastFetch + PROGRESS_INTERVAL_MS - Date.now());
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.refresh();
    }, wait);
  }

  private withLive(graph: Graph, event: RunProgress | undefined = this.live): Graph {
    return withProgress(graph, event);
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
