// Reads one recorded delivery as a CloudEvents receiver does, with the CloudEvents SDK (cloudevent-of.js).
// Input on stdin: {"headers": {...}, "body": "<raw body>"}. Prints the event as JSON and exits 0, or prints
// "refused: <why>" and exits 1 (a body in the ess format is refused: it is no CloudEvent).
const cloudEventOf = require("./cloudevent-of");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { headers, body } = JSON.parse(input);
  try {
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    console.log(JSON.stringify(cloudEventOf(lower, body).toJSON()));
  } catch (e) {
    console.log("refused: " + e.message + (e.errors ? " " + JSON.stringify(e.errors) : ""));
    process.exit(1);
  }
});
