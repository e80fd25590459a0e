import assert from "node:assert/strict";
import { test } from "node:test";
import { ArtifactOutputProvider, PAGE_ITEMS, outputUri, parseOutputUri } from "../../src/artifact_output";
import { WaivernServer } from "../../src/server_api";
import type { ServerSession } from "../../src/session";
import { resetStub, shown } from "../stub/vscode";

test("an output's pages have URIs of their own that name the items they hold", () => {
  const first = outputUri("r1", "scan.child.findings");
  assert.equal(first.path, "/r1/scan.child.findings.json");
  assert.deepEqual(parseOutputUri(first), { runId: "r1", artifact: "scan.child.findings", offset: 0 });
  const third = outputUri("r1", "findings", 2 * PAGE_ITEMS);
  assert.equal(decodeURIComponent(third.path), "/r1/findings (items 2001–3000).json");
  assert.deepEqual(parseOutputUri(third), { runId: "r1", artifact: "findings", offset: 2000 });
});

test("each page is asked for by its offset; there is no page before the first or past the last", async () => {
  resetStub();
  const asked: unknown[] = [];
  const server = new WaivernServer({
    execute: (_command, args) => {
      asked.push(args[2]);
      const { offset } = args[2] as { offset: number };
      return Promise.resolve({ id: "findings", content: { findings: [] }, page: { offset, limit: 1000, total: 1500 } });
    },
  });
  const session = { server, ready: () => Promise.resolve(server) } as unknown as ServerSession;
  const outputs = new ArtifactOutputProvider(session);
  const first = outputUri("r1", "findings");
  await outputs.provideTextDocumentContent(first);
  assert.deepEqual(asked, [{ offset: 0, limit: PAGE_ITEMS }]);

  await outputs.turn(first, -1);
  assert.match(shown.messages.map((message) => message.text).join(), /this is the first page \(1500 items\)/);
  const second = outputUri("r1", "findings", PAGE_ITEMS);
  await outputs.provideTextDocumentContent(second);
  assert.deepEqual(asked.at(-1), { offset: 1000, limit: PAGE_ITEMS });
  await outputs.turn(second, 1);
  assert.match(shown.messages.map((message) => message.text).join(), /this is the last page/);
});
