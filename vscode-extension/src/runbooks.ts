// Which documents are runbooks, as the server decides it (DESIGN.md §5): YAML files that
// match the runbook globs, or whose root mapping has `artifacts`. The extension needs it
// for its own UI (menus, status bar); the server serves every YAML file it is given.
import * as vscode from "vscode";

export const DEFAULT_RUNBOOK_GLOBS = ["**/runbook.yaml", "**/runbook.yml", "**/*.runbook.yaml", "**/*.runbook.yml"];

/** A root-level `artifacts:` key (a line of its own, not indented). */
export function hasArtifactsKey(text: string): boolean {
  return /^(?:artifacts|"artifacts"|'artifacts')[ \t]*:/m.test(text);
}

/** A root-level `inputs:` key declaring an input that is not `optional: true`: a child
 * runbook, whose parent gives it that input, run by its parent, never alone (the server
 * gives it no Run lens either: it counts the required inputs the same way). Read from the
 * text, for the editor title's `when` clause; an `inputs:` block written in flow style
 * counts as required. */
export function declaresInputs(text: string): boolean {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^(?:inputs|"inputs"|'inputs')[ \t]*:/.test(line));
  if (start < 0) {
    return false;
  }
  if (!/^[^:]*:[ \t]*(?:#.*)?$/.test(lines[start] ?? "")) {
    return true; // `inputs: {…}` in flow style: not read here
  }
  let inputIndent: number | undefined;
  let required = false;
  let optional = false;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line) && !line.startsWith("#")) {
      break; // the next root-level key
    }
    const match = /^( +)(?:["']?[^\s#"'][^:]*["']?)[ \t]*:(.*)$/.exec(line);
    if (match === null) {
      continue;
    }
    const indent = match[1]?.length ?? 0;
    inputIndent ??= indent;
    if (indent === inputIndent) {
      if (required && !optional) {
        return true;
      }
      required = true; // a new input: required unless it says otherwise
      optional = false;
    } else if (/^ +optional[ \t]*:[ \t]*true[ \t]*(?:#.*)?$/.test(line)) {
      optional = true;
    }
  }
  return required && !optional;
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

/** The runbook of the text editor that was active last (set as editors change). */
let lastActive: vscode.Uri | undefined;

/** Called as the active editor changes: a runbook's editor is remembered. */
export function rememberActiveRunbook(editor: vscode.TextEditor | undefined): void {
  if (editor !== undefined && isRunbook(editor.document)) {
    lastActive = editor.document.uri;
  }
}

/** The runbook a command is about: its argument (a URI, from a menu), else the active
 * editor's; with no text editor active (a button of the walkthrough, a webview), the
 * runbook in sight whose editor was active last, else the one runbook in sight. */
export function runbookUri(argument: unknown): vscode.Uri | undefined {
  if (argument instanceof vscode.Uri) {
    return argument;
  }
  if (typeof argument === "string" && argument) {
    return vscode.Uri.parse(argument);
  }
  const editor = vscode.window.activeTextEditor;
  if (editor !== undefined) {
    return isRunbook(editor.document) ? editor.document.uri : undefined;
  }
  const shown = vscode.window.visibleTextEditors.filter((visible) => isRunbook(visible.document));
  const last = shown.find((visible) => visible.document.uri.toString() === lastActive?.toString());
  return last?.document.uri ?? (shown.length === 1 ? shown[0]?.document.uri : undefined);
}

/** Runbook paths (relative, `/`-separated), those under an `examples/` folder first, then
 * by path: what the walkthrough's Open Example offers. */
export function examplesFirst(relativePaths: string[]): string[] {
  const rank = (file: string): number => (/(^|\/)examples\//.test(file) ? 0 : 1);
  return [...relativePaths].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
