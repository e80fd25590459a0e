// Runs started from the editor, as the server's `waivern/runProgress` notifications tell
// them: the latest state per run, an event per change, and a cancellable progress
// notification that follows one run to its end.
import * as vscode from "vscode";
import { progressMessage } from "./run_text";
import { type RunProgress, type StartedRun, type WaivernServer, isRefusal } from "./server_api";

export class RunTracker implements vscode.Disposable {
  private readonly runs = new Map<string, RunProgress>();
  /** The notifications following runs, each with what ends it when the server goes away. */
  private readonly pending = new Set<(reason: string) => void>();
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

  /**
   * The one source of a runbook's run progress for views that show it (the DAG header, say):
   * `listener` gets the run going on now, if any (a view opened during a run starts where
   * the notification and the status bar are, not at 0), then every event of the runbook's
   * runs, the same objects the notification and the status bar read.
   */
  followRunbook(runbook: vscode.Uri, listener: (progress: RunProgress) => void): vscode.Disposable {
    const ours = (progress: RunProgress): boolean => vscode.Uri.parse(progress.runbook).fsPath === runbook.fsPath;
    const current = this.activeFor(runbook.fsPath);
    if (current !== undefined) {
      listener(current);
    }
    return this.onDidChange((progress) => {
      if (ours(progress)) {
        listener(progress);
      }
    });
  }

  /** The run going on for a runbook file, if any. */
  activeFor(fsPath: string): RunProgress | undefined {
    return this.active().find((run) => vscode.Uri.parse(run.runbook).fsPath === fsPath);
  }

  /**
   * A notification with the run's progress and a Cancel button that cancels the run
   * (`waivern.cancel`: the run ends interrupted, resumable), opened at once: `start` asks
   * the server to start the run (which answers once the run has started). Resolves with
   * the final progress when the run's process has ended; rejects when it did not start.
   */
  run(title: string, start: () => Thenable<StartedRun>): Thenable<RunProgress | undefined> {
    return this.track(title, start);
  }

  /** The same for a run that has already started (from a code lens, say). */
  follow(runId: string, title: string): Thenable<RunProgress | undefined> {
    return this.track(title, runId);
  }

  private track(title: string, run: string | (() => Thenable<StartedRun>)): Thenable<RunProgress | undefined> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) =>
        new Promise<RunProgress | undefined>((resolve, reject) => {
          let runId = typeof run === "string" ? run : undefined;
          let settled = false;
          let cancelAsked = false;
          let reported = 0;
          const report = (state: RunProgress): void => {
            const percent = state.total ? Math.floor((100 * state.done) / state.total) : 0;
            progress.report({ message: progressMessage(state), increment: percent - reported });
            reported = percent;
          };
          const finish = (state: RunProgress | undefined, error?: unknown): void => {
            if (settled) {
              return;
            }
            settled = true;
            subscription.dispose();
            cancelling.dispose();
            this.pending.delete(abandon);
            if (error !== undefined) {
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the start's own rejection, passed on as it is: callers read its code (isRefusal)
              reject(error);
            } else {
              resolve(state);
            }
          };
          // The server went away: its events stop, the run (a process of its own) goes on.
          const abandon = (reason: string): void => {
            if (runId !== undefined) {
              void vscode.window.showInformationMessage(
                `Waivern: ${reason}; run ${runId} goes on (see the Runs view).`,
              );
            }
            finish(runId === undefined ? undefined : this.latest(runId));
          };
          this.pending.add(abandon);
          const caughtUp = (): void => {
            const current = runId === undefined ? undefined : this.latest(runId);
            if (current !== undefined) {
              report(current);
              if (current.event === "run_ended") {
                finish(current);
              }
            }
          };
          const cancel = (id: string): void => {
            const server = this.server();
            if (server === undefined) {
              void vscode.window.showErrorMessage(
                `Waivern: run ${id} cannot be cancelled: the language server is not running.`,
              );
              return;
            }
            server.cancel(id).then(
              ({ cancelled }) => {
                const state = this.latest(id);
                // Not one this server follows, or already over: no run_ended will come.
                if (!cancelled || state === undefined || state.event === "run_ended") {
                  finish(state);
                }
              },
              (error: unknown) => {
                if (!isRefusal(error)) {
                  void vscode.window.showErrorMessage(`Waivern: could not cancel run ${id}: ${String(error)}`);
                }
              },
            );
          };
          const subscription = this.onDidChange((state) => {
            if (runId === undefined || state.run_id !== runId) {
              return;
            }
            report(state);
            if (state.event === "run_ended") {
              finish(state);
            }
          });
          const cancelling = token.onCancellationRequested(() => {
            if (runId === undefined) {
              cancelAsked = true; // cancelled once it has started
            } else {
              cancel(runId);
            }
          });
          if (typeof run === "string") {
            caughtUp();
            return;
          }
          progress.report({ message: "starting…" });
          run().then(
            ({ run_id }) => {
              runId = run_id;
              caughtUp();
              if (cancelAsked && !settled) {
                cancel(run_id);
              }
            },
            (error: unknown) => finish(undefined, error),
          );
        }),
    );
  }

  /** The server stopped: the runs it followed go on without it, and without events here. */
  forget(reason: string): void {
    for (const abandon of [...this.pending]) {
      abandon(reason);
    }
    this.runs.clear();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
