import assert from "node:assert/strict";
import { test } from "node:test";
import { interpreterCandidates, probeWords, settingTarget, settingValue } from "../../src/interpreters";

const files =
  (...present: string[]) =>
  (file: string) =>
    present.includes(file);

test("the workspace's virtual environments come first, then the Python extension's, then python3 on PATH", () => {
  const found = interpreterCandidates({
    folders: ["/work/project"],
    pythonExtension: "/opt/conda/bin/python",
    pathDirs: ["/nowhere", "/usr/bin", "/usr/local/bin"],
    exists: files("/work/project/.venv/bin/python", "/usr/bin/python3", "/usr/local/bin/python3"),
  });
  assert.deepEqual(found, [
    {
      value: "${workspaceFolder}/.venv/bin/python",
      command: "/work/project/.venv/bin/python",
      found: "workspace virtual environment",
    },
    { value: "/opt/conda/bin/python", command: "/opt/conda/bin/python", found: "the Python extension's interpreter" },
    { value: "/usr/bin/python3", command: "/usr/bin/python3", found: "python3 on PATH" },
  ]);
});

test("an interpreter found twice is offered once", () => {
  const found = interpreterCandidates({
    folders: ["/work/project"],
    pythonExtension: "/work/project/.venv/bin/python",
    pathDirs: [],
    exists: files("/work/project/.venv/bin/python"),
  });
  assert.equal(found.length, 1);
  assert.equal(found[0]?.found, "workspace virtual environment");
});

test("nothing found, nothing offered (the pick still offers a path to type or browse to)", () => {
  assert.deepEqual(
    interpreterCandidates({ folders: [], pythonExtension: undefined, pathDirs: ["/x"], exists: files() }),
    [],
  );
});

test("a path inside the first folder is written with ${workspaceFolder}; others as they are", () => {
  assert.equal(settingValue("/w/p/venv/bin/python", "/w/p"), "${workspaceFolder}/venv/bin/python");
  assert.equal(settingValue("/usr/bin/python3", "/w/p"), "/usr/bin/python3");
  assert.equal(settingValue("/w/pp/bin/python", "/w/p"), "/w/pp/bin/python");
  assert.equal(settingValue("/usr/bin/python3", undefined), "/usr/bin/python3");
});

test("the setting goes where this window reads it: the workspace in a remote window or for a workspace interpreter", () => {
  assert.equal(settingTarget({ remote: true, hasFolder: true, value: "/usr/bin/python3" }), "workspace");
  assert.equal(
    settingTarget({ remote: false, hasFolder: true, value: "${workspaceFolder}/.venv/bin/python" }),
    "workspace",
  );
  assert.equal(settingTarget({ remote: false, hasFolder: true, value: "/usr/bin/python3" }), "user");
  // no folder: only the user's settings exist (a window-scoped setting applies remotely too)
  assert.equal(settingTarget({ remote: true, hasFolder: false, value: "/usr/bin/python3" }), "user");
});

test("each interpreter says whether the server is installed in it", () => {
  assert.equal(probeWords(undefined), "checking…");
  assert.match(probeWords(true), /waivern-tooling installed/);
  assert.match(probeWords(false), /not installed/);
});
