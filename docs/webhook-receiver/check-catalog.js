// Checks an event catalog (GET /realms/{realm}/events/v4/catalog) the way a receiver's code generator would
// read it: the AsyncAPI parser (npm "@asyncapi/parser") must find no error, and every payload schema must be a
// valid JSON Schema 2020-12 for Ajv (the parser does not look inside schemas of that format).
// Input on stdin: the document. Prints "valid <channels> channels, <messages> messages; warnings: <codes>" and
// exits 0, or prints what is wrong and exits 1.
const { Parser, DiagnosticSeverity } = require("@asyncapi/parser");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { document, diagnostics } = await new Parser().parse(input);
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  if (!document || errors.length) {
    console.log("invalid: " + errors.map((d) => `${d.code} at ${(d.path || []).join("/")}: ${d.message}`).join("; "));
    process.exit(1);
  }
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const raw = JSON.parse(input);
  for (const [name, message] of Object.entries(raw.components.messages)) {
    const { schemaFormat, schema } = message.payload;
    if (schemaFormat !== "application/schema+json;version=draft-2020-12") {
      console.log(`invalid: message ${name} has schemaFormat ${schemaFormat}`);
      process.exit(1);
    }
    try {
      ajv.compile(schema);
    } catch (e) {
      console.log(`invalid: the payload schema of ${name} is not JSON Schema 2020-12: ${e.message}`);
      process.exit(1);
    }
  }
  const warnings = [...new Set(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).map((d) => d.code))].sort();
  console.log(`valid ${document.channels().length} channels, ${document.allMessages().length} messages; warnings: ${warnings.join(",")}`);
});
