// The language server's `waivern.*` commands (workspace/executeCommand) and its
// `waivern/runProgress` notification, typed. The types are generated from the Python
// side (src/generated/server_api_types.ts, `npm run generate-types`); DESIGN.md §4.2, §5.
import type { ServerApi } from "./generated/server_api_types";

export type {
  ArtifactReport,
  ArtifactStatus,
  Cancellation,
  Graph,
  GraphNode,
  PollReport,
  Range,
  RunProgress,
  RunReport,
  RunStatus,
  RunSummary,
  StartedRun,
} from "./generated/server_api_types";

export const RUN_PROGRESS = "waivern/runProgress";

/** The commands, by name (the one other method of ServerApi is the notification). */
type Command = Exclude<keyof ServerApi, typeof RUN_PROGRESS>;

/** What sends `workspace/executeCommand` (the language client, or a fake in tests). */
export interface CommandSender {
  execute(command: string, args: unknown[]): Promise<unknown>;
}

/** The server's commands with their argument and result types. */
export class WaivernServer {
  constructor(private readonly sender: CommandSender) {}

  run(uri: string): Promise<ServerApi["waivern.run"]> {
    return this.call("waivern.run", [uri]);
  }

  resume(uri: string, runId?: string): Promise<ServerApi["waivern.resume"]> {
    return this.call("waivern.resume", runId === undefined ? [uri] : [uri, runId]);
  }

  poll(runId: string): Promise<ServerApi["waivern.poll"]> {
    return this.call("waivern.poll", [runId]);
  }

  cancel(runId: string): Promise<ServerApi["waivern.cancel"]> {
    return this.call("waivern.cancel", [runId]);
  }

  graph(uri: string): Promise<ServerApi["waivern.graph"]> {
    return this.call("waivern.graph", [uri]);
  }

  runs(uri?: string): Promise<ServerApi["waivern.runs"]> {
    return this.call("waivern.runs", uri === undefined ? [] : [uri]);
  }

  inspect(runId: string): Promise<ServerApi["waivern.inspect"]> {
    return this.call("waivern.inspect", [runId]);
  }

  /** The stored output message of an artifact (plan id or alias) in a run. */
  /** An artifact's stored message; of a streamed output, the items from `offset`, at most
   * `limit` (the message's `page` says which, of how many). */
  async output(runId: string, artifact: string, offset = 0, limit = 1000): Promise<Record<string, unknown>> {
    const page = { offset, limit };
    return (await this.sender.execute("waivern.inspect", [runId, artifact, page])) as Record<string, unknown>;
  }

  /** The command's result, of the type the server's schema gives it. */
  private async call<C extends Command>(command: C, args: unknown[]): Promise<ServerApi[C]> {
    return (await this.sender.execute(command, args)) as ServerApi[C];
  }
}

/** LSP `RequestFailed`: the server refused a command and has already said why
 * (`window/showMessage`), so the extension does not say it again. */
const REQUEST_FAILED = -32803;

export function isRefusal(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === REQUEST_FAILED;
}
