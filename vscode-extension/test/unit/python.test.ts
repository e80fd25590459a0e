import assert from "node:assert/strict";
import * as os from "node:os";
import { test } from "node:test";
import { choosePython, expandPath } from "../../src/python";
import { explainProbe } from "../../src/start_failure";

test("the setting wins over the Python extension, which wins over python3", () => {
  assert.deepEqual(choosePython("/opt/venv/bin/python", "/usr/bin/python3.12", "/ws"), {
    command: "/opt/venv/bin/python",
    source: "setting",
  });
  assert.deepEqual(choosePython("  ", "/usr/bin/python3.12", "/ws"), {
    command: "/usr/bin/python3.12",
    source: "python extension",
  });
  assert.deepEqual(choosePython(undefined, undefined, "/ws"), { command: "python3", source: "default" });
});

test("a configured path expands ~, ${workspaceFolder} and paths relative to the folder", () => {
  assert.equal(expandPath("~/venv/bin/python", "/ws"), `${os.homedir()}/venv/bin/python`);
  assert.equal(expandPath("${workspaceFolder}/.venv/bin/python", "/ws"), "/ws/.venv/bin/python");
  assert.equal(expandPath(".venv/bin/python", "/ws"), "/ws/.venv/bin/python");
  assert.equal(expandPath("python3.11", "/ws"), "python3.11"); // a command on PATH stays one
});

test("a missing package is explained with the exact pip command for that interpreter", () => {
  const failure = explainProbe(
    { command: "/opt/venv/bin/python", source: "setting" },
    { exitCode: 1, stderr: "Traceback ...\nModuleNotFoundError: No module named 'waivern_lsp'\n" },
  );
  assert.ok(failure);
  assert.equal(failure.fix, "/opt/venv/bin/python -m pip install waivern-tooling");
  assert.match(failure.message, /not installed in \/opt\/venv\/bin\/python \(from waivern\.server\.pythonPath\)/);
  assert.match(failure.message, /no module named waivern_lsp/);
});

test("a missing interpreter names the setting to change, an installed one passes", () => {
  const missing = explainProbe({ command: "python3", source: "default" }, { errorCode: "ENOENT", exitCode: null, stderr: "" });
  assert.ok(missing);
  assert.match(missing.message, /"python3" .* was not found\. Set "waivern\.server\.pythonPath"/);
  assert.equal(missing.fix, undefined);
  assert.equal(explainProbe({ command: "python3", source: "default" }, { exitCode: 0, stderr: "" }), undefined);
});

test("another failure shows the interpreter's last line of error", () => {
  const failure = explainProbe(
    { command: "/p y/python", source: "python extension" },
    { exitCode: 1, stderr: "Traceback\nImportError: pygls 1.3 is too old\n" },
  );
  assert.ok(failure);
  assert.match(failure.message, /cannot start with \/p y\/python \(the Python extension's interpreter\): ImportError: pygls 1\.3 is too old/);
});
