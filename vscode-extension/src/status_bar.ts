// The status bar item: the active run's progress ("Waivern 3/7 · 1 failed") and, when
// idle, the outcome of the last run of the runbook in the active editor. Click → Runs view.
import * as vscode from "vscode";
import { isRunbook } from "./runbooks";
import { progressText, relativeTime, runBackground, runIcon, runTooltip, shownStatus } from "./run_text";
import type { RunTracker } from "./run_tracker";
import type { ServerSession } from "./session";

const IDLE_REFRESH_MS = 60_000; // "5 min ago" stays true

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("waivern.runStatus", vscode.StatusBarAlignment.Left, 20);
  private readonly disposables: { dispose(): unknown }[] = [];
  private pending: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(
    private readonly session: ServerSession,
    private readonly tracker: RunTracker,
    runsChanged: vscode.Event<unknown>,
  ) {
    this.item.name = "Waivern run";
    this.item.command = "waivern.showRuns";
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      tracker.onDidChange((progress) => this.refresh(progress.event === "run_ended" ? 0 : 100)),
      session.onDidChangeState(() => this.refresh()),
      runsChanged(() => this.refresh(100)), // the store changed: a run from a terminal, say
    );
    const timer = setInterval(() => this.refresh(), IDLE_REFRESH_MS);
    this.disposables.push({
      dispose: () => {
        clearInterval(timer);
      },
    });
    this.refresh();
  }

  /** Redraw soon (coalescing bursts of run events). */
  refresh(delayMs = 0): void {
    if (this.pending !== undefined) {
      if (delayMs > 0) {
        return;
      }
      clearTimeout(this.pending);
    }
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.render();
    }, delayMs);
  }

  private async render(): Promise<void> {
    const generation = ++this.generation;
    const editor = vscode.window.activeTextEditor;
    const runbook = editor && isRunbook(editor.document) ? editor.document.uri : undefined;
    const active = (runbook && this.tracker.activeFor(runbook.fsPath)) ?? this.tracker.active()[0];
    if (active !== undefined) {
      const name = vscode.Uri.parse(active.runbook).path.split("/").pop();
      this.item.text = `$(sync~spin) Waivern ${progressText(active)}`;
      this.item.tooltip =
        `Run ${active.run_id} of ${name}: ${active.done} of ${active.total} artifacts done` +
        (active.running.length ? `\nrunning: ${active.running.join(", ")}` : "") +
        "\nClick for the Runs view";
      this.item.backgroundColor = active.failed ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
      this.item.show();
      return;
    }
    const server = this.session.server;
    if (runbook !== undefined && server === undefined && this.session.down) {
      this.item.text = "$(error) Waivern: server stopped";
      this.item.tooltip = "The Waivern language server is not running. Click to restart it.";
      this.item.command = "waivern.restartServer";
      this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
      this.item.show();
      return;
    }
    this.item.command = "waivern.showRuns";
    if (runbook === undefined || server === undefined) {
      this.item.hide();
      return;
    }
    let text: string;
    let tooltip: string;
    let background: string | undefined;
    try {
      const [last] = await server.runs(runbook.toString());
      if (last === undefined) {
        text = "$(circle-outline) Waivern: not run yet";
        tooltip = "This runbook has not run yet. Run it: Waivern: Run Runbook";
      } else {
        const status = shownStatus(last);
        text = `$(${runIcon(status).icon}) Waivern: ${status} ${relativeTime(last.started_at, new Date())}`;
        tooltip = `${runTooltip(last, new Date())}\nClick for the Runs view`;
        background = runBackground(status);
      }
    } catch (error) {
      text = "$(warning) Waivern";
      tooltip = `Runs could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (generation !== this.generation) {
      return; // a newer render is on its way
    }
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = background === undefined ? undefined : new vscode.ThemeColor(background);
    this.item.show();
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
