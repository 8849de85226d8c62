#!/usr/bin/env bash
# Fails when a Keycloak server log of the test run contains a secret or a token: any JWT, any Standard
# Webhooks secret (whsec_…), the demo realm's client secrets, the secrets the tests give their clients
# (secret-app-…) and users (Secret-…), and the benchmark's. Run by run-tests.sh after the tests.
# Usage: scripts/scan-logs.sh [directory]   (default: providers/target/keycloak-run)
set -euo pipefail
cd "$(dirname "$0")/.."

PATTERN='eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|whsec_[A-Za-z0-9+/=]{20,}|CalloutDemo~Secret>01|FieldServiceDemoSecret-01|EssSubscriberDemoSecret-01|secret-app-[0-9a-f]{8}|Secret-[a-z-]+-[0-9a-f]{8}|Another-Secret-Value-42|bench-app-secret'

scan() {
  grep -rnoE --include=server.log "$PATTERN" "$1" 2>/dev/null | cut -c1-160 || true
}

# The scanner must be able to fail: it checks itself on a log that leaks a token and a webhook secret.
selftest=$(mktemp -d)
trap 'rm -rf "$selftest"' EXIT
printf 'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig\nwhsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' > "$selftest/server.log"
if [ "$(scan "$selftest" | wc -l)" -ne 2 ]; then
  echo "scan-logs.sh: the self-test did not find the planted token and secret" >&2
  exit 1
fi

dir="${1:-providers/target/keycloak-run}"
logs=$(find "$dir" -name server.log 2>/dev/null | wc -l)
hits=$(scan "$dir")
if [ -n "$hits" ]; then
  echo "Secrets or tokens in the Keycloak server logs of the test run:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "scan-logs.sh: $logs Keycloak server log(s) scanned, no secret or token found"
