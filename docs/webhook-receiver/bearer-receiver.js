// A webhook receiver behind a "gateway" that admits only access tokens for its own audience: it answers 204 to a
// POST whose "Authorization: Bearer" token the realm issued for --audience, to the realm's webhook-sender for a
// delivery to --endpoint (checked with "jose" against the realm's JWKS alone), and 401 to anything else, printing
// each verdict. The token says the realm sent it here; check the signatures too for what it sent (verify.js).
// With ./run-demo.sh running:
//   node bearer-receiver.js --port 9999 --issuer http://localhost:8080/realms/integrations \
//     --audience urn:example:webhook-receiver --endpoint http://127.0.0.1:9999/hook
const http = require("node:http");
const { parseArgs } = require("node:util");
const { jwtVerify, createRemoteJWKSet } = require("jose");

const { values: args } = parseArgs({
  options: { port: { type: "string" }, issuer: { type: "string" }, audience: { type: "string" }, endpoint: { type: "string" } },
});
const keys = createRemoteJWKSet(new URL(args.issuer + "/protocol/openid-connect/certs"));

http.createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => { if (body.length < 65536) body += chunk; }); // a bounded read
  req.on("end", async () => {
    try {
      const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(req.headers.authorization || "")?.[1];
      if (!token) throw new Error("no bearer token");
      const { payload } = await jwtVerify(token, keys, { issuer: args.issuer, audience: args.audience, algorithms: ["RS256"] });
      // Any holder of the audience could send its own token: only one the realm issued for a delivery to here counts.
      const delivery = /** @type {{endpoint?: string, subscription?: string}} */ (payload.webhook || {});
      if (payload.azp !== "webhook-sender" || delivery.endpoint !== args.endpoint) throw new Error("not a delivery to " + args.endpoint);
      console.log(`204 ${JSON.parse(body).eventType}: subscription ${delivery.subscription}, token for ${payload.aud}, expires ${new Date(payload.exp * 1000).toISOString()}`);
      res.writeHead(204).end();
    } catch (e) {
      console.log(`401 ${e.message}`);
      res.writeHead(401).end();
    }
  });
}).listen(Number(args.port), "127.0.0.1");
