// The one notification that says why the language server cannot start, while that lasts.
//
// VS Code cannot close a message notification from code, and each showErrorMessage is a new
// toast: a setting fixed in steps used to stack one per change, and the last stayed after
// the server had started. So the notice is a progress notification (which VS Code closes
// when its task ends): one at a time, its text replaced when a new attempt fails for
// another reason, closed once the server runs. Its actions are links in its text
// (`command:` links, which notifications follow); its Cancel dismisses it, and it then stays
// away until the user asks for the server again (Restart Server, a run, the status bar).
import * as vscode from "vscode";
import type { StartFailure } from "./start_failure";

/** The links the notice offers, as `[title](command:id)`: short titles (a notification's
 * buttons and links are cut past about 15 characters). */
export function noticeLinks(failure: StartFailure): string {
  const links = ["[Choose Interpreter](command:waivern.chooseInterpreter)"];
  if (failure.fix !== undefined) {
    links.push("[Install](command:waivern.installServer)");
  }
  links.push("[Show Log](command:waivern.showLog)");
  return links.join(" · ");
}

/** The notice's text: the failure without its "Waivern: " (the title says it), then the links. */
export function noticeText(failure: StartFailure): string {
  return `${failure.message.replace(/^Waivern: /, "")} ${noticeLinks(failure)}`;
}

export class SetupNotice implements vscode.Disposable {
  private open: { report(text: string): void; close(): void } | undefined;
  private dismissed = false;

  /** True while the notice is on screen (or in the notification centre). */
  get showing(): boolean {
    return this.open !== undefined;
  }

  /**
   * Shows the failure: in the open notice if there is one; else in a new one unless the
   * user dismissed the last one and did not ask for the server since (`asked`).
   */
  show(failure: StartFailure, asked: boolean): void {
    const text = noticeText(failure);
    if (this.open !== undefined) {
      this.open.report(text);
      return;
    }
    if (this.dismissed && !asked) {
      return;
    }
    this.dismissed = false;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Waivern", cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          const notice = {
            report: (message: string): void => progress.report({ message }),
            close: (): void => {
              if (this.open === notice) {
                this.open = undefined;
              }
              cancelled.dispose();
              resolve();
            },
          };
          const cancelled = token.onCancellationRequested(() => {
            this.dismissed = true;
            notice.close();
          });
          this.open = notice;
          notice.report(text);
        }),
    );
  }

  /** The server started: the notice goes. */
  close(): void {
    this.dismissed = false;
    this.open?.close();
  }

  dispose(): void {
    this.open?.close();
  }
}
