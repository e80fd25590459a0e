// The Waivern Runbooks extension: the language client (problems, completion, hover,
// navigation, code lenses from `wct lsp`), run commands with progress, a status bar item,
// the Runs view, artifact outputs and the DAG view.
import * as vscode from "vscode";
import type { Middleware } from "vscode-languageclient/node";
import { ArtifactOutputProvider, OUTPUT_SCHEME } from "./artifact_output";
import { storeFolder } from "./client";
import { registerCommands } from "./commands";
import { onPythonExtensionChange } from "./python";
import { declaresInputs, isRunbook, rememberActiveRunbook } from "./runbooks";
import { RunTracker } from "./run_tracker";
import { RunsView } from "./runs_view";
import { ServerSession } from "./session";
import { RunStatusBar } from "./status_bar";
import { contributeSchema } from "./yaml_schema";

const RESTART_SETTINGS = [
  "waivern.server.pythonPath",
  "waivern.store",
  "waivern.runbookGlobs",
  "waivern.run.executor",
  "waivern.maxDiagnostics",
];

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel("Waivern", { log: true });
  // (the tracker and the middleware ask for the session only once it exists)
  const tracker = new RunTracker(() => session.server);

  const middleware: Middleware = {
    // The server both pushes diagnostics (for every client) and answers pulls; VS Code
    // keeps the two apart and would show each problem twice. Pulls cover everything here
    // (the server asks VS Code to pull again when a child runbook or a run changes them).
    handleDiagnostics: (uri, diagnostics, next) => {
      if (!session.pullsDiagnostics) {
        next(uri, diagnostics);
      }
    },
    // Code lenses and code actions run `waivern.run` / `waivern.resume`: as the palette's
    // commands do, save the runbook first (a run reads the file on disk) and follow the
    // run in a cancellable notification; a refusal is the server's message only.
    executeCommand: async (command, args: unknown[], next): Promise<unknown> => {
      const [uri, ...rest] = args;
      if ((command !== "waivern.run" && command !== "waivern.resume") || typeof uri !== "string") {
        const result: unknown = await next(command, args);
        return result;
      }
      const palette = command === "waivern.run" ? "waivern.runRunbook" : "waivern.resumeLastRun";
      return vscode.commands.executeCommand(palette, vscode.Uri.parse(uri), ...rest);
    },
  };
  const session: ServerSession = new ServerSession(output, tracker, middleware);
  const runsView = new RunsView(session, tracker, storeFolder);
  const outputs = new ArtifactOutputProvider(session);
  const treeView = vscode.window.createTreeView("waivernRuns", { treeDataProvider: runsView, showCollapseAll: true });
  runsView.attach(treeView);

  // The server starts with the first runbook (or when the Runs view is shown): a
  // workspace with only other YAML files starts no Python and shows nothing.
  const startForRunbooks = (): void => {
    if (!session.running && vscode.workspace.textDocuments.some(isRunbook)) {
      void session.start();
    }
  };
  let contextTimer: NodeJS.Timeout | undefined;

  context.subscriptions.push(
    output,
    tracker,
    session,
    runsView,
    treeView,
    new RunStatusBar(session, tracker, runsView.onDidChangeTreeData),
    vscode.workspace.registerTextDocumentContentProvider(OUTPUT_SCHEME, outputs),
    ...registerCommands({ extension: context, session, tracker, runsView, outputs }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      setRunbookContext(editor);
      rememberActiveRunbook(editor);
    }),
    vscode.workspace.onDidOpenTextDocument(() => startForRunbooks()),
    session.onDidChangeState((up) => {
      // the walkthrough's install step is done once the server runs
      void vscode.commands.executeCommand("setContext", "waivern.serverRunning", up);
    }),
    treeView.onDidChangeVisibility((change) => {
      if (change.visible) {
        void session.start();
      }
    }),
    vscode.workspace.onDidChangeTextDocument((change) => {
      // a YAML file that gains (or loses) `artifacts:` as it is typed
      if (change.document === vscode.window.activeTextEditor?.document) {
        clearTimeout(contextTimer);
        contextTimer = setTimeout(() => {
          setRunbookContext(vscode.window.activeTextEditor);
          startForRunbooks();
        }, 500);
      }
    }),
    { dispose: () => clearTimeout(contextTimer) },
    vscode.workspace.onDidChangeConfiguration((change) => {
      if (change.affectsConfiguration("waivern.runbookGlobs")) {
        setRunbookContext(vscode.window.activeTextEditor);
      }
      const restarting = RESTART_SETTINGS.some((setting) => change.affectsConfiguration(setting));
      if (restarting && (session.running || session.lastFailure !== undefined)) {
        void session.restart(); // (a fixed pythonPath retries a server that could not start)
      }
    }),
  );
  setRunbookContext(vscode.window.activeTextEditor);
  rememberActiveRunbook(vscode.window.activeTextEditor);

  void contributeSchema((resource) => session.running && isRunbookUri(resource)).catch((error: unknown) =>
    output.appendLine(`The YAML extension took no schema: ${String(error)}`),
  );
  startForRunbooks();

  // Another interpreter chosen in the Python extension: the server moves to it (unless
  // waivern.server.pythonPath names one).
  void onPythonExtensionChange(() => {
    const configured = vscode.workspace.getConfiguration("waivern.server").get<string>("pythonPath")?.trim();
    if (!configured && (session.running || session.lastFailure !== undefined)) {
      void session.restart();
    }
  }).then((following) => {
    if (following) {
      context.subscriptions.push(following);
    }
  });
}

export function deactivate(): void {
  // The session is disposed with the subscriptions; runs started here keep going and
  // stay resumable (they are separate processes).
}

/** `waivern.activeRunbook`: menus show the run commands on runbooks only;
 * `waivern.activeChildRunbook`: not the Run button on a child runbook (its parent runs it). */
function setRunbookContext(editor: vscode.TextEditor | undefined): void {
  const runbook = editor !== undefined && isRunbook(editor.document);
  void vscode.commands.executeCommand("setContext", "waivern.activeRunbook", runbook);
  const child = runbook && declaresInputs(editor.document.getText());
  void vscode.commands.executeCommand("setContext", "waivern.activeChildRunbook", child);
}

function isRunbookUri(resource: vscode.Uri): boolean {
  const document = vscode.workspace.textDocuments.find((open) => open.uri.toString() === resource.toString());
  return document !== undefined && isRunbook(document);
}
