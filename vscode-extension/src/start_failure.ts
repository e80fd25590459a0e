// Why the language server could not start, in words a user can act on: the exact pip
// command when the package is missing from the chosen interpreter, the setting to change
// when the interpreter itself is missing.
import type { PythonChoice } from "./python";

/** The check run before starting the server: imports both packages, prints nothing. */
export const PROBE_ARGS = ["-c", "import waivern_lsp.server, waivern_orchestration.cli.app"];

export interface ProbeResult {
  /** spawn error code, e.g. "ENOENT" (no such interpreter), "EACCES" */
  errorCode?: string;
  exitCode: number | null;
  stderr: string;
}

export interface StartFailure {
  message: string;
  /** A command to copy and run in a terminal, when one fixes it. */
  fix?: string;
}

const INSTALL_HINT = "pip install waivern-tooling";

/** undefined when the probe succeeded (the server can start). */
export function explainProbe(python: PythonChoice, probe: ProbeResult): StartFailure | undefined {
  const where = describe(python);
  if (probe.errorCode === "ENOENT") {
    return {
      message:
        `Waivern: the Python interpreter "${python.command}" (${where}) was not found. ` +
        `Choose the Python that has waivern-tooling installed (Waivern: Choose Interpreter).`,
    };
  }
  if (probe.errorCode !== undefined) {
    return {
      message: `Waivern: could not run "${python.command}" (${where}): ${probe.errorCode}.`,
    };
  }
  if (probe.exitCode === 0) {
    return undefined;
  }
  const missing = /No module named '?([\w.]+)'?/.exec(probe.stderr);
  if (missing) {
    const fix = `${quote(python.command)} -m ${INSTALL_HINT}`;
    return {
      message:
        `Waivern: the language server is not installed in ${python.command} (${where}): ` +
        `no module named ${missing[1]}. Install it with: ${fix}`,
      fix,
    };
  }
  const lastLine = probe.stderr.trim().split("\n").pop() ?? "";
  return {
    message:
      `Waivern: the language server cannot start with ${python.command} (${where})` +
      (lastLine ? `: ${lastLine}` : `: exit code ${probe.exitCode}`),
  };
}

function describe(python: PythonChoice): string {
  switch (python.source) {
    case "setting":
      return "from waivern.server.pythonPath";
    case "python extension":
      return "the Python extension's interpreter";
    default:
      return "the default; set waivern.server.pythonPath to choose another";
  }
}

function quote(command: string): string {
  return /^[\w./-]+$/.test(command) ? command : `"${command.replace(/"/g, '\\"')}"`;
}
