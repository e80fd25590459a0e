// Lint for the extension's TypeScript, its unit tests and its build scripts:
// typescript-eslint's strict and stylistic rules with type information (the scripts are
// type-checked as JavaScript, see tsconfig.json). Layout is prettier's alone:
// eslint-config-prettier, last, turns off every rule it would fight with.
import eslint from "@eslint/js";
import prettier from "eslint-config-prettier";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  // (src/generated: made by scripts/generate-types.mjs; tsc and prettier check it)
  globalIgnores(["dist/", "out/", "schemas/", ".e2e-tools/", "src/generated/"]),
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Counts and durations in messages ("3/7 done") are what templates are for.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // A parameter a signature needs but the body does not use says so with a leading `_`.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // An event handler written `(change) => this.refresh(change)` says no less than one
      // with braces (VS Code's listeners are typed to return `any`).
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test runs a test() whether or not its promise is awaited, and reports it.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "suite"] }] },
      ],
    },
  },
  {
    files: ["**/*.mjs"],
    rules: {
      // tsc checks these files (checkJs) and knows Node's globals; eslint's list does not.
      "no-undef": "off",
    },
  },
  prettier,
);
