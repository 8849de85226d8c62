// Verifies one delivery's Concur-Signature the way a receiver would, with the "jose" library and nothing
// but the realm's webhook JWKS (GET /realms/{realm}/events/v4/jwks). Input on stdin:
// {"jwks": "<JWKS URL>", "signature": "<Concur-Signature header>", "body": "<raw body>"}.
// Prints "verified <kid>" and exits 0; "refused: <why>" and exits 1 when the signature does not hold;
// "error: <why>" and exits 2 when it could not be checked (JWKS unreachable, bad input).
const { compactVerify, createRemoteJWKSet, base64url } = require("jose");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { jwks, signature, body } = JSON.parse(input);
  try {
    // The payload is detached: the body goes between the header's two dots.
    const [header, detached, sig] = signature.split(".");
    if (detached !== "") throw Object.assign(new Error("payload not detached"), { code: "NOT_A_WEBHOOK_SIGNATURE" });
    const keys = createRemoteJWKSet(new URL(jwks)); // refetched when an unknown kid shows up (rotation)
    const { protectedHeader } = await compactVerify(
      `${header}.${base64url.encode(Buffer.from(body, "utf8"))}.${sig}`, keys, { algorithms: ["RS256"] });
    if (protectedHeader.typ !== "kci-webhook+jws") {
      throw Object.assign(new Error("typ is " + protectedHeader.typ), { code: "NOT_A_WEBHOOK_SIGNATURE" });
    }
    console.log("verified " + protectedHeader.kid);
  } catch (e) {
    const refusals = ["ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "ERR_JWS_INVALID", "ERR_JWKS_NO_MATCHING_KEY",
      "ERR_JOSE_ALG_NOT_ALLOWED", "NOT_A_WEBHOOK_SIGNATURE"];
    console.log((refusals.includes(e.code) ? "refused: " : "error: ") + e.message);
    process.exit(refusals.includes(e.code) ? 1 : 2);
  }
});
