// Which Python runs the language server: the `waivern.server.pythonPath` setting, else the
// interpreter selected in the Python extension (when it is installed), else `python3`.
import * as os from "node:os";
import * as path from "node:path";

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
