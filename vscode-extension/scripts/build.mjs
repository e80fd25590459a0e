// Bundles the extension (dist/extension.js, Node, `vscode` external), the DAG layout's
// worker thread (dist/dag-layout.js, Node) and the DAG view's webview script
// (dist/dag-view.js, browser). With --tests: also each unit test
// (test/unit/*.test.ts → out/test/*.test.js) with `vscode` replaced by the stub.
import { build } from "esbuild";
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const production = process.argv.includes("--production");
/** @satisfies {import("esbuild").BuildOptions} */
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
  metafile: true,
};
/** @type {Set<string>} every input file of the bundles the `.vsix` ships (for the notices) */
const shipped = new Set();
/** @param {import("esbuild").BuildResult} result */
const ship = (result) => Object.keys(result.metafile?.inputs ?? {}).forEach((i) => shipped.add(i));

ship(
  await build({
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
  }),
);

// The DAG layout's worker thread (ELK on thousands of artifacts, off the host's thread).
ship(
  await build({
    ...common,
    entryPoints: ["src/dag/layout_worker.ts"],
    outfile: "dist/dag-layout.js",
    platform: "node",
    format: "cjs",
    target: "node20",
  }),
);

ship(
  await build({
    ...common,
    entryPoints: ["src/dag/webview.ts"],
    outfile: "dist/dag-view.js",
    platform: "browser",
    format: "iife",
    target: "es2022",
  }),
);

// The notices of the packages bundled into those files (elkjs is EPL-2.0: its licence and
// where its source is must travel with the code), written from what esbuild read.
writeFileSync("dist/THIRD-PARTY-NOTICES.txt", notices(shipped));

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

/** @typedef {{name: string, version: string, license?: string, repository?: string | {url?: string}}} Manifest */

/**
 * One section per npm package a bundle includes: name, version, licence, source, and the
 * package's own licence text.
 * @param {Set<string>} inputs
 */
function notices(inputs) {
  /** @type {Set<string>} */
  const roots = new Set();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1] !== undefined) roots.add(match[1]);
  }
  const sections = [...roots].sort().map((root) => {
    const manifest = /** @type {Manifest} */ (readJson(join(root, "package.json")));
    const repository = typeof manifest.repository === "string" ? manifest.repository : manifest.repository?.url;
    const licenceFile = readdirSync(root).find((name) => /^(licen[cs]e|copying)/i.test(name));
    const text = licenceFile ? readFileSync(join(root, licenceFile), "utf-8").trim() : "";
    return [
      `${manifest.name} ${manifest.version}`,
      `License: ${manifest.license ?? "see below"}`,
      ...(repository ? [`Source: ${repository.replace(/^git\+/, "")}`] : []),
      "",
      text || "(the package ships no licence file)",
    ].join("\n");
  });
  const rule = "\n\n" + "-".repeat(78) + "\n\n";
  return (
    "Third-party software bundled in this extension (dist/*.js), with its licences.\n" +
    "The extension itself is Apache-2.0 (LICENSE.txt)." +
    rule +
    sections.join(rule) +
    "\n"
  );
}

/**
 * @param {string} path
 * @returns {unknown}
 */
function readJson(path) {
  return JSON.parse(readFileSync(path, "utf-8"));
}
