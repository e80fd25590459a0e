// The palette and menu commands. Each calls the server's `waivern.*` commands; a run or a
// resume is followed in a cancellable progress notification until it ends.
import * as vscode from "vscode";
import type { ArtifactOutputProvider } from "./artifact_output";
import { DagPanel } from "./dag/panel";
import { WALKTHROUGH, installServer, openExample } from "./getting_started";
import { chooseInterpreter } from "./interpreter_choice";
import { runbookUri } from "./runbooks";
import { baseName, isResumable, pollMessage, relativeTime } from "./run_text";
import type { RunTracker } from "./run_tracker";
import { ArtifactNode, RunNode, type RunsView } from "./runs_view";
import { type RunSummary, type StartedRun, type WaivernServer, isRefusal } from "./server_api";
import type { ServerSession } from "./session";

export interface CommandContext {
  extension: vscode.ExtensionContext;
  session: ServerSession;
  tracker: RunTracker;
  runsView: RunsView;
  outputs: ArtifactOutputProvider;
}

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  const { session, tracker } = context;
  const register = (name: string, handler: (...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(name, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        if (!isRefusal(error)) {
          void vscode.window.showErrorMessage(`Waivern: ${errorText(error)}`);
        }
        return undefined;
      }
    });

  const resume = async (argument: unknown, runId: string | undefined): Promise<void> => {
    const uri = await savedRunbook(argument);
    const server = uri && (await session.ready());
    if (!uri || !server) {
      return;
    }
    // Nothing to resume is no error, and nothing starts: say so, without a progress
    // notification.
    if (runId === undefined && !(await server.runs(uri.toString())).some(isResumable)) {
      void vscode.window.showInformationMessage(
        `Waivern: ${baseName(uri.fsPath)} has no run to resume (none interrupted, failed or partial).`,
      );
      return;
    }
    await startRun(context, uri, `Resuming ${baseName(uri.fsPath)}`, () => server.resume(uri.toString(), runId));
  };

  return [
    register("waivern.runRunbook", async (argument) => {
      const uri = await savedRunbook(argument);
      const server = uri && (await session.ready());
      if (uri && server) {
        await startRun(context, uri, `Running ${baseName(uri.fsPath)}`, () => server.run(uri.toString()));
      }
    }),
    // A run id as second argument (a Resume code lens): that run, else the latest resumable.
    register("waivern.resumeLastRun", (argument, runId) =>
      resume(argument, typeof runId === "string" ? runId : undefined),
    ),
    register("waivern.resumeRun", async (argument) => {
      const server = await session.ready();
      if (server === undefined) {
        return;
      }
      const run =
        argument instanceof RunNode
          ? argument.run
          : await pickRun(server, runbookUri(argument), isResumable, "Resume which run?");
      if (run === undefined) {
        return;
      }
      await resume(vscode.Uri.file(run.runbook_path), run.run_id);
    }),
    register("waivern.pollRun", async (argument) => {
      const server = await session.ready();
      if (server === undefined) {
        return;
      }
      const run =
        argument instanceof RunNode
          ? argument.run
          : await pickRun(server, runbookUri(argument), () => true, "Poll which run?");
      if (run === undefined) {
        return;
      }
      const summary = await server.poll(run.run_id);
      context.runsView.refresh();
      const action = summary.next === "resume" ? "Resume" : summary.next === "poll" ? "Poll Again" : undefined;
      const show = summary.failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      const choice = await show(`Waivern: ${pollMessage(summary)}`, ...(action ? [action] : []));
      if (choice === "Resume") {
        await vscode.commands.executeCommand("waivern.resumeRun", new RunNode(run));
      } else if (choice === "Poll Again") {
        await vscode.commands.executeCommand("waivern.pollRun", new RunNode(run));
      }
    }),
    register("waivern.cancelRun", async (argument) => {
      const server = await session.ready();
      if (server === undefined) {
        return;
      }
      let runId: string | undefined;
      if (argument instanceof RunNode) {
        runId = argument.run.run_id;
      } else if (typeof argument === "string") {
        runId = argument;
      } else {
        const uri = runbookUri(argument);
        runId =
          (uri && tracker.activeFor(uri.fsPath)?.run_id) ??
          (await pickRun(server, undefined, (run) => run.status === "running" && run.owner_alive, "Cancel which run?"))
            ?.run_id;
      }
      if (runId === undefined) {
        return;
      }
      const { cancelled } = await server.cancel(runId);
      if (!cancelled) {
        void vscode.window.showInformationMessage(`Waivern: run ${runId} had already ended.`);
      }
      context.runsView.refresh();
    }),
    register("waivern.showDag", async (argument) => {
      const uri = runbookUri(argument);
      const server = await session.ready();
      if (uri === undefined) {
        void vscode.window.showInformationMessage("Waivern: open a runbook to see its DAG.");
      } else if (server) {
        await vscode.workspace.openTextDocument(uri);
        DagPanel.show(context.extension, server, uri, tracker.onDidChange);
      }
    }),
    register("waivern.nextOutputPage", (uri) =>
      context.outputs.turn(uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri, 1),
    ),
    register("waivern.previousOutputPage", (uri) =>
      context.outputs.turn(uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri, -1),
    ),
    register("waivern.openArtifactOutput", async (first, second) => {
      if (first instanceof ArtifactNode) {
        await context.outputs.open(first.run.run_id, first.artifact);
        return;
      }
      if (typeof first === "string" && typeof second === "string") {
        await context.outputs.open(first, second);
        return;
      }
      const server = await session.ready();
      if (server === undefined) {
        return;
      }
      const run = await pickRun(server, runbookUri(undefined), () => true, "The output of which run?");
      if (run === undefined) {
        return;
      }
      const state = await server.inspect(run.run_id);
      const stored = Object.entries(state.artifacts).filter(([, artifact]) => artifact.status === "completed");
      const picked = await vscode.window.showQuickPick(
        stored.map(([id, artifact]) => ({
          label: artifact.alias ?? id,
          description: artifact.alias ? id : undefined,
          id,
        })),
        { title: `Artifacts of run ${run.run_id}`, placeHolder: "Open the output of which artifact?" },
      );
      if (picked) {
        await context.outputs.open(run.run_id, picked.id);
      }
    }),
    register("waivern.restartServer", async () => {
      await session.restart(true);
      if (session.running) {
        void vscode.window.setStatusBarMessage("Waivern: language server restarted", 3000);
      }
    }),
    register("waivern.chooseInterpreter", () => chooseInterpreter()),
    register("waivern.installServer", () => installServer(session)),
    register("waivern.openExample", () => openExample(context.extension)),
    register("waivern.showLog", () => session.showLog()),
    register("waivern.openWalkthrough", () =>
      vscode.commands.executeCommand("workbench.action.openWalkthrough", WALKTHROUGH, false),
    ),
    register("waivern.refreshRuns", () => context.runsView.refresh()),
    register("waivern.showRuns", () => vscode.commands.executeCommand("waivernRuns.focus")),
  ];
}

