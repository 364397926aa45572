import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/.turbo/**",
      ".data/**",
      "drizzle/**",
      "test-results/**",
      "playwright-report/**",
      "e2e/artifacts/**",
      "**/next-env.d.ts",
      "examples/**/node_modules/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read settings through the app's src/env.ts." },
      ],
    },
  },
  {
    // Entry points and tooling that legitimately read the environment.
    files: [
      "**/src/env.ts",
      "scripts/**",
      "tooling/**",
      "bench/**",
      "e2e/**",
      "**/*.config.ts",
      "**/*.config.js",
      "**/*.config.mjs",
      "**/*.test.ts",
      "**/migrate-cli.ts",
      "examples/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    files: ["apps/web/src/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
);
