// Which documents are runbooks, as the server decides it (DESIGN.md §5): YAML files that
// match the runbook globs, or whose root mapping has `artifacts`. The extension needs it
// for its own UI (menus, status bar); the server serves every YAML file it is given.
import * as vscode from "vscode";

export const DEFAULT_RUNBOOK_GLOBS = ["**/runbook.yaml", "**/runbook.yml", "**/*.runbook.yaml", "**/*.runbook.yml"];

/** A root-level `artifacts:` key (a line of its own, not indented). */
export function hasArtifactsKey(text: string): boolean {
  return /^(?:artifacts|"artifacts"|'artifacts')[ \t]*:/m.test(text);
}

export function runbookGlobs(): string[] {
  const configured = vscode.workspace.getConfiguration("waivern").get<string[]>("runbookGlobs");
  return configured?.length ? configured : DEFAULT_RUNBOOK_GLOBS;
}

export function isRunbook(document: vscode.TextDocument): boolean {
  if (document.languageId !== "yaml" || document.uri.scheme !== "file") {
    return false;
  }
  if (runbookGlobs().some((pattern) => vscode.languages.match({ pattern }, document) > 0)) {
    return true;
  }
  return hasArtifactsKey(document.getText());
}

/** The runbook a command is about: its argument (a URI, from a menu), else the active editor. */
export function runbookUri(argument: unknown): vscode.Uri | undefined {
  if (argument instanceof vscode.Uri) {
    return argument;
  }
  if (typeof argument === "string" && argument) {
    return vscode.Uri.parse(argument);
  }
  const editor = vscode.window.activeTextEditor;
  return editor && isRunbook(editor.document) ? editor.document.uri : undefined;
}
