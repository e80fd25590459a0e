import assert from "node:assert/strict";
import { test } from "node:test";
import {
  declaresInputs,
  examplesFirst,
  hasArtifactsKey,
  isRunbook,
  rememberActiveRunbook,
  runbookUri,
} from "../../src/runbooks";
import { Uri, configuration, resetStub, window } from "../stub/vscode";

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

test("a child runbook declares inputs at its root (no Run button of its own)", () => {
  assert.equal(declaresInputs("name: c\ninputs:\n  data:\n    input_schema: standard_input\n"), true);
  assert.equal(declaresInputs("name: p\nartifacts:\n  b:\n    inputs: a\n"), false);
  // Only optional inputs: it runs on its own (as the server says, with its Run lens).
  const optionalOnly =
    "inputs:\n  data:\n    input_schema: s/1\n    optional: true\n  more:\n    optional: true # kept\nartifacts:\n";
  assert.equal(declaresInputs(optionalOnly), false);
  const oneRequired =
    "inputs:\n  data:\n    optional: true\n  more:\n    input_schema: s/1\n\n# note\nartifacts:\n  a:\n    optional: true\n";
  assert.equal(declaresInputs(oneRequired), true);
  assert.equal(declaresInputs("inputs:\r\n  data:\r\n    optional: false\r\nartifacts:\r\n"), true);
  assert.equal(declaresInputs("inputs: {data: {optional: true}}\nartifacts:\n"), true);
  assert.equal(declaresInputs("inputs:\nartifacts:\n"), false);
});

test("a command without a runbook takes the active editor's, else the one runbook in sight", () => {
  resetStub();
  const runbook = { document: document("/ws/scan/runbook.yaml", "") };
  const other = { document: document("/ws/notes.yaml", "name: x\n") };
  window.activeTextEditor = undefined; // the walkthrough is the active editor: no text editor
  window.visibleTextEditors = [other, runbook];
  assert.equal(runbookUri(undefined)?.fsPath, "/ws/scan/runbook.yaml");
  const second = { document: document("/ws/b/runbook.yaml", "") };
  window.visibleTextEditors = [runbook, second];
  assert.equal(runbookUri(undefined), undefined); // two in sight, neither active before
  rememberActiveRunbook(second as never); // (as its editor was active last)
  assert.equal(runbookUri(undefined)?.fsPath, "/ws/b/runbook.yaml");
  window.activeTextEditor = other; // an active editor that is no runbook: none
  assert.equal(runbookUri(undefined), undefined);
  window.activeTextEditor = undefined;
  window.visibleTextEditors = [];
});

test("the walkthrough's examples: those under examples/ first, then by path", () => {
  assert.deepEqual(examplesFirst(["slow/runbook.yaml", "examples/simple_files/runbook.yaml", "a/x.runbook.yaml"]), [
    "examples/simple_files/runbook.yaml",
    "a/x.runbook.yaml",
    "slow/runbook.yaml",
  ]);
});
