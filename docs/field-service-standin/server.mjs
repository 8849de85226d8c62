// A stand-in for Field Service, for the demo and the tests, on one https origin as Field Service is:
//   /plugin/…                           a plugin built on @ofs-users/plugin (dist/ from build.mjs), framed by hosts
//   GET /rest/ofscCore/v1/activities/{id}, GET /rest/ofscCore/v1/users/{login}
//                                       two calls of the REST API, answered as the real resource does, for a bearer
//                                       token that verifies against the realm's JWKS (jose): signature, issuer,
//                                       expiry, and an aud of exactly the Field Service audience
//
//   node server.mjs --port 8444 --pfx tls.p12 --passphrase … --issuer https://localhost:8443/realms/integrations \
//                   --audience urn:opc:resource:fusion:demo01:field-service-common \
//                   [--jwks http://localhost:8080/realms/integrations/protocol/openid-connect/certs]
// (--issuer again for each URL the realm is reached at, as a dev-mode server names itself by the request's address;
//  --jwks: where to read the realm's keys when the issuer URL is not reachable from here; default: the first issuer's)
// Prints one JSON line {"url": …} when it listens, then one line per REST call: what was verified, or why not.
import https from "node:https";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createRemoteJWKSet, jwtVerify } from "jose";

const { values: options } = parseArgs({ options: {
  port: { type: "string", default: "0" }, pfx: { type: "string" }, passphrase: { type: "string" },
  issuer: { type: "string", multiple: true }, audience: { type: "string" }, jwks: { type: "string" },
} });
for (const required of ["pfx", "passphrase", "issuer", "audience"]) {
  if (!options[required]) throw new Error(`--${required} is required`);
}
const jwks = createRemoteJWKSet(new URL(options.jwks ?? `${options.issuer[0]}/protocol/openid-connect/certs`), { timeoutDuration: 5000 });
const here = new URL("./", import.meta.url);
const FILES = {
  "/plugin/index.html": ["plugin/index.html", "text/html; charset=utf-8"],
  "/plugin/plugin.css": ["plugin/plugin.css", "text/css; charset=utf-8"],
  "/dist/plugin.js": ["dist/plugin.js", "text/javascript; charset=utf-8"],
};
// The plugin is framed by hosts on any https origin (the bridge checks the pairing); it fetches from here only.
const PAGE_HEADERS = {
  "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;"
    + " base-uri 'none'; form-action 'none'; frame-ancestors https:",
  "Cache-Control": "no-store",
};

/** The Field Service REST API's error body (type and title required; status is a string). */
function problem(response, status, title, detail) {
  send(response, status, { type: `https://www.rfc-editor.org/rfc/rfc9110#status.${status}`, title, status: String(status), detail },
    status === 401 ? { "WWW-Authenticate": "Bearer" } : {});
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers });
  response.end(JSON.stringify(body));
}

/** The token's claims if it is one of the realm's, current, and for exactly this resource; else why not. */
async function verified(request) {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? "");
  if (!match) return { refused: "no bearer token" };
  try {
    const { payload } = await jwtVerify(match[1], jwks, { issuer: options.issuer, audience: options.audience });
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (audiences.length !== 1) return { refused: `aud is ${JSON.stringify(payload.aud)}, not exactly ${options.audience}` };
    return { claims: payload };
  } catch (error) {
    return { refused: `${error.code ?? error.name}: ${error.message}` };
  }
}

const server = https.createServer({ pfx: await readFile(options.pfx), passphrase: options.passphrase }, (request, response) => {
  // Whatever a request holds (a malformed path, escape or header), it is answered, and the stand-in stays up.
  serve(request, response).catch(() => {
    if (!response.headersSent) problem(response, 400, "Bad Request", "The request could not be read");
    else response.end();
  });
});

async function serve(request, response) {
  const url = new URL(request.url, "https://stand-in");
  const file = FILES[url.pathname];
  if (request.method === "GET" && file) {
    response.writeHead(200, { "Content-Type": file[1], ...PAGE_HEADERS });
    response.end(await readFile(new URL(file[0], here)));
    return;
  }
  const activity = /^\/rest\/ofscCore\/v1\/activities\/(\d+)$/.exec(url.pathname);
  const user = /^\/rest\/ofscCore\/v1\/users\/([^/]+)$/.exec(url.pathname);
  if (request.method !== "GET" || (!activity && !user)) {
    problem(response, 404, "Not Found", `${request.method} ${url.pathname} is not a call this stand-in answers`);
    return;
  }
  const { claims, refused } = await verified(request);
  console.log(JSON.stringify({ path: url.pathname, verified: Boolean(claims), sub: claims?.sub, aud: claims?.aud, scope: claims?.scope, refused }));
  if (refused) {
    problem(response, 401, "Unauthorized", refused);
  } else if (activity) {
    // Fields of the real resource (getActivitySchema), for the activity asked for, worked by the token's user.
    send(response, 200, { activityId: Number(activity[1]), resourceId: claims.preferred_username ?? claims.sub, date: new Date().toISOString().slice(0, 10),
      status: "pending", activityType: "INST", apptNumber: `A-${activity[1]}`, customerName: "Demo Customer", streetAddress: "1 Demo Street",
      city: "Springfield", timeZone: "Eastern", timeZoneIANA: "America/New_York", duration: 60,
      links: [{ rel: "canonical", href: `https://${request.headers.host}${url.pathname}` }] });
  } else {
    send(response, 200, { login: decodeURIComponent(user[1]), name: decodeURIComponent(user[1]), status: "active", userType: "technician",
      language: "en", timeZone: "Eastern", timeZoneIANA: "America/New_York", resources: [claims.sub] });
  }
}
server.listen(Number(options.port), "127.0.0.1", () => {
  console.log(JSON.stringify({ url: `https://localhost:${server.address().port}` }));
});
