import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { withoutSuggestions } from "../../src/yaml_schema";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function propertySchemas(schema: Json, found: Json[] = []): Json[] {
  if (Array.isArray(schema)) {
    schema.forEach((item) => propertySchemas(item, found));
  } else if (schema !== null && typeof schema === "object") {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "properties" && value && typeof value === "object" && !Array.isArray(value)) {
        for (const property of Object.values(value)) {
          found.push(property); // a property's schema, then what it nests
          propertySchemas(property, found);
        }
      } else {
        propertySchemas(value, found);
      }
    }
  }
  return found;
}

test("the YAML extension's copy of the runbook schema suggests nothing but still validates", () => {
  const original = JSON.parse(readFileSync("../schemas/runbook.schema.json", "utf8")) as Json;
  const before = JSON.stringify(original);
  const copy = withoutSuggestions(original);

  const properties = propertySchemas(copy);
  assert.ok(properties.length > 20, "the runbook schema has many properties");
  for (const property of properties) {
    assert.equal((property as { doNotSuggest?: boolean }).doNotSuggest, true);
  }
  assert.doesNotMatch(JSON.stringify(copy), /defaultSnippets/);
  // Validation keywords are untouched: strip the marks and it is the same schema.
  const unmarked = JSON.parse(JSON.stringify(copy).replace(/,"doNotSuggest":true/g, ""));
  assert.deepEqual(unmarked, JSON.parse(before.replace(/"defaultSnippets":\[[^\]]*\],?/g, "")));
  assert.equal(JSON.stringify(original), before, "the bundled schema itself is not changed");
});
