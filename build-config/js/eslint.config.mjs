// The hygiene gate's JavaScript half, ESLint part (run from the repository root by providers/pom.xml):
// ESLint's recommended rules over every script of the project, with the globals of where each one runs.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["**/node_modules/**", "**/target/**", "**/dist/**", "build-config/js/**"] },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      eqeqeq: ["error", "always", { null: "ignore" }], // x == null: null or undefined, on purpose
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    // What the JAR serves to browsers: ES modules, and two classic scripts of the demo plugin pages.
    files: ["providers/src/main/resources/**/*.js", "docs/field-service-standin/plugin/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    files: ["providers/src/main/resources/plugin-host/demo/plugin.js", "providers/src/main/resources/plugin-host/demo/foreign.js"],
    // Written the way plugins in the field are (ES5, var), to show that such a plugin runs unchanged.
    languageOptions: { sourceType: "script" },
    rules: { "no-var": "off" },
  },
  {
    // The receivers and verifiers the tests run with node: CommonJS.
    files: ["docs/webhook-receiver/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
  {
    // Node programs; the browser steps also hold functions puppeteer runs inside the page.
    files: ["**/*.mjs"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
];