/** Runbooks whose run or resume is being started: a second click does not start another. */
const starting = new Set<string>();

/** Starts a run (or resume) with its progress notification open at once, and follows it. */
async function startRun(
  context: CommandContext,
  uri: vscode.Uri,
  title: string,
  start: () => Thenable<StartedRun>,
): Promise<void> {
  const key = uri.toString();
  if (starting.has(key)) {
    void vscode.window.showInformationMessage(`Waivern: ${baseName(uri.fsPath)} is already starting.`);
    return;
  }
  starting.add(key);
  const started = (): void => {
    starting.delete(key); // started (or refused): another run may be asked for
    context.runsView.refresh();
  };
  try {
    await context.tracker.run(title, () => {
      const answer = start();
      answer.then(started, started);
      return answer;
    });
  } finally {
    starting.delete(key);
    context.runsView.refresh();
  }
}

/** The runbook of the command, open (the server runs runbooks it has open) and saved (a
 * run reads the file on disk). */
async function savedRunbook(argument: unknown): Promise<vscode.Uri | undefined> {
  const uri = runbookUri(argument);
  if (uri === undefined) {
    void vscode.window.showInformationMessage("Waivern: open a runbook (a YAML file with artifacts) first.");
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (document.isDirty && !(await document.save())) {
    void vscode.window.showWarningMessage(`Waivern: ${baseName(uri.fsPath)} was not saved, so it was not run.`);
    return undefined;
  }
  return uri;
}

/** A quick pick of the store's runs (of one runbook when given) that pass the filter. */
async function pickRun(
  server: WaivernServer,
  runbook: vscode.Uri | undefined,
  wanted: (run: RunSummary) => boolean,
  placeHolder: string,
): Promise<RunSummary | undefined> {
  const runs = (await server.runs(runbook?.toString())).filter(wanted);
  if (runs.length === 0) {
    const where = runbook ? ` of ${baseName(runbook.fsPath)}` : "";
    void vscode.window.showInformationMessage(`Waivern: no run${where} to choose from.`);
    return undefined;
  }
  const now = new Date();
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({
      label: run.run_id,
      description: `${run.status} · ${relativeTime(run.started_at, now)}`,
      detail: run.runbook_path,
      run,
    })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.run;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
