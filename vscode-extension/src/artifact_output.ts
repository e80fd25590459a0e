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
  const match = /^\/([^/]+)\/([^/]+)\.json$/.exec(uri.path);
  if (!match) {
    return undefined;
  }
  return { runId: decodeURIComponent(match[1]), artifact: decodeURIComponent(match[2]) };
}

export class ArtifactOutputProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly session: ServerSession) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const wanted = parseOutputUri(uri);
    if (wanted === undefined) {
      throw new Error(`not an artifact output: ${uri.toString()}`);
    }
    // (a tab restored with the window may ask before the server is up)
    const server = this.session.server ?? (await this.session.ready());
    if (server === undefined) {
      throw new Error("the Waivern language server is not running");
    }
    const message = await server.output(wanted.runId, wanted.artifact);
    return `${JSON.stringify(message, null, 2)}\n`;
  }
}

/** Opens the output; a refusal (no stored output, unknown artifact) is an error message. */
export async function openArtifactOutput(session: ServerSession, runId: string, artifact: string): Promise<void> {
  const server = await session.ready();
  if (server === undefined) {
    return;
  }
  try {
    await server.output(runId, artifact); // says why there is nothing before opening a tab
  } catch (error) {
    if (!isRefusal(error)) {
      void vscode.window.showErrorMessage(`Waivern: ${error instanceof Error ? error.message : String(error)}`);
    }
    return;
  }
  const document = await vscode.workspace.openTextDocument(outputUri(runId, artifact));
  const json = await vscode.languages.setTextDocumentLanguage(document, "json");
  await vscode.window.showTextDocument(json, { preview: true });
}
