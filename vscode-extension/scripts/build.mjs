// Bundles the extension (dist/extension.js, Node, `vscode` external), the DAG layout's
// worker thread (dist/dag-layout.js, Node) and the DAG view's webview script
// (dist/dag-view.js, browser). With --tests: also each unit test
// (test/unit/*.test.ts → out/test/*.test.js) with `vscode` replaced by the stub.
import { build } from "esbuild";
import { copyFileSync, cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const production = process.argv.includes("--production");
/** @satisfies {import("esbuild").BuildOptions} */
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: "warning" };

await build({
  ...common,
  entryPoints: ["src/extension.ts"],
  outfile: "dist/extension.js",
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
});

// The DAG layout's worker thread (ELK on thousands of artifacts, off the host's thread).
await build({
  ...common,
  entryPoints: ["src/dag/layout_worker.ts"],
  outfile: "dist/dag-layout.js",
  platform: "node",
  format: "cjs",
  target: "node20",
});

await build({
  ...common,
  entryPoints: ["src/dag/webview.ts"],
  outfile: "dist/dag-view.js",
  platform: "browser",
  format: "iife",
  target: "es2022",
});

if (process.argv.includes("--tests")) {
  const tests = readdirSync("test/unit").filter((name) => name.endsWith(".test.ts"));
  await build({
    ...common,
    entryPoints: tests.map((name) => join("test/unit", name)),
    outdir: "out/test",
    platform: "node",
    format: "cjs",
    target: "node20",
    alias: { vscode: "./test/stub/vscode.ts" },
  });
}

// The runbook JSON Schema travels with the extension (`yamlValidation`).
mkdirSync("schemas", { recursive: true });
copyFileSync("../schemas/runbook.schema.json", "schemas/runbook.schema.json");

// The licence and the changelog are the repository's (one copy each, at the root); vsce
// packs them from the extension folder.
copyFileSync("../LICENSE", "LICENSE");
copyFileSync("../CHANGELOG.md", "CHANGELOG.md");

// The walkthrough's bundled example (Waivern: Open Example Runbook copies it into the
// workspace folder): the repository's smallest one, with its data.
rmSync("example", { recursive: true, force: true });
cpSync("../examples/simple_files", "example", {
  recursive: true,
  filter: (source) => !/(^|\/)(\.waivern|__pycache__)(\/|$)/.test(source),
});
