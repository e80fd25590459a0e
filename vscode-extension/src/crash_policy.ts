// What happens when the language server crashes: it is restarted, as the client's own
// handler does, until it crashed `MAX_CRASHES` times in `CRASH_WINDOW_MS`; then it stays
// stopped, and the notification says so in the extension's words with the way out
// (Restart Server, Show Output), not only "Go to output".
import * as vscode from "vscode";

const CRASH_WINDOW_MS = 3 * 60_000;
const MAX_CRASHES = 5;

export class CrashPolicy {
  private crashes: number[] = [];

  constructor(
    private readonly output: Pick<vscode.LogOutputChannel, "appendLine" | "show">,
    private readonly now: () => number = Date.now,
  ) {}

  /** The server stopped unexpectedly: true to restart it. */
  crashed(): boolean {
    const now = this.now();
    this.crashes = [...this.crashes, now].filter((at) => now - at <= CRASH_WINDOW_MS);
    if (this.crashes.length < MAX_CRASHES) {
      this.output.appendLine(
        `The Waivern language server stopped unexpectedly: restarting it (${this.crashes.length} of ${MAX_CRASHES}).`,
      );
      return true;
    }
    const message = `Waivern: the language server crashed ${MAX_CRASHES} times in 3 minutes and was not restarted. Its output says why.`;
    this.output.appendLine(message);
    void vscode.window.showErrorMessage(message, "Restart Server", "Show Output").then((choice) => {
      if (choice === "Restart Server") {
        void vscode.commands.executeCommand("waivern.restartServer");
      } else if (choice === "Show Output") {
        this.output.show(true);
      }
    });
    return false;
  }
}
