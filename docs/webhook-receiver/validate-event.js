// Validates delivered bodies against their schemas from the event catalog, with Ajv (JSON Schema 2020-12) and
// ajv-formats. Input on stdin: [{"name": "...", "schema": {...}, "body": "<raw body>"}, ...]. Prints
// "valid <n>" and exits 0, or prints each violation and exits 1.
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const checks = JSON.parse(input);
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const compiled = new Map(); // one compilation per schema: Ajv refuses a second schema with the same $id
  const failures = [];
  for (const { name, schema, body } of checks) {
    const key = JSON.stringify(schema);
    if (!compiled.has(key)) compiled.set(key, ajv.compile(schema));
    const validate = compiled.get(key);
    if (!validate(JSON.parse(body))) {
      failures.push(`${name}: ` + validate.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`).join(", "));
    }
  }
  if (failures.length) {
    console.log("invalid: " + failures.join("; "));
    process.exit(1);
  }
  console.log(`valid ${checks.length}`);
});
