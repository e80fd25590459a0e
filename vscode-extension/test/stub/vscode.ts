// A small stand-in for the `vscode` module, for unit tests under `node --test` (esbuild
// aliases `vscode` to this file). It implements what the tested modules use, and records
// what they show so tests can assert on it. Not a VS Code: the e2e tests use a real one.
import * as nodePath from "node:path";

export class Disposable {
  constructor(private readonly callback: () => void = () => undefined) {}
  dispose(): void {
    this.callback();
  }
}

export type Event<T> = (listener: (value: T) => unknown) => Disposable;

export class EventEmitter<T> {
  private listeners = new Set<(value: T) => unknown>();
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
  ) {}
  static file(fsPath: string): Uri {
    return new Uri("file", "", nodePath.resolve(fsPath));
  }
  static parse(value: string): Uri {
    const match = /^([a-z][\w+.-]*):(?:\/\/([^/]*))?(.*)$/i.exec(value);
    if (!match) {
      return new Uri("file", "", value);
    }
    const [, scheme = "file", authority = "", path = ""] = match;
    return new Uri(scheme, authority, decodeURIComponent(path));
  }
  static from(parts: { scheme: string; authority?: string; path?: string }): Uri {
    return new Uri(parts.scheme, parts.authority ?? "", parts.path ?? "");
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    const authority = this.scheme === "file" || this.authority ? `//${this.authority}` : "";
    return `${this.scheme}:${authority}${this.path}`;
  }
}

export class RelativePattern {
  constructor(
    readonly base: Uri,
    readonly pattern: string,
  ) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  iconPath?: ThemeIcon;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    readonly label: string,
    readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

/** What the tested code showed, for assertions; reset between tests with `resetStub()`. */
export const shown = {
  messages: [] as { kind: "info" | "warning" | "error"; text: string }[],
  progress: [] as {
    title: string;
    reports: { message?: string; increment?: number }[];
    cancel: () => void;
    done: boolean;
  }[],
  commands: [] as { command: string; args: unknown[] }[],
};

export function resetStub(): void {
  shown.messages.length = 0;
  shown.progress.length = 0;
  shown.commands.length = 0;
  configuration.clear();
  installed.clear();
}

/** Settings seen by `workspace.getConfiguration`: "section.key" → value. */
export const configuration = new Map<string, unknown>();

function message(kind: "info" | "warning" | "error") {
  return (text: string, ..._actions: string[]): Promise<string | undefined> => {
    shown.messages.push({ kind, text });
    return Promise.resolve(undefined);
  };
}

export const window = {
  showInformationMessage: message("info"),
  showWarningMessage: message("warning"),
  showErrorMessage: message("error"),
  activeTextEditor: undefined as unknown,
  visibleTextEditors: [] as unknown[],
  withProgress<R>(
    options: { title?: string; cancellable?: boolean },
    task: (
      progress: { report(value: { message?: string; increment?: number }): void },
      token: { isCancellationRequested: boolean; onCancellationRequested: Event<void> },
    ) => Promise<R>,
  ): Promise<R> {
    const cancelled = new EventEmitter<void>();
    const token = { isCancellationRequested: false, onCancellationRequested: cancelled.event };
    const record = {
      title: options.title ?? "",
      reports: [] as { message?: string; increment?: number }[],
      cancel: () => {
        token.isCancellationRequested = true;
        cancelled.fire();
      },
      done: false,
    };
    shown.progress.push(record);
    return task({ report: (value) => record.reports.push(value) }, token).finally(() => {
      record.done = true;
    });
  },
};

export const workspace = {
  textDocuments: [] as unknown[],
  workspaceFolders: undefined as { uri: Uri }[] | undefined,
  /** As VS Code: relative to the workspace folder that holds the path, else unchanged. */
  asRelativePath(pathOrUri: string, _includeFolder?: boolean): string {
    for (const folder of workspace.workspaceFolders ?? []) {
      const relative = nodePath.relative(folder.uri.fsPath, pathOrUri);
      if (!relative.startsWith("..") && !nodePath.isAbsolute(relative)) {
        return relative;
      }
    }
    return pathOrUri;
  },
  getConfiguration(section?: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const full = section ? `${section}.${key}` : key;
        return configuration.has(full) ? (configuration.get(full) as T) : fallback;
      },
    };
  },
  createFileSystemWatcher() {
    const never = new EventEmitter<Uri>().event;
    return { onDidChange: never, onDidCreate: never, onDidDelete: never, dispose: () => undefined };
  },
};

export const languages = {
  /** Glob matching enough for the runbook globs: `**` / `*` over the document's path. */
  match(selector: { pattern?: string }, document: { uri: Uri }): number {
    if (!selector.pattern) {
      return 0;
    }
    const part = (text: string): string => text.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*");
    const pattern = selector.pattern.split("**/").map(part).join("(?:.*/)?");
    return new RegExp(`^${pattern}$`).test(document.uri.path.replace(/^\//, "")) ? 10 : 0;
  },
};

export const commands = {
  executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    shown.commands.push({ command, args });
    return Promise.resolve(undefined);
  },
};

/** An installed extension as `extensions.getExtension` gives it. */
export interface Extension {
  readonly id: string;
  isActive: boolean;
  exports: unknown;
  activate(): Promise<unknown>;
}

/** The extensions installed, by id: none unless a test installs a fake. */
export const installed = new Map<string, Extension>();

export const extensions = {
  getExtension(id: string): Extension | undefined {
    return installed.get(id);
  },
};
