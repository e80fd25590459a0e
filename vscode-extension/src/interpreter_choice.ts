// "Waivern: Choose Interpreter": a quick pick of the interpreters found (the workspace's
// virtual environments, the Python extension's choice, `python3` on PATH), each checked for
// the language server, written to `waivern.server.pythonPath` where it applies in this
// window: a window's own settings (the Workspace tab) in remote windows (code-server,
// Remote-SSH, WSL, Codespaces) and for an interpreter inside the workspace, else the user's.
import { existsSync } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { firstFolder, probe } from "./client";
import {
  type InterpreterCandidate,
  interpreterCandidates,
  probeWords,
  settingTarget,
  settingValue,
} from "./interpreters";
import { pythonExtensionInterpreter } from "./python";

export const PYTHON_SETTING = "waivern.server.pythonPath";

interface Pick extends vscode.QuickPickItem {
  candidate?: InterpreterCandidate;
  action?: "enter" | "browse" | "settings";
}

/** The command: pick, write the setting, say where. Resolves with the value written. */
export async function chooseInterpreter(): Promise<string | undefined> {
  const candidates = interpreterCandidates({
    folders: (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
    pythonExtension: await pythonExtensionInterpreter(),
    pathDirs: (process.env.PATH ?? "").split(path.delimiter).filter(Boolean),
    exists: existsSync,
    windows: process.platform === "win32",
  });
  const current = vscode.workspace.getConfiguration("waivern.server").get<string>("pythonPath")?.trim();
  const installed = new Map<string, boolean>();
  const quickPick = vscode.window.createQuickPick<Pick>();
  quickPick.title = "Waivern: Choose the Python that runs the language server";
  quickPick.placeholder = "An interpreter with waivern-tooling installed (or one to install it into)";
  quickPick.matchOnDescription = true;
  quickPick.ignoreFocusOut = true; // (the walkthrough, a restored editor may take the focus)
  quickPick.matchOnDetail = true;
  const items = (): Pick[] => [
    ...candidates.map((candidate) => ({
      label: candidate.value,
      description: `${candidate.found}${candidate.value === current ? " · current" : ""}`,
      detail: probeWords(installed.get(candidate.command)),
      candidate,
    })),
    { label: "", kind: vscode.QuickPickItemKind.Separator },
    { label: "$(edit) Enter interpreter path…", action: "enter" },
    { label: "$(folder-opened) Browse…", action: "browse" },
    { label: "$(gear) Open the Setting", description: PYTHON_SETTING, action: "settings" },
  ];
  quickPick.items = items();
  quickPick.busy = candidates.length > 0;
  void Promise.all(
    candidates.map(async (candidate) => {
      const answer = await probe(candidate.command);
      installed.set(candidate.command, answer.exitCode === 0 && answer.errorCode === undefined);
      const active = quickPick.activeItems.map((item) => item.label);
      quickPick.items = items();
      quickPick.activeItems = quickPick.items.filter((item) => active.includes(item.label));
    }),
  ).finally(() => {
    quickPick.busy = false;
  });
  const picked = await new Promise<Pick | undefined>((resolve) => {
    // (the items are replaced as the checks come back: Enter then may find no selection)
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0] ?? quickPick.activeItems[0]));
    quickPick.onDidHide(() => resolve(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  let value = picked?.candidate?.value;
  if (picked?.action === "settings") {
    await openPythonSetting();
    return undefined;
  }
  if (picked?.action === "enter") {
    value = await vscode.window.showInputBox({
      title: "Waivern: the Python interpreter's path",
      prompt: "`~` and ${workspaceFolder} are expanded",
      value: current ?? "",
      ignoreFocusOut: true,
    });
  } else if (picked?.action === "browse") {
    const [file] =
      (await vscode.window.showOpenDialog({
        title: "Waivern: the Python interpreter",
        canSelectFiles: true,
        canSelectFolders: false,
        canSelectMany: false,
      })) ?? [];
    value = file === undefined ? undefined : settingValue(file.fsPath, firstFolder());
  }
  value = value?.trim();
  if (!value) {
    return undefined;
  }
  await writeSetting(value);
  return value;
}

/** Writes the setting where this window reads it, and says where. */
export async function writeSetting(value: string): Promise<void> {
  const target = settingTarget({
    remote: vscode.env.remoteName !== undefined,
    hasFolder: (vscode.workspace.workspaceFolders?.length ?? 0) > 0,
    value,
  });
  const config = vscode.workspace.getConfiguration("waivern.server");
  const before = config.get<string>("pythonPath");
  await config.update(
    "pythonPath",
    value,
    target === "workspace" ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
  );
  const where = target === "workspace" ? "the workspace settings" : "your user settings";
  void vscode.window.setStatusBarMessage(`Waivern: the language server's Python is ${value} (in ${where})`, 5000);
  if (before === value) {
    // (the same value changes no setting: nothing else restarts the server)
    await vscode.commands.executeCommand("waivern.restartServer");
  }
}

/** The Settings editor on the setting, in the tab that applies in this window. */
export async function openPythonSetting(): Promise<void> {
  const hasFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const command =
    vscode.env.remoteName !== undefined && hasFolder
      ? "workbench.action.openWorkspaceSettings"
      : "workbench.action.openSettings";
  await vscode.commands.executeCommand(command, { query: PYTHON_SETTING });
}
