// The runbook JSON Schema for the YAML extension (redhat.vscode-yaml). `yamlValidation` in
// package.json gives it the bundled schema for the runbook globs. While this extension's
// server runs, a schema contributor hands it a copy whose properties are marked
// `doNotSuggest`: the YAML extension still validates and explains, but completion comes
// from one place only (this server, which knows artifact ids, components and runs).
import * as fs from "node:fs";
import * as vscode from "vscode";

const SCHEME = "waivern-schema";
const RUNBOOK_SCHEMA = `${SCHEME}://schemas/runbook.schema.json`;

interface YamlExtensionApi {
  registerContributor(
    schema: string,
    requestSchema: (resource: string) => string | undefined,
    requestSchemaContent: (uri: string) => string | undefined,
    label?: string,
  ): boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A copy of the schema in which no property is suggested and no snippet is offered. */
export function withoutSuggestions(schema: Json): Json {
  if (Array.isArray(schema)) {
    return schema.map(withoutSuggestions);
  }
  if (schema === null || typeof schema !== "object") {
    return schema;
  }
  const copy: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "defaultSnippets") {
      continue;
    }
    if (key === "properties" && value !== null && typeof value === "object" && !Array.isArray(value)) {
      const properties: { [key: string]: Json } = {};
      for (const [name, property] of Object.entries(value)) {
        const inner = withoutSuggestions(property);
        properties[name] =
          inner !== null && typeof inner === "object" && !Array.isArray(inner)
            ? { ...inner, doNotSuggest: true }
            : inner;
      }
      copy[key] = properties;
    } else {
      copy[key] = withoutSuggestions(value);
    }
  }
  return copy;
}

/**
 * Registers the contributor when the YAML extension is installed. `serves(resource)` says
 * whether this extension's server is running for that file (a runbook); when it is not,
 * the YAML extension falls back to the `yamlValidation` schema, suggestions included.
 */
export async function contributeSchema(
  schemaPath: string,
  serves: (resource: vscode.Uri) => boolean,
): Promise<boolean> {
  const extension = vscode.extensions.getExtension<YamlExtensionApi>("redhat.vscode-yaml");
  if (extension === undefined) {
    return false;
  }
  const api = extension.isActive ? extension.exports : await extension.activate();
  if (!api || typeof api.registerContributor !== "function") {
    return false;
  }
  let content: string | undefined;
  return api.registerContributor(
    SCHEME,
    (resource) => (serves(vscode.Uri.parse(resource)) ? RUNBOOK_SCHEMA : undefined),
    (uri) => {
      if (uri !== RUNBOOK_SCHEMA) {
        return undefined;
      }
      content ??= JSON.stringify(withoutSuggestions(JSON.parse(fs.readFileSync(schemaPath, "utf8")) as Json));
      return content;
    },
    "Waivern runbook",
  );
}
