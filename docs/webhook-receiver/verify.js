// Verifies one delivery with the Standard Webhooks reference library (npm "standardwebhooks"), the way a
// receiver would. Input on stdin: {"secret": "whsec_...", "headers": {...}, "body": "<raw body>"}.
// Prints the verified payload's id and exits 0, or prints why and exits 1.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { secret, headers, body } = JSON.parse(input);
  try {
    const payload = new Webhook(secret).verify(body, headers);
    console.log("verified " + (Array.isArray(payload) ? "a batch of " + payload.length : payload.id));
  } catch (e) {
    console.log("refused: " + e.message);
    process.exit(1);
  }
});
