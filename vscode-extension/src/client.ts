// The language client: `python -m waivern_orchestration.cli.app lsp` over stdio (the same
// server as `wct lsp`), started from the chosen interpreter after a quick check that the
// package is installed there, so that a missing install is one clear notification.
import { execFile } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  type ClientCapabilities,
  CloseAction,
  type CloseHandlerResult,
  ErrorAction,
  type ErrorHandler,
  type ErrorHandlerResult,
  type FeatureState,
  LanguageClient,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
  type StaticFeature,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { CrashPolicy } from "./crash_policy";
import { type PythonChoice, choosePython, expandPath, pythonExtensionInterpreter } from "./python";
import { runbookGlobs } from "./runbooks";
import { PROBE_ARGS, type ProbeResult, type StartFailure, explainProbe } from "./start_failure";

export const CLIENT_ID = "waivern"; // `waivern.trace.server` is read by the client under this id
const PROBE_TIMEOUT_MS = 30_000;

/** What the extension sends as `initializationOptions` (see docs/editors/language-server.md). */
export function initializationOptions(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("waivern");
  const options: Record<string, unknown> = { runbookGlobs: runbookGlobs(), runEvents: true };
  const store = config.get<string>("store")?.trim();
  if (store) {
    options.store = expandPath(store, firstFolder());
  }
  const executor = config.get<string>("run.executor")?.trim();
  if (executor) {
    options.executor = executor;
  }
  const maxDiagnostics = config.get<number>("maxDiagnostics");
  if (typeof maxDiagnostics === "number") {
    options.maxDiagnostics = maxDiagnostics;
  }
  return options;
}

/** The run store folder the server uses (as it resolves it: the setting, `$WCT_STORE`,
 * else `.waivern` in the first workspace folder). */
export function storeFolder(): string | undefined {
  const store = initializationOptions().store;
  if (typeof store === "string") {
    return store;
  }
  const fromEnvironment = process.env.WCT_STORE?.trim();
  if (fromEnvironment) {
    return expandPath(fromEnvironment, firstFolder());
  }
  const folder = firstFolder();
  return folder === undefined ? undefined : path.join(folder, ".waivern");
}

export function firstFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** The interpreter per the settings, the Python extension, or the default. */
export async function resolvePython(): Promise<PythonChoice> {
  const configured = vscode.workspace.getConfiguration("waivern.server").get<string>("pythonPath");
  const fromExtension = configured?.trim() ? undefined : await pythonExtensionInterpreter();
  return choosePython(configured, fromExtension, firstFolder());
}

/** Runs the import check with the interpreter. */
export function probe(python: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(python, PROBE_ARGS, { timeout: PROBE_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve({ exitCode: 0, stderr });
        return;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code === "string") {
        resolve({ errorCode: code, exitCode: null, stderr });
        return;
      }
      resolve({ exitCode: typeof code === "number" ? code : 1, stderr });
    });
  });
}

/** Tells the server this client shows no work-done progress for runs: the extension
 * follows runs itself (`waivern/runProgress`) in a notification with a Cancel button. */
class RunProgressShownByExtension implements StaticFeature {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    if (capabilities.window) {
      capabilities.window.workDoneProgress = false;
    }
  }
  initialize(): void {
    // nothing to set up: the capability above is the whole feature
  }
  getState(): FeatureState {
    return { kind: "static" };
  }
  clear(): void {
    // nothing to let go of
  }
}

export interface StartedClient {
  client: LanguageClient;
  python: PythonChoice;
}

/** Starts the client, or says why it cannot start (the failure, for a notification). */
export async function startClient(
  output: vscode.LogOutputChannel,
  middleware: Middleware,
  onNotification: (client: LanguageClient) => void,
): Promise<StartedClient | StartFailure> {
  const python = await resolvePython();
  output.appendLine(`Starting the Waivern language server with ${python.command} (${python.source})`);
  const failure = explainProbe(python, await probe(python.command));
  if (failure !== undefined) {
    output.appendLine(failure.message);
    return failure;
  }
  const serverOptions: ServerOptions = {
    command: python.command,
    args: ["-m", "waivern_orchestration.cli.app", "lsp"],
    transport: TransportKind.stdio,
    options: { cwd: firstFolder() ?? path.dirname(python.command) },
  };
  const clientOptions: LanguageClientOptions = {
    // Every YAML file on disk; the server answers only for runbooks (globs or `artifacts`).
    documentSelector: [{ scheme: "file", language: "yaml" }],
    initializationOptions: initializationOptions(),
    outputChannel: output,
    middleware,
    errorHandler: new CrashHandler(new CrashPolicy(output), () => initialized),
    // A server that fails its `initialize` is the extension's one notice (below), not the
    // client library's "Server initialization failed." and the error's own message.
    initializationFailedHandler: () => false,
  };
  let initialized = false;
  const client = new QuietLanguageClient(CLIENT_ID, "Waivern Language Server", serverOptions, clientOptions);
  client.registerFeature(new RunProgressShownByExtension());
  onNotification(client);
  try {
    await client.start();
  } catch (error) {
    const message = startErrorMessage(python, error);
    output.appendLine(message);
    await client.dispose().catch(() => undefined);
    return { message };
  }
  initialized = true;
  return { client, python };
}

export function isRunning(client: LanguageClient | undefined): boolean {
  return client?.state === State.Running;
}

/** A server that stopped while it was starting: what the user reads (the log has the rest). */
export function startErrorMessage(python: PythonChoice, error: unknown): string {
  const why = error instanceof Error ? error.message : String(error);
  return `Waivern: the language server stopped while starting (${python.command}): ${why}. Its log says why.`;
}

/**
 * The language client, whose errors go to the log only: the client library would also
 * show each in a notification of its own ("couldn't create connection to server", "Server
 * initialization failed.", "Restarting server failed"), generic and in numbers, where the
 * extension shows one of its own words (the set-up notice, the crash policy's).
 */
class QuietLanguageClient extends LanguageClient {
  override error(message: string, data?: unknown): void {
    super.error(message, data, false);
  }
}

/** The client's handler of errors and crashes, with the restart policy of `CrashPolicy`;
 * a server that never came up is not restarted (its start failure says why, once). */
class CrashHandler implements ErrorHandler {
  constructor(
    private readonly policy: CrashPolicy,
    private readonly initialized: () => boolean,
  ) {}

  error(): ErrorHandlerResult {
    return { action: ErrorAction.Continue, handled: true };
  }

  closed(): CloseHandlerResult {
    if (!this.initialized()) {
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    const action = this.policy.crashed() ? CloseAction.Restart : CloseAction.DoNotRestart;
    return { action, handled: true };
  }
}
