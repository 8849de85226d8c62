// Verifies one delivery's Concur-Signature the way a receiver would, with the "jose" library and nothing
// but the realm's webhook JWKS (GET /realms/{realm}/events/v4/jwks). Input on stdin:
// {"jwks": "<JWKS URL>", "signature": "<Concur-Signature header>", "body": "<raw body>"}.
// Prints "verified <kid>" and exits 0, or prints why and exits 1.
const { compactVerify, createRemoteJWKSet, base64url } = require("jose");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { jwks, signature, body } = JSON.parse(input);
  try {
    // The payload is detached: the body goes between the header's two dots.
    const [header, detached, sig] = signature.split(".");
    if (detached !== "") throw new Error("payload not detached");
    const keys = createRemoteJWKSet(new URL(jwks)); // refetched when an unknown kid shows up (rotation)
    const { protectedHeader } = await compactVerify(
      `${header}.${base64url.encode(Buffer.from(body, "utf8"))}.${sig}`, keys, { algorithms: ["RS256"] });
    if (protectedHeader.typ !== "kci-webhook+jws") throw new Error("typ is " + protectedHeader.typ);
    console.log("verified " + protectedHeader.kid);
  } catch (e) {
    console.log("refused: " + e.message);
    process.exit(1);
  }
});
