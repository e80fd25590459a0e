// The Getting Started walkthrough's actions besides choosing the interpreter: install the
// language server into the chosen Python (a task in the terminal panel; the server starts
// when it ends well) and open an example runbook (one of the workspace's, else a copy of the
// bundled example in the workspace folder).
import * as path from "node:path";
import * as vscode from "vscode";
import { firstFolder, probe, resolvePython } from "./client";
import { examplesFirst } from "./runbooks";
import type { ServerSession } from "./session";

/** The package the docs install (README.md, docs/editors/vscode.md). */
export const SERVER_PACKAGE = "waivern-tooling";
export const WALKTHROUGH = "waivern.waivern-runbooks#gettingStarted";
/** Where the bundled example is copied in the workspace folder. */
export const EXAMPLE_FOLDER = "waivern-example";

/** `python -m pip install waivern-tooling`, as arguments of the interpreter. */
export function installArgs(): string[] {
  return ["-m", "pip", "install", SERVER_PACKAGE];
}

/** Installs the server into the chosen interpreter in a terminal; when the package is there
 * already, says so and (re)starts the server instead. */
export async function installServer(session: ServerSession): Promise<void> {
  const python = await resolvePython();
  const check = await probe(python.command);
  if (check.errorCode === undefined && check.exitCode === 0) {
    void vscode.window.showInformationMessage(`Waivern: ${SERVER_PACKAGE} is already installed in ${python.command}.`);
    if (!session.running) {
      await session.restart(true);
    }
    return;
  }
  if (check.errorCode === "ENOENT") {
    // nothing to install into: choose an interpreter first
    await vscode.commands.executeCommand("waivern.chooseInterpreter");
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  const task = new vscode.Task(
    { type: "waivern", action: "install" },
    folder ?? vscode.TaskScope.Workspace,
    `install ${SERVER_PACKAGE}`,
    "Waivern",
    new vscode.ProcessExecution(python.command, installArgs()),
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, focus: false, clear: true };
  const execution = await vscode.tasks.executeTask(task);
  const ended = vscode.tasks.onDidEndTaskProcess((end) => {
    if (end.execution !== execution) {
      return;
    }
    ended.dispose();
    if (end.exitCode === 0) {
      void session.restart(true);
    } else {
      void vscode.window.showWarningMessage(
        `Waivern: pip could not install ${SERVER_PACKAGE} into ${python.command} (exit code ${end.exitCode}); the terminal says why.`,
      );
    }
  });
}

/** Opens an example runbook beside the walkthrough (or in the active group). */
export async function openExample(extension: vscode.ExtensionContext): Promise<void> {
  const found = await vscode.workspace.findFiles(
    "**/{runbook.yaml,runbook.yml,*.runbook.yaml,*.runbook.yml}",
    "**/{node_modules,.venv,.waivern,.git}/**",
    200,
  );
  const byPath = new Map(found.map((uri) => [vscode.workspace.asRelativePath(uri, false), uri]));
  const folder = firstFolder();
  const bundled = folder === undefined ? undefined : "$(add) Copy the bundled example into this folder";
  const picks = [...examplesFirst([...byPath.keys()]), ...(bundled ? [bundled] : [])];
  if (picks.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      "Waivern: open a folder first; the example is copied into it.",
      "Open Folder",
    );
    if (choice) {
      await vscode.commands.executeCommand("workbench.action.files.openFolder");
    }
    return;
  }
  const picked =
    picks.length === 1
      ? picks[0]
      : await vscode.window.showQuickPick(picks, {
          title: "Waivern: open which runbook?",
          placeHolder: "a runbook",
          ignoreFocusOut: true, // (an editor the window restores may take the focus)
        });
  if (picked === undefined) {
    return;
  }
  const uri = picked === bundled && folder !== undefined ? await copyExample(extension, folder) : byPath.get(picked);
  if (uri === undefined) {
    return;
  }
  // Beside the walkthrough (a page, not a text editor), so that both stay in sight.
  const besideAPage = vscode.window.activeTextEditor === undefined && vscode.window.tabGroups.activeTabGroup.activeTab;
  await vscode.window.showTextDocument(uri, {
    preview: false,
    viewColumn: besideAPage ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
  });
}

/** The bundled example (the repository's examples/simple_files) in `<folder>/waivern-example`,
 * unless it is there already; its runbook. */
async function copyExample(extension: vscode.ExtensionContext, folder: string): Promise<vscode.Uri> {
  const target = vscode.Uri.file(path.join(folder, EXAMPLE_FOLDER));
  const runbook = vscode.Uri.joinPath(target, "runbook.yaml");
  try {
    await vscode.workspace.fs.stat(runbook);
  } catch {
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(extension.extensionUri, "example"), target, {
      overwrite: false,
    });
  }
  return runbook;
}
