// Generates src/generated/server_api_types.ts, the types of what the language server sends
// beyond LSP, from ../schemas/server-api.schema.json, which `make schema` writes from the
// Python TypedDicts that build those answers (server/waivern_lsp/api_schema.py): the Python
// side is the one source. With --check it writes nothing and fails when the checked-in
// file is stale (a step of `npm run lint`).
import { compile } from "json-schema-to-typescript";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as prettier from "prettier";

const SCHEMA = "../schemas/server-api.schema.json";
const TARGET = "src/generated/server_api_types.ts";
const BANNER = `// Generated from schemas/server-api.schema.json by \`npm run generate-types\` (\`make schema\`
// runs it): do not edit. The shapes are declared in Python, see server/waivern_lsp/api_schema.py.`;

const schema = /** @type {import("json-schema-to-typescript").JSONSchema} */ (
  readable(JSON.parse(await readFile(SCHEMA, "utf8")))
);
const compiled = await compile(schema, "ServerApi", {
  bannerComment: BANNER,
  // Types of what the extension reads: the server may add fields (DESIGN.md §4.2), and
  // the extension knows only these.
  additionalProperties: false,
  format: false,
});
const generated = await prettier.format(compiled, { ...(await prettier.resolveConfig(TARGET)), filepath: TARGET });

if (process.argv.includes("--check")) {
  const current = await readFile(TARGET, "utf8").catch(() => "");
  if (current !== generated) {
    console.error(`${TARGET} is stale: run \`npm run generate-types\` (or \`make schema\` at the root).`);
    process.exit(1);
  }
} else {
  await mkdir(dirname(TARGET), { recursive: true });
  await writeFile(TARGET, generated);
}

/**
 * The schema as json-schema-to-typescript reads it best: draft 2020-12 tuples
 * (`prefixItems`, pydantic's `tuple[str, str]`) spelled the draft-07 way (`items: [...]`),
 * and a field's description beside a `$ref` moved around an `allOf` (else the field gets a
 * copy of the referenced type, `RunStatus1`).
 * @param {unknown} node
 * @returns {unknown}
 */
function readable(node) {
  if (Array.isArray(node)) {
    return node.map(readable);
  }
  if (typeof node !== "object" || node === null) {
    return node;
  }
  const { prefixItems, $ref, ...rest } = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, readable(value)]),
  );
  if (prefixItems !== undefined) {
    return { ...rest, items: prefixItems, additionalItems: false };
  }
  if ($ref !== undefined && Object.keys(rest).length > 0) {
    return { ...rest, allOf: [{ $ref }] };
  }
  return $ref === undefined ? rest : { $ref };
}
