// The runbook JSON Schema for the YAML extension (redhat.vscode-yaml). `yamlValidation` in
// package.json gives it the bundled schema for the runbook file names, so it validates,
// completes and explains runbooks when this extension's server is not running. While the
// server runs for a runbook, a schema contributor hands the YAML extension an empty
// schema for it instead: the server already checks everything the schema would (and
// more), so nothing is completed, flagged or explained twice.
import * as vscode from "vscode";

const SCHEME = "waivern-schema";
export const SERVED_SCHEMA_URI = `${SCHEME}://schemas/runbook-served-by-waivern.json`;

/** Allows anything and describes nothing: the Waivern server has the runbook. */
export const SERVED_SCHEMA = JSON.stringify({
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Waivern runbook",
  description: "Checked, completed and explained by the Waivern language server.",
});

export interface YamlExtensionApi {
  registerContributor(
    schema: string,
    requestSchema: (resource: string) => string | undefined,
    requestSchemaContent: (uri: string) => string | undefined,
    label?: string,
  ): boolean;
}

/**
 * Registers the contributor when the YAML extension is installed. `serves(resource)` says
 * whether this extension's server runs for that file (a runbook); when it does not, the
 * YAML extension falls back to the `yamlValidation` schema.
 */
export async function contributeSchema(serves: (resource: vscode.Uri) => boolean): Promise<boolean> {
  // Its exports are whatever the installed version gives: checked, not assumed.
  const extension = vscode.extensions.getExtension<unknown>("redhat.vscode-yaml");
  if (extension === undefined) {
    return false;
  }
  const api = extension.isActive ? extension.exports : await extension.activate();
  if (!isYamlExtensionApi(api)) {
    return false;
  }
  return api.registerContributor(
    SCHEME,
    (resource) => (serves(vscode.Uri.parse(resource)) ? SERVED_SCHEMA_URI : undefined),
    (uri) => (uri === SERVED_SCHEMA_URI ? SERVED_SCHEMA : undefined),
    "Waivern runbook",
  );
}

function isYamlExtensionApi(api: unknown): api is YamlExtensionApi {
  return (
    typeof api === "object" &&
    api !== null &&
    "registerContributor" in api &&
    typeof api.registerContributor === "function"
  );
}
