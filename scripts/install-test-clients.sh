#!/usr/bin/env bash
# Installs the independent clients the integration tests drive, each from its package-lock.json, side by side (one
# after another they took about 21 s of the build on two cores; mostly unpacking, which overlaps well):
#   docs/postman                  Newman, the Postman CLI, runs the shipped collection against the real server
#   providers/src/test/browser    puppeteer-core drives Debian's chromium (run-tests.sh installs it)
#   docs/field-service-standin    hosts a plugin built on Oracle's @ofs-users/plugin (bundled by esbuild at install)
#                                 and verifies the tokens it is called with against the realm's JWKS (jose)
#   docs/webhook-receiver         the Standard Webhooks reference library verifies deliveries independently of our code
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=(docs/postman providers/src/test/browser docs/field-service-standin docs/webhook-receiver)
logs=$(mktemp -d)  # outside the work tree: nothing is left in it, whatever happens
trap 'rm -rf "$logs"' EXIT
pids=()
for i in "${!dirs[@]}"; do
  (cd "${dirs[$i]}" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error) > "$logs/$i" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!dirs[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "npm ci failed in ${dirs[$i]}:" >&2
    cat "$logs/$i" >&2 || true
    status=1
  fi
done
exit "$status"
