// A webhook receiver built as SAP Concur's receivers are: HTTPS that accepts a connection only from a client
// certificate it pinned (--ca: the PEM file the realm publishes at events/v4/client-certificates) whose common name
// is --cn; any other ends in the TLS handshake. It answers 204 and prints each event with the subject it came with.
// With ./run-demo.sh running (Keycloak trusts the demo's localhost certificate, which this receiver serves):
//   node mtls-receiver.js --port 9443 --pfx ../../providers/target/demo-tls.p12 --passphrase demo-only-keystore \
//     --ca clients.pem --cn webhook.api.concursolutions.com
const https = require("node:https");
const fs = require("node:fs");
const { parseArgs } = require("node:util");

const { values: args } = parseArgs({
  options: { port: { type: "string" }, pfx: { type: "string" }, passphrase: { type: "string" }, ca: { type: "string" },
    cn: { type: "string" } },
});

https.createServer({ pfx: fs.readFileSync(args.pfx), passphrase: args.passphrase, requestCert: true, rejectUnauthorized: true,
  ca: fs.readFileSync(args.ca) }, (req, res) => {
  const peer = /** @type {import("node:tls").TLSSocket} */ (req.socket).getPeerCertificate();
  if (peer.subject?.CN !== args.cn) { // pinned, but for another name: refused too
    console.log(`403 client certificate for ${peer.subject?.CN}`);
    res.writeHead(403).end();
    return;
  }
  let body = "";
  req.on("data", (chunk) => { if (body.length < 65536) body += chunk; }); // a bounded read
  req.on("end", () => {
    console.log(`204 ${JSON.parse(body).eventType} from CN=${peer.subject.CN}, O=${peer.subject.O} (SHA-256 ${peer.fingerprint256})`);
    res.writeHead(204).end();
  });
}).listen(Number(args.port), "127.0.0.1");
