// An artifact's stored output message as a read-only JSON document:
// `waivern-output:/<run id>/<artifact>.json`, content from `waivern.inspect RUN ARTIFACT`.
import * as vscode from "vscode";
import { isRefusal } from "./server_api";
import type { ServerSession } from "./session";

export const OUTPUT_SCHEME = "waivern-output";

export function outputUri(runId: string, artifact: string): vscode.Uri {
  return vscode.Uri.from({
    scheme: OUTPUT_SCHEME,
    path: `/${encodeURIComponent(runId)}/${encodeURIComponent(artifact)}.json`,
  });
}

export function parseOutputUri(uri: vscode.Uri): { runId: string; artifact: string } | undefined {
  const [, runId, artifact] = /^\/([^/]+)\/([^/]+)\.json$/.exec(uri.path) ?? [];
  if (runId === undefined || artifact === undefined) {
    return undefined;
  }
  return { runId: decodeURIComponent(runId), artifact: decodeURIComponent(artifact) };
}

export class ArtifactOutputProvider implements vscode.TextDocumentContentProvider {
  /** Outputs already fetched, by URI: a stored output never changes once written. */
  private readonly fetched = new Map<string, string>();

  constructor(private readonly session: ServerSession) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const known = this.fetched.get(uri.toString());
    if (known !== undefined) {
      return known;
    }
    const wanted = parseOutputUri(uri);
    if (wanted === undefined) {
      throw new Error(`not an artifact output: ${uri.toString()}`);
    }
    // (a tab restored with the window may ask before the server is up)
    const server = this.session.server ?? (await this.session.ready());
    if (server === undefined) {
      throw new Error("the Waivern language server is not running");
    }
    return this.remember(uri, await server.output(wanted.runId, wanted.artifact));
  }

  remember(uri: vscode.Uri, message: Record<string, unknown>): string {
    const text = `${JSON.stringify(message, null, 2)}\n`;
    this.fetched.set(uri.toString(), text);
    return text;
  }

  /** Opens the output; a refusal (no stored output, unknown artifact) is the server's
   * message, shown before any tab opens. */
  async open(runId: string, artifact: string): Promise<void> {
    const server = await this.session.ready();
    if (server === undefined) {
      return;
    }
    const uri = outputUri(runId, artifact);
    try {
      this.remember(uri, await server.output(runId, artifact));
    } catch (error) {
      if (!isRefusal(error)) {
        void vscode.window.showErrorMessage(`Waivern: ${error instanceof Error ? error.message : String(error)}`);
      }
      return;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    const json = await vscode.languages.setTextDocumentLanguage(document, "json");
    await vscode.window.showTextDocument(json, { preview: true });
  }
}
