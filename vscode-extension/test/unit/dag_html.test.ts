import assert from "node:assert/strict";
import { test } from "node:test";
import { dagHtml } from "../../src/dag/page";

const page = dagHtml({
  cspSource: "https://file+.vscode-resource.vscode-cdn.net",
  scriptUri: "https://file+.vscode-resource.vscode-cdn.net/ext/dist/dag-view.js",
  styleUri: "https://file+.vscode-resource.vscode-cdn.net/ext/media/dag.css",
  nonce: "0f3c9a",
});

function policy(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(content, "no Content-Security-Policy");
  return new Map(
    content
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .flatMap(([name, ...sources]) => (name ? [[name, sources] as const] : [])),
  );
}

test("the page runs only the extension's own script, with the nonce", () => {
  const csp = policy(page);
  assert.deepEqual(csp.get("default-src"), ["'none'"]);
  assert.deepEqual(csp.get("script-src"), ["'nonce-0f3c9a'"]);
  assert.match(
    page,
    /<script nonce="0f3c9a" src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/dag-view\.js"><\/script>/,
  );
  assert.equal(page.match(/<script/g)?.length, 1, "a second script");
});

test("the policy allows no inline code, no eval and nothing from the web", () => {
  const csp = policy(page);
  for (const [name, sources] of csp) {
    for (const source of sources) {
      assert.doesNotMatch(source, /unsafe-inline|unsafe-eval/, `${name} ${source}`);
      assert.ok(
        !/^(https?:|\*)/.test(source) || source === "https://file+.vscode-resource.vscode-cdn.net",
        `${name} ${source}`,
      );
    }
  }
  assert.deepEqual(csp.get("style-src"), ["https://file+.vscode-resource.vscode-cdn.net"]);
  assert.match(
    page,
    /<link rel="stylesheet" href="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/media\/dag\.css">/,
  );
  assert.doesNotMatch(page, /\sstyle=|<style/);
});

test("a quote in a value cannot end the attribute", () => {
  const html = dagHtml({ cspSource: "vscode-webview:", scriptUri: 'x" onload="evil()', styleUri: "s.css", nonce: "n" });
  assert.doesNotMatch(html, /onload="evil/);
});
