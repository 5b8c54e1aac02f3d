// Lint rules of the web app. The folder rules follow bulletproof-react: features are independent
// (src/features/<area>), shared code (components, hooks, lib, types, testing) depends on no feature,
// and only src/app composes features. No barrel files, no `any`.
import js from "@eslint/js";
import importPlugin from "eslint-plugin-import";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";
import { readdirSync } from "node:fs";

const features = readdirSync(new URL("./src/features", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const featureZones = features.map((feature) => ({
  target: `./src/features/${feature}`,
  from: "./src/features",
  except: [`./${feature}`],
  message: "A feature may not import another feature: compose them in src/app, or move shared code to src/lib, src/hooks or src/components.",
}));

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/lib/api/schema.d.ts", "test-results"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
    },
    plugins: {
      "react-hooks": reactHooks,
      import: importPlugin,
    },
    settings: {
      "import/resolver": { typescript: { project: "./tsconfig.app.json" }, node: true },
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/index", "**/index.ts", "**/index.tsx"],
              message: "No barrel files: import the module that defines the thing.",
            },
          ],
        },
      ],
      "import/no-cycle": "error",
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            ...featureZones,
            {
              target: "./src/features",
              from: "./src/app",
              message: "Features may not import from the app layer.",
            },
            {
              target: [
                "./src/components",
                "./src/hooks",
                "./src/lib",
                "./src/types",
                "./src/testing",
              ],
              from: ["./src/features", "./src/app"],
              message: "Shared code may not depend on features or the app layer.",
            },
          ],
        },
      ],
    },
  },
  {
    // index.ts(x) files would be barrels; the entry point is main.tsx.
    files: ["src/**/index.ts", "src/**/index.tsx"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "Program", message: "No index.ts(x) barrel files." },
      ],
    },
  },
  {
    // Tests index into arrays they just filled; asserting non-null there is clearer than guards.
    files: ["src/**/*.test.{ts,tsx}", "src/testing/**"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    files: ["*.config.{js,ts}", "scripts/**/*.{js,mjs}", "e2e/**/*.ts"],
    languageOptions: { globals: globals.node },
  },
);
