// The language server session of this window: start, restart, stop, and the failure
// notification when it cannot start (with the fix: a setting to change, a command to run).
import * as vscode from "vscode";
import type { LanguageClient, Middleware } from "vscode-languageclient/node";
import { startClient } from "./client";
import { RUN_PROGRESS, type RunProgress, WaivernServer } from "./server_api";
import type { RunTracker } from "./run_tracker";
import type { StartFailure } from "./start_failure";

export class ServerSession implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private api: WaivernServer | undefined;
  private starting: Promise<void> | undefined;
  private readonly stateChanged = new vscode.EventEmitter<boolean>();
  /** Fires with true when the server is up, false when it stopped or failed. */
  readonly onDidChangeState = this.stateChanged.event;
  lastFailure: StartFailure | undefined;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly tracker: RunTracker,
    private readonly middleware: Middleware,
  ) {}

  get server(): WaivernServer | undefined {
    return this.api;
  }

  get running(): boolean {
    return this.api !== undefined;
  }

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.api = undefined;
    this.tracker.forget();
    if (client !== undefined) {
      this.stateChanged.fire(false);
      try {
        await client.stop();
      } catch (error) {
        this.output.appendLine(`Stopping the server: ${String(error)}`);
      }
    }
  }

  /** The server's API, or a notification saying it is not running (and undefined). */
  require(): WaivernServer | undefined {
    if (this.api === undefined) {
      const why = this.lastFailure?.message ?? "Waivern: the language server is not running.";
      void vscode.window.showErrorMessage(why, "Restart Server").then((choice) => {
        if (choice === "Restart Server") {
          void vscode.commands.executeCommand("waivern.restartServer");
        }
      });
    }
    return this.api;
  }

  private async doStart(): Promise<void> {
    const started = await startClient(this.output, this.middleware, (client) => {
      client.onNotification(RUN_PROGRESS, (progress: RunProgress) => this.tracker.update(progress));
    });
    if ("message" in started) {
      this.lastFailure = started;
      this.stateChanged.fire(false);
      void this.showFailure(started);
      return;
    }
    this.lastFailure = undefined;
    this.client = started.client;
    this.api = new WaivernServer({
      execute: (command, args) => started.client.sendRequest("workspace/executeCommand", { command, arguments: args }),
    });
    started.client.onDidChangeState((change) => {
      if (change.newState === 1 /* Stopped */ && this.client === started.client) {
        this.api = undefined;
        this.stateChanged.fire(false);
      }
    });
    this.stateChanged.fire(true);
  }

  private async showFailure(failure: StartFailure): Promise<void> {
    const actions = failure.fix ? ["Copy Install Command", "Open Settings", "Show Output"] : ["Open Settings", "Show Output"];
    const choice = await vscode.window.showErrorMessage(failure.message, ...actions);
    if (choice === "Copy Install Command" && failure.fix) {
      await vscode.env.clipboard.writeText(failure.fix);
    } else if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "waivern.server.pythonPath");
    } else if (choice === "Show Output") {
      this.output.show(true);
    }
  }

  dispose(): void {
    void this.stop();
    this.stateChanged.dispose();
  }
}
