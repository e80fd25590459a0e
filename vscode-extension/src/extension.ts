// The Waivern Runbooks extension: the language client (problems, completion, hover,
// navigation, code lenses from `wct lsp`), run commands with progress, a status bar item,
// the Runs view, artifact outputs and the DAG view.
import * as path from "node:path";
import * as vscode from "vscode";
import type { Middleware } from "vscode-languageclient/node";
import { ArtifactOutputProvider, OUTPUT_SCHEME } from "./artifact_output";
import { registerCommands } from "./commands";
import { isRunbook } from "./runbooks";
import { baseName } from "./run_text";
import { RunTracker } from "./run_tracker";
import { RunsView } from "./runs_view";
import { ServerSession } from "./session";
import { RunStatusBar } from "./status_bar";
import { contributeSchema } from "./yaml_schema";

const RESTART_SETTINGS = ["waivern.server.pythonPath", "waivern.store", "waivern.runbookGlobs"];

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("Waivern", { log: true });
  let session: ServerSession | undefined;
  const tracker = new RunTracker(() => session?.server);

  // Code lenses and code actions run `waivern.run` / `waivern.resume` straight on the
  // server; follow those runs like the palette's.
  const middleware: Middleware = {
    // The server both pushes diagnostics (for every client) and answers pulls; VS Code
    // keeps the two apart and would show each problem twice. Pulls cover everything here
    // (the server asks VS Code to pull again when a child runbook or a run changes them).
    handleDiagnostics: (uri, diagnostics, next) => {
      if (!session?.pullsDiagnostics) {
        next(uri, diagnostics);
      }
    },
    executeCommand: async (command, args, next) => {
      const result = await next(command, args);
      const runId = (result as { run_id?: unknown } | undefined)?.run_id;
      if ((command === "waivern.run" || command === "waivern.resume") && typeof runId === "string") {
        const file = typeof args[0] === "string" ? baseName(vscode.Uri.parse(args[0]).fsPath) : "runbook";
        void tracker.follow(runId, `${command === "waivern.run" ? "Running" : "Resuming"} ${file}`);
      }
      return result;
    },
  };
  session = new ServerSession(output, tracker, middleware);
  const runsView = new RunsView(session, tracker);
  const treeView = vscode.window.createTreeView("waivernRuns", { treeDataProvider: runsView, showCollapseAll: true });
  runsView.attach(treeView);

  context.subscriptions.push(
    output,
    tracker,
    session,
    runsView,
    treeView,
    new RunStatusBar(session, tracker),
    vscode.workspace.registerTextDocumentContentProvider(OUTPUT_SCHEME, new ArtifactOutputProvider(session)),
    ...registerCommands({ extension: context, session, tracker, runsView }),
    vscode.window.onDidChangeActiveTextEditor((editor) => setRunbookContext(editor)),
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (document === vscode.window.activeTextEditor?.document) {
        setRunbookContext(vscode.window.activeTextEditor);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((change) => {
      if (RESTART_SETTINGS.some((setting) => change.affectsConfiguration(setting))) {
        void session?.restart();
      }
    }),
  );
  setRunbookContext(vscode.window.activeTextEditor);

  const schemaPath = path.join(context.extensionPath, "schemas", "runbook.schema.json");
  void contributeSchema(schemaPath, (resource) => session?.running === true && isRunbookUri(resource)).catch(
    (error: unknown) => output.appendLine(`The YAML extension took no schema: ${String(error)}`),
  );
  await session.start();
}

export function deactivate(): void {
  // The session is disposed with the subscriptions; runs started here keep going and
  // stay resumable (they are separate processes).
}

/** `waivern.activeRunbook`: menus show the run commands on runbooks only. */
function setRunbookContext(editor: vscode.TextEditor | undefined): void {
  void vscode.commands.executeCommand("setContext", "waivern.activeRunbook", editor !== undefined && isRunbook(editor.document));
}

function isRunbookUri(resource: vscode.Uri): boolean {
  const document = vscode.workspace.textDocuments.find((open) => open.uri.toString() === resource.toString());
  return document !== undefined && isRunbook(document);
}
