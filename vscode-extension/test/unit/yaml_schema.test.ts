import assert from "node:assert/strict";
import { test } from "node:test";
import { SERVED_SCHEMA_URI, type YamlExtensionApi, contributeSchema } from "../../src/yaml_schema";
import { installed, resetStub } from "../stub/vscode";

interface Contributor {
  scheme: string;
  requestSchema: (resource: string) => string | undefined;
  requestSchemaContent: (uri: string) => string | undefined;
}

function fakeYamlExtension(): { registered: Contributor[] } {
  resetStub();
  const registered: Contributor[] = [];
  const api: YamlExtensionApi = {
    registerContributor(scheme, requestSchema, requestSchemaContent) {
      registered.push({ scheme, requestSchema, requestSchemaContent });
      return true;
    },
  };
  installed.set("redhat.vscode-yaml", {
    id: "redhat.vscode-yaml",
    isActive: true,
    exports: api,
    activate: () => Promise.resolve(api),
  });
  return { registered };
}

test("while the server runs for a runbook, the YAML extension gets an empty schema for it", async () => {
  const { registered } = fakeYamlExtension();
  let serving = true;
  assert.equal(await contributeSchema((uri) => serving && uri.path.endsWith("runbook.yaml")), true);

  const [contributor] = registered;
  assert.ok(contributor);
  assert.equal(contributor.requestSchema("file:///ws/scan/runbook.yaml"), SERVED_SCHEMA_URI);
  assert.equal(contributor.requestSchema("file:///ws/compose.yaml"), undefined, "other YAML: untouched");
  const schema: unknown = JSON.parse(contributor.requestSchemaContent(SERVED_SCHEMA_URI) ?? "null");
  assert.ok(typeof schema === "object" && schema !== null);
  // Nothing to complete, flag or explain: no properties, types, enums or requirements.
  for (const keyword of ["properties", "type", "required", "enum", "additionalProperties", "$ref"]) {
    assert.equal(keyword in schema, false, keyword);
  }
  assert.equal(contributor.requestSchemaContent("waivern-schema://other.json"), undefined);

  serving = false; // the server stopped: the yamlValidation schema applies again
  assert.equal(contributor.requestSchema("file:///ws/scan/runbook.yaml"), undefined);
});

test("without the YAML extension nothing is registered", async () => {
  resetStub();
  assert.equal(await contributeSchema(() => true), false);
});
