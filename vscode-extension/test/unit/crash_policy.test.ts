import assert from "node:assert/strict";
import { test } from "node:test";
import { CrashPolicy } from "../../src/crash_policy";
import { resetStub, shown } from "../stub/vscode";

const output = { appendLine: (): void => undefined, show: (): void => undefined };

test("a crashed server is restarted until it crashed 5 times in 3 minutes, then Restart is offered", () => {
  resetStub();
  let now = 0;
  const handler = new CrashPolicy(output, () => now);
  for (let crash = 1; crash < 5; crash++) {
    now += 10_000;
    assert.equal(handler.crashed(), true);
  }
  assert.equal(shown.messages.length, 0);
  now += 10_000;
  assert.equal(handler.crashed(), false);
  assert.deepEqual(
    shown.messages.map((message) => message.kind),
    ["error"],
  );
  assert.match(shown.messages.map((message) => message.text).join(), /crashed 5 times in 3 minutes/);
});

test("crashes further apart than 3 minutes never stop the restarts", () => {
  resetStub();
  let now = 0;
  const handler = new CrashPolicy(output, () => now);
  for (let crash = 0; crash < 10; crash++) {
    now += 60_000;
    assert.equal(handler.crashed(), true);
  }
  assert.equal(shown.messages.length, 0);
});
