// A webhook receiver written with the CloudEvents SDK (npm "cloudevents"), as a subscriber of the cloudevents
// format would write one: it answers 204 to a valid CloudEvent and 400 to anything else (an ess body included),
// and prints one JSON line per request: {"ok":true,"event":{…}} or {"ok":false,"error":"…"}. A batch
// (application/cloudevents-batch+json) is read with the SDK's batch mode: {"ok":true,"events":[…]}.
// Usage: node cloudevents-receiver.js [port]   (0 or none: any free port; the first line printed is {"port":…}).
// A real receiver verifies webhook-signature or Concur-Signature on the raw body first (verify.js,
// verify-concur-signature.js); this one shows the CloudEvents part only.
const http = require("node:http");
const cloudEventOf = require("./cloudevent-of");

const MAX_BODY = 1024 * 1024;

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(chunk);
  });
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    try {
      if (String(req.headers["content-type"] || "").startsWith("application/cloudevents-batch+json")) {
        const events = cloudEventOf.cloudEventsOfBatch(req.headers, body);
        console.log(JSON.stringify({ ok: true, events: events.map((e) => e.toJSON()), webhookId: req.headers["webhook-id"] }));
        res.writeHead(204).end();
        return;
      }
      const event = cloudEventOf(req.headers, body);
      console.log(JSON.stringify({ ok: true, event: event.toJSON() }));
      res.writeHead(204).end();
    } catch (e) {
      console.log(JSON.stringify({ ok: false, error: e.message }));
      res.writeHead(400, { "Content-Type": "text/plain" }).end("not a CloudEvent");
    }
  });
});

server.listen(Number(process.argv[2] || 0), "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));
