// Reads one delivery as a CloudEvents receiver does, with the CloudEvents SDK (npm "cloudevents"): HTTP.toEvent
// on the request's headers and raw body, then the SDK's own validation. Input on stdin: {"headers": {...},
// "body": "<raw body>"}. Prints {"type","id","source","subject","time","dataschema","data",...} and exits 0,
// or prints "refused: <why>" and exits 1 (a body in the ess format is refused: it is no CloudEvent).
const { HTTP } = require("cloudevents");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { headers, body } = JSON.parse(input);
  try {
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const event = HTTP.toEvent({ headers: lower, body });
    if (Array.isArray(event)) throw new Error("a batch, where one event was expected");
    // toEvent fills in id, time and specversion when they are missing: the raw body must have them itself.
    const raw = JSON.parse(body);
    for (const name of ["specversion", "id", "source", "type", "time"]) {
      if (!(name in raw)) throw new Error(`the body has no ${name}`);
    }
    event.validate();
    console.log(JSON.stringify(event.toJSON()));
  } catch (e) {
    console.log("refused: " + e.message + (e.errors ? " " + JSON.stringify(e.errors) : ""));
    process.exit(1);
  }
});
