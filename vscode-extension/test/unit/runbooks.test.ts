import assert from "node:assert/strict";
import { test } from "node:test";
import { hasArtifactsKey, isRunbook } from "../../src/runbooks";
import { Uri, configuration, resetStub } from "../stub/vscode";

function document(path: string, text: string, languageId = "yaml") {
  return { uri: Uri.file(path), languageId, getText: () => text } as never;
}

test("a runbook is a YAML file matching the globs or with a root artifacts key", () => {
  resetStub();
  assert.equal(isRunbook(document("/ws/scan/runbook.yaml", "")), true);
  assert.equal(isRunbook(document("/ws/nightly.runbook.yml", "name: x\n")), true);
  assert.equal(isRunbook(document("/ws/other.yaml", "name: x\nartifacts:\n  a: {}\n")), true);
  assert.equal(isRunbook(document("/ws/compose.yaml", "services:\n  artifacts: {}\n")), false);
  assert.equal(isRunbook(document("/ws/runbook.yaml", "", "json")), false);
});

test("the runbook globs setting replaces the defaults", () => {
  resetStub();
  configuration.set("waivern.runbookGlobs", ["**/flows/*.yaml"]);
  assert.equal(isRunbook(document("/ws/flows/nightly.yaml", "name: x\n")), true);
  assert.equal(isRunbook(document("/ws/scan/runbook.yaml", "name: x\n")), false);
  resetStub();
});

test("the artifacts key is found only at the root", () => {
  assert.equal(hasArtifactsKey("artifacts:\n"), true);
  assert.equal(hasArtifactsKey('name: a\n"artifacts" :\n'), true);
  assert.equal(hasArtifactsKey("  artifacts:\n"), false);
  assert.equal(hasArtifactsKey("# artifacts:\n"), false);
});
