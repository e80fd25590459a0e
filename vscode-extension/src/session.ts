// The language server session of this window: start, restart, stop, and the one
// notification while it cannot start (with the fix: an interpreter to choose, a package to
// install), closed once it runs.
import * as vscode from "vscode";
import { CodeLensRequest, type LanguageClient, type Middleware, State } from "vscode-languageclient/node";
import { startClient } from "./client";
import { RUN_PROGRESS, type RunProgress, WaivernServer } from "./server_api";
import { isRunbook } from "./runbooks";
import type { RunTracker } from "./run_tracker";
import { SetupNotice } from "./setup_notice";
import type { StartFailure } from "./start_failure";

/** How long a command waits for a server its client is restarting after a crash. */
const RESTART_PATIENCE_MS = 10_000;
/** Code lenses are asked for again at most this often during a run, and once more this
 * long after it ended (the store has the run's end by then). */
const LENS_REFRESH_MS = 500;

export class ServerSession implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private up = false;
  /** One API object for the window's lifetime: it talks to whichever client runs now, so
   * views holding it (the DAG panel) keep working after a restart. */
  private readonly api = new WaivernServer({
    execute: (command, args) => {
      if (this.client === undefined || !this.up) {
        return Promise.reject(new Error("the Waivern language server is not running"));
      }
      return this.client.sendRequest("workspace/executeCommand", { command, arguments: args });
    },
  });
  private starting: Promise<void> | undefined;
  /** Restarts asked for and not yet done, one after the other (a setting changed, then
   * the walkthrough's Install): a command waits for them rather than find the server
   * stopped between two of them. */
  private restarting: Promise<void> | undefined;
  private disposed = false;
  private readonly stateChanged = new vscode.EventEmitter<boolean>();
  private readonly notice = new SetupNotice();
  /** Fires with true when the server is up, false when it stopped or failed. */
  readonly onDidChangeState = this.stateChanged.event;
  lastFailure: StartFailure | undefined;
  private lensTimer: NodeJS.Timeout | undefined;
  private readonly following: vscode.Disposable;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly tracker: RunTracker,
    private readonly middleware: Middleware,
  ) {
    // The lenses' run status follows the run's events (the server also asks for them
    // again, but a busy store or a lost refresh left them "not run yet" for a whole run).
    this.following = tracker.onDidChange((progress) => {
      this.refreshLensesSoon();
      if (progress.event === "run_ended") {
        setTimeout(() => this.refreshLenses(), 2 * LENS_REFRESH_MS);
      }
    });
  }

  private refreshLensesSoon(): void {
    this.lensTimer ??= setTimeout(() => {
      this.lensTimer = undefined;
      this.refreshLenses();
    }, LENS_REFRESH_MS);
  }

  /** Asks VS Code for the open runbooks' code lenses again. */
  private refreshLenses(): void {
    const lenses = this.up ? this.client?.getFeature(CodeLensRequest.method) : undefined;
    if (lenses === undefined) {
      return;
    }
    for (const document of vscode.workspace.textDocuments.filter(isRunbook)) {
      lenses.getProvider(document)?.onDidChangeCodeLensEmitter.fire();
    }
  }

  get server(): WaivernServer | undefined {
    return this.up ? this.api : undefined;
  }

  get running(): boolean {
    return this.up;
  }

  /** Was it started, and is it not running now (crashed and not restarted, or failed to
   * start)? What the status bar then says, with Restart a click away. */
  get down(): boolean {
    return !this.up && (this.client !== undefined || this.lastFailure !== undefined);
  }

  /** Does the running server answer `textDocument/diagnostic` (pull diagnostics)? */
  get pullsDiagnostics(): boolean {
    return this.up && this.client?.initializeResult?.capabilities.diagnosticProvider !== undefined;
  }

  /** Starts the server unless it runs, is starting, or is being restarted by its client
   * after a crash: one client (and one server) per window, whatever asks first. `asked`:
   * the user asked for it (a dismissed set-up notice may come back). */
  start(asked = false): Promise<void> {
    if (this.disposed || (this.client !== undefined && this.starting === undefined)) {
      return Promise.resolve();
    }
    this.starting ??= this.doStart(asked).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Stops the server (after a start under way) and starts it again with the settings of
   * now; `asked` as for `start`. */
  restart(asked = false): Promise<void> {
    const next = (this.restarting ?? Promise.resolve()).then(async () => {
      await this.starting;
      await this.stop();
      await this.start(asked);
    });
    const tracked = next.finally(() => {
      if (this.restarting === tracked) {
        this.restarting = undefined;
      }
    });
    this.restarting = tracked;
    return tracked;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.up = false;
    this.tracker.forget("the Waivern language server stopped");
    if (client !== undefined) {
      this.stateChanged.fire(false);
      try {
        await client.stop();
      } catch (error) {
        this.output.appendLine(`Stopping the server: ${String(error)}`);
      }
    }
  }

  /**
   * The server's API for a command: waits for a start under way (or starts the server if
   * it never started); when it cannot run, says why with a Restart button, and undefined.
   */
  async ready(): Promise<WaivernServer | undefined> {
    while (this.restarting !== undefined) {
      await this.restarting.catch(() => undefined);
    }
    if (!this.up && this.client !== undefined && this.starting === undefined) {
      await this.whenUp(RESTART_PATIENCE_MS); // (its client restarts it after a crash)
    } else if (!this.up) {
      await (this.starting ?? (this.lastFailure === undefined ? this.start() : undefined));
    }
    if (!this.up && this.lastFailure !== undefined) {
      this.notice.show(this.lastFailure, true);
      return undefined;
    }
    if (!this.up) {
      const why = "Waivern: the language server is not running.";
      void vscode.window.showErrorMessage(why, "Restart Server").then((choice) => {
        if (choice === "Restart Server") {
          void vscode.commands.executeCommand("waivern.restartServer");
        }
      });
      return undefined;
    }
    return this.api;
  }

  /** Resolves once the server is up, or after `patience` ms. */
  private whenUp(patience: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, patience);
      const listener = this.onDidChangeState((up) => up && done());
      function done(): void {
        clearTimeout(timer);
        listener.dispose();
        resolve();
      }
    });
  }

  private async doStart(asked: boolean): Promise<void> {
    const started = await startClient(this.output, this.middleware, (client) => {
      client.onNotification(RUN_PROGRESS, (progress: RunProgress) => this.tracker.update(progress));
    });
    if (this.disposed) {
      // The window closed while the server was starting: stop what came up.
      if (!("message" in started)) {
        await started.client.stop().catch(() => undefined);
      }
      return;
    }
    if ("message" in started) {
      this.lastFailure = started;
      this.stateChanged.fire(false);
      this.notice.show(started, asked);
      return;
    }
    this.lastFailure = undefined;
    this.notice.close();
    this.client = started.client;
    this.up = true;
    // The client restarts a crashed server by itself: follow it down and up again.
    started.client.onDidChangeState((change) => {
      if (this.client !== started.client) {
        return;
      }
      if (change.newState === State.Stopped && this.up) {
        this.up = false;
        this.tracker.forget("the Waivern language server stopped");
        this.stateChanged.fire(false);
      } else if (change.newState === State.Running && !this.up) {
        this.up = true;
        this.stateChanged.fire(true);
      }
    });
    this.stateChanged.fire(true);
  }

  /** The Waivern output channel: the extension's and the server's log. */
  showLog(): void {
    this.output.show(true);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.lensTimer);
    this.following.dispose();
    this.notice.dispose();
    void this.stop();
    this.stateChanged.dispose();
  }
}
