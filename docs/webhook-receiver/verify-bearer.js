// Checks a delivery's "Authorization: Bearer" the way a resource server (an API gateway) would, with the "jose"
// library and nothing but the realm's JWKS (GET /realms/{realm}/protocol/openid-connect/certs). Input on stdin:
// {"jwks": "<JWKS URL>", "issuer": "<realm URL>", "audience": "<the receiver's audience>",
//  "authorization": "<Authorization header>", "endpoint": "<optional: this receiver's URL, the token's webhook.endpoint>",
//  "at": <optional: seconds since the epoch to check the time claims at>}.
// Prints "verified <azp> <exp>" and exits 0; "refused: <why>" and exits 1 when the token does not hold;
// "error: <why>" and exits 2 when it could not be checked (JWKS unreachable, bad input).
const { jwtVerify, createRemoteJWKSet } = require("jose");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { jwks, issuer, audience, authorization, endpoint, at } = JSON.parse(input);
  try {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization || "");
    if (!match) throw Object.assign(new Error("no bearer token"), { code: "NO_BEARER" });
    const { payload } = await jwtVerify(match[1], createRemoteJWKSet(new URL(jwks)), {
      issuer, audience, algorithms: ["RS256"], typ: "JWT",
      ...(at ? { currentDate: new Date(at * 1000) } : {}),
    });
    // A token for another delivery (another subscription's receiver captured it) is no use here.
    if (endpoint && (payload.azp !== "webhook-sender" || payload.webhook?.endpoint !== endpoint)) {
      throw Object.assign(new Error("the token is for " + payload.webhook?.endpoint), { code: "OTHER_DELIVERY" });
    }
    console.log("verified " + payload.azp + " " + payload.exp);
  } catch (e) {
    const refusals = ["ERR_JWT_CLAIM_VALIDATION_FAILED", "ERR_JWT_EXPIRED", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
      "ERR_JWS_INVALID", "ERR_JWT_INVALID", "ERR_JWKS_NO_MATCHING_KEY", "ERR_JOSE_ALG_NOT_ALLOWED", "NO_BEARER", "OTHER_DELIVERY"];
    console.log((refusals.includes(e.code) ? "refused: " : "error: ") + e.message);
    process.exit(refusals.includes(e.code) ? 1 : 2);
  }
});
