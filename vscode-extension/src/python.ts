// Which Python runs the language server: the `waivern.server.pythonPath` setting, else the
// interpreter selected in the Python extension (when it is installed; asked through its
// typed API, @vscode/python-extension), else `python3`.
import { PVSC_EXTENSION_ID, PythonExtension } from "@vscode/python-extension";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";

export type PythonSource = "setting" | "python extension" | "default";

export interface PythonChoice {
  command: string;
  source: PythonSource;
}

export const DEFAULT_PYTHON = "python3";

/** The interpreter to use; `configured` may use `~` and `${workspaceFolder}`. */
export function choosePython(
  configured: string | undefined,
  fromPythonExtension: string | undefined,
  workspaceFolder: string | undefined,
): PythonChoice {
  const setting = configured?.trim();
  if (setting) {
    return { command: expandPath(setting, workspaceFolder), source: "setting" };
  }
  if (fromPythonExtension) {
    return { command: fromPythonExtension, source: "python extension" };
  }
  return { command: DEFAULT_PYTHON, source: "default" };
}

/** `~` → home, `${workspaceFolder}` → the first folder; a relative path is taken from it. */
export function expandPath(value: string, workspaceFolder: string | undefined): string {
  let expanded = value;
  if (workspaceFolder !== undefined) {
    expanded = expanded.split("${workspaceFolder}").join(workspaceFolder);
  }
  if (expanded === "~" || expanded.startsWith("~/")) {
    expanded = path.join(os.homedir(), expanded.slice(1));
  }
  const isBareCommand = !expanded.includes("/") && !expanded.includes("\\");
  if (!isBareCommand && !path.isAbsolute(expanded) && workspaceFolder !== undefined) {
    expanded = path.join(workspaceFolder, expanded);
  }
  return expanded;
}

/** The Python extension's API (activated), or undefined when it is not installed. */
async function pythonExtension(): Promise<PythonExtension | undefined> {
  // `PythonExtension.api()` throws without the extension: here that is usual, not an error.
  if (vscode.extensions.getExtension(PVSC_EXTENSION_ID) === undefined) {
    return undefined;
  }
  return PythonExtension.api();
}

/** The interpreter of the Python extension's active environment (for the first workspace
 * folder), if there is one. */
export async function pythonExtensionInterpreter(): Promise<string | undefined> {
  try {
    const api = await pythonExtension();
    if (api === undefined) {
      return undefined;
    }
    const active = api.environments.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch (error) {
    console.warn("waivern: the Python extension gave no interpreter", error);
    return undefined;
  }
}

/**
 * Calls `changed` when the active environment of the Python extension changes (its
 * interpreter is the server's while `waivern.server.pythonPath` is empty); undefined when
 * there is no Python extension to follow.
 */
export async function onPythonExtensionChange(changed: () => void): Promise<vscode.Disposable | undefined> {
  try {
    const api = await pythonExtension();
    return api?.environments.onDidChangeActiveEnvironmentPath(() => {
      changed();
    });
  } catch (error) {
    console.warn("waivern: the Python extension's interpreter cannot be followed", error);
    return undefined;
  }
}
