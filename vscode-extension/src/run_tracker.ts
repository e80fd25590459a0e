// Runs started from the editor, as the server's `waivern/runProgress` notifications tell
// them: the latest state per run, an event per change, and a cancellable progress
// notification that follows one run to its end.
import * as vscode from "vscode";
import { progressMessage } from "./run_text";
import type { RunProgress, WaivernServer } from "./server_api";

export class RunTracker implements vscode.Disposable {
  private readonly runs = new Map<string, RunProgress>();
  private readonly changed = new vscode.EventEmitter<RunProgress>();
  /** Every progress event, in order. */
  readonly onDidChange: vscode.Event<RunProgress> = this.changed.event;

  constructor(private readonly server: () => WaivernServer | undefined) {}

  /** Fed by the language client's notification handler. */
  update(progress: RunProgress): void {
    this.runs.set(progress.run_id, progress);
    this.changed.fire(progress);
  }

  latest(runId: string): RunProgress | undefined {
    return this.runs.get(runId);
  }

  /** Runs of this window's server still going (newest first). */
  active(): RunProgress[] {
    return [...this.runs.values()].filter((run) => run.event !== "run_ended").reverse();
  }

  /** The run going on for a runbook file, if any. */
  activeFor(fsPath: string): RunProgress | undefined {
    return this.active().find((run) => vscode.Uri.parse(run.runbook).fsPath === fsPath);
  }

  /**
   * A notification with the run's progress and a Cancel button that cancels the run
   * (`waivern.cancel`: the run ends interrupted, resumable). Resolves with the final
   * progress when the run's process has ended.
   */
  follow(runId: string, title: string): Thenable<RunProgress | undefined> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) =>
        new Promise<RunProgress | undefined>((resolve) => {
          let reported = 0;
          const report = (state: RunProgress): void => {
            const percent = state.total ? Math.floor((100 * state.done) / state.total) : 0;
            progress.report({ message: progressMessage(state), increment: percent - reported });
            reported = percent;
          };
          const finish = (state: RunProgress | undefined): void => {
            subscription.dispose();
            cancelling.dispose();
            resolve(state);
          };
          const subscription = this.onDidChange((state) => {
            if (state.run_id !== runId) {
              return;
            }
            report(state);
            if (state.event === "run_ended") {
              finish(state);
            }
          });
          const cancelling = token.onCancellationRequested(() => {
            const server = this.server();
            if (server === undefined) {
              finish(this.latest(runId));
              return;
            }
            server.cancel(runId).then(
              () => undefined, // the run_ended event closes the notification
              (error: unknown) => {
                void vscode.window.showErrorMessage(`Waivern: could not cancel run ${runId}: ${String(error)}`);
                finish(this.latest(runId));
              },
            );
          });
          const current = this.latest(runId);
          if (current !== undefined) {
            report(current);
            if (current.event === "run_ended") {
              finish(current);
            }
          }
        }),
    );
  }

  /** The server restarted: what it was following is gone from this window. */
  forget(): void {
    this.runs.clear();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
