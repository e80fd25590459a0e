import type { PythonExtension } from "@vscode/python-extension";
import assert from "node:assert/strict";
import * as os from "node:os";
import { test } from "node:test";
import { choosePython, expandPath, onPythonExtensionChange, pythonExtensionInterpreter } from "../../src/python";
import { explainProbe } from "../../src/start_failure";
import { EventEmitter, Uri, installed, resetStub, workspace } from "../stub/vscode";

/** Installs a Python extension (its environments API: an active environment per folder,
 * some resolvable) whose active environment a test can change. The stub's classes stand in
 * for VS Code's, hence the casts. */
function installPythonExtension(interpreters: Record<string, string>) {
  const changed = new EventEmitter<{ id: string; path: string; resource: undefined }>();
  const environments: Pick<
    PythonExtension["environments"],
    "getActiveEnvironmentPath" | "resolveEnvironment" | "onDidChangeActiveEnvironmentPath"
  > = {
    getActiveEnvironmentPath: (resource) => {
      const folder = resource instanceof Uri ? resource.fsPath : "";
      return { id: "venv", path: `${folder}/.venv` };
    },
    resolveEnvironment: (environment) => {
      const path = typeof environment === "string" ? environment : environment.path;
      const executable = interpreters[path];
      return Promise.resolve(
        executable === undefined ? undefined : ({ executable: { uri: Uri.file(executable) } } as never),
      );
    },
    onDidChangeActiveEnvironmentPath: changed.event as never,
  };
  let activations = 0;
  installed.set("ms-python.python", {
    id: "ms-python.python",
    isActive: false,
    exports: { environments },
    activate() {
      activations += 1;
      this.isActive = true;
      return Promise.resolve(this.exports);
    },
  });
  return {
    change: () => {
      changed.fire({ id: "other", path: "/other/bin/python", resource: undefined });
    },
    activations: () => activations,
  };
}

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
  const missing = explainProbe(
    { command: "python3", source: "default" },
    { errorCode: "ENOENT", exitCode: null, stderr: "" },
  );
  assert.ok(missing);
  assert.match(
    missing.message,
    /"python3" .* was not found\. Choose the Python that has waivern-tooling installed \(Waivern: Choose Interpreter\)/,
  );
  assert.equal(missing.fix, undefined);
  assert.equal(explainProbe({ command: "python3", source: "default" }, { exitCode: 0, stderr: "" }), undefined);
});

test("another failure shows the interpreter's last line of error", () => {
  const failure = explainProbe(
    { command: "/p y/python", source: "python extension" },
    { exitCode: 1, stderr: "Traceback\nImportError: pygls 1.3 is too old\n" },
  );
  assert.ok(failure);
  assert.match(
    failure.message,
    /cannot start with \/p y\/python \(the Python extension's interpreter\): ImportError: pygls 1\.3 is too old/,
  );
});

test("without the Python extension there is no interpreter from it and nothing to follow", async () => {
  resetStub();
  workspace.workspaceFolders = [{ uri: Uri.file("/ws") }];
  assert.equal(await pythonExtensionInterpreter(), undefined);
  assert.equal(await onPythonExtensionChange(() => assert.fail("no Python extension to change")), undefined);
});

test("the Python extension's active environment for the workspace gives the interpreter", async () => {
  resetStub();
  const python = installPythonExtension({ "/ws/.venv": "/ws/.venv/bin/python3.12" });
  workspace.workspaceFolders = [{ uri: Uri.file("/ws") }];
  assert.equal(await pythonExtensionInterpreter(), "/ws/.venv/bin/python3.12");
  assert.equal(python.activations(), 1, "the extension is activated to be asked");
  // An environment it cannot resolve (yet): its path as the Python extension has it.
  workspace.workspaceFolders = [{ uri: Uri.file("/elsewhere") }];
  assert.equal(await pythonExtensionInterpreter(), "/elsewhere/.venv");
  assert.equal(python.activations(), 1, "activated once");
});

test("a change of the Python extension's active environment is followed until disposed", async () => {
  resetStub();
  const python = installPythonExtension({});
  let changes = 0;
  const following = await onPythonExtensionChange(() => (changes += 1));
  assert.ok(following);
  python.change();
  assert.equal(changes, 1);
  following.dispose();
  python.change();
  assert.equal(changes, 1);
});
