// Which interpreters the Choose Interpreter pick offers and where its choice is written:
// the pure part of interpreter_choice.ts (the file system and the window come in as values).
import * as path from "node:path";

/** An interpreter the pick offers. */
export interface InterpreterCandidate {
  /** What the setting gets: `${workspaceFolder}/…` inside the first folder, else the path. */
  value: string;
  /** The interpreter's path (what is run). */
  command: string;
  /** Where it was found: "workspace virtual environment", "Python extension", "PATH". */
  found: string;
}

/** Virtual environment folders looked for in each workspace folder. */
const VENV_FOLDERS = [".venv", "venv", "env"];

/** The interpreters found, the workspace's first; each once. Pure: the file system and the
 * environment come in as arguments. */
export function interpreterCandidates(found: {
  folders: string[];
  pythonExtension: string | undefined;
  pathDirs: string[];
  exists: (file: string) => boolean;
  windows?: boolean;
}): InterpreterCandidate[] {
  const candidates: InterpreterCandidate[] = [];
  const seen = new Set<string>();
  const first = found.folders[0];
  const add = (command: string, where: string): void => {
    if (seen.has(command)) {
      return;
    }
    seen.add(command);
    candidates.push({ value: settingValue(command, first), command, found: where });
  };
  const inVenv = found.windows ? ["Scripts", "python.exe"] : ["bin", "python"];
  for (const folder of found.folders) {
    for (const venv of VENV_FOLDERS) {
      const python = path.join(folder, venv, ...inVenv);
      if (found.exists(python)) {
        add(python, "workspace virtual environment");
      }
    }
  }
  if (found.pythonExtension) {
    add(found.pythonExtension, "the Python extension's interpreter");
  }
  const names = found.windows ? ["python.exe", "python3.exe"] : ["python3"];
  for (const dir of found.pathDirs) {
    const hit = names.map((name) => path.join(dir, name)).find((file) => found.exists(file));
    if (hit !== undefined) {
      add(hit, "python3 on PATH");
      break;
    }
  }
  return candidates;
}

/** `${workspaceFolder}/.venv/bin/python` for an interpreter inside the first folder (the
 * setting then survives moving the folder), else the path as it is. */
export function settingValue(command: string, folder: string | undefined): string {
  if (folder !== undefined) {
    const relative = path.relative(folder, command);
    if (relative && !relative.startsWith("..") && !path.isAbsolute(relative)) {
      return `\${workspaceFolder}/${relative.split(path.sep).join("/")}`;
    }
  }
  return command;
}

export type SettingTarget = "workspace" | "user";

/**
 * Where the choice is written so that this window uses it. A remote window (code-server,
 * Remote-SSH, WSL, Codespaces) runs the server on the remote machine: a user setting names
 * an interpreter of the local one, so the window's folder gets it. An interpreter inside
 * the workspace belongs to the workspace too. Else the user's settings (every window).
 */
export function settingTarget(choice: { remote: boolean; hasFolder: boolean; value: string }): SettingTarget {
  if (!choice.hasFolder) {
    return "user";
  }
  return choice.remote || choice.value.startsWith("${workspaceFolder}") ? "workspace" : "user";
}

/** The words a pick shows for the probe's answer. */
export function probeWords(installed: boolean | undefined): string {
  if (installed === undefined) {
    return "checking…";
  }
  return installed ? "$(check) waivern-tooling installed" : "$(warning) waivern-tooling not installed";
}
