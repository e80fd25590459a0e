// An artifact's stored output message as a read-only JSON document:
// `waivern-output:/<run id>/<artifact>.json`, content from `waivern.inspect RUN ARTIFACT`.
// A streamed output comes a page of `PAGE_ITEMS` items at a time (its `page` object says
// which, of how many): the first screen shows at once, whatever the output's size, and
// Next / Previous Page (the editor title) open the pages around it:
// `waivern-output:/<run id>/<artifact> (items 1001–2000).json`.
import * as vscode from "vscode";
import { isRefusal } from "./server_api";
import type { ServerSession } from "./session";

export const OUTPUT_SCHEME = "waivern-output";

/** Items of an output one document shows (the server sends at most 1,000 at once). */
export const PAGE_ITEMS = 1000;

export interface OutputPage {
  runId: string;
  artifact: string;
  offset: number;
}

export function outputUri(runId: string, artifact: string, offset = 0): vscode.Uri {
  const shown = offset > 0 ? ` (items ${offset + 1}–${offset + PAGE_ITEMS})` : "";
  return vscode.Uri.from({
    scheme: OUTPUT_SCHEME,
    path: `/${encodeURIComponent(runId)}/${encodeURIComponent(artifact)}${shown}.json`,
  });
}

export function parseOutputUri(uri: vscode.Uri): OutputPage | undefined {
  const [, runId, artifact, first] = /^\/([^/]+)\/([^/]+?)(?: \(items (\d+)–\d+\))?\.json$/.exec(uri.path) ?? [];
  if (runId === undefined || artifact === undefined) {
    return undefined;
  }
  const offset = first === undefined ? 0 : Number(first) - 1;
  return { runId: decodeURIComponent(runId), artifact: decodeURIComponent(artifact), offset };
}

/** The `page` object of a paged output: which items it holds, of how many. */
interface PageInfo {
  offset: number;
  limit: number;
  total: number;
}

function pageOf(message: Record<string, unknown>): PageInfo | undefined {
  const page = message.page as Partial<PageInfo> | undefined;
  if (typeof page?.offset !== "number" || typeof page.limit !== "number" || typeof page.total !== "number") {
    return undefined;
  }
  return { offset: page.offset, limit: page.limit, total: page.total };
}

export class ArtifactOutputProvider implements vscode.TextDocumentContentProvider {
  /** Outputs already fetched, by URI: a stored output never changes once written. */
  private readonly fetched = new Map<string, string>();
  /** The page each fetched document holds (none: the whole output). */
  private readonly pages = new Map<string, PageInfo>();

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
    return this.remember(uri, await server.output(wanted.runId, wanted.artifact, wanted.offset, PAGE_ITEMS));
  }

  remember(uri: vscode.Uri, message: Record<string, unknown>): string {
    const text = `${JSON.stringify(message, null, 2)}\n`;
    this.fetched.set(uri.toString(), text);
    const page = pageOf(message);
    if (page !== undefined) {
      this.pages.set(uri.toString(), page);
    }
    return text;
  }

  /** The next (`step` 1) or previous (-1) page of the output `uri` shows, opened; says so
   * when there is none. */
  async turn(uri: vscode.Uri | undefined, step: 1 | -1): Promise<void> {
    const shown = uri && parseOutputUri(uri);
    const page = uri && this.pages.get(uri.toString());
    if (!shown || !page) {
      void vscode.window.showInformationMessage("Waivern: this output is shown whole: it has no pages.");
      return;
    }
    const offset = shown.offset + step * PAGE_ITEMS;
    if (offset < 0 || offset >= page.total) {
      const edge = step > 0 ? "last" : "first";
      void vscode.window.showInformationMessage(`Waivern: this is the ${edge} page (${page.total} items).`);
      return;
    }
    await this.open(shown.runId, shown.artifact, offset);
  }

  /** Opens the output; a refusal (no stored output, unknown artifact) is the server's
   * message, shown before any tab opens. */
  async open(runId: string, artifact: string, offset = 0): Promise<void> {
    const server = await this.session.ready();
    if (server === undefined) {
      return;
    }
    const uri = outputUri(runId, artifact, offset);
    try {
      this.remember(uri, await server.output(runId, artifact, offset, PAGE_ITEMS));
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
