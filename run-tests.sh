#!/usr/bin/env bash
# Builds the providers and runs every test: unit tests, then the integration tests against a real
# Keycloak 26.7.5 (the distribution from Maven Central, started as a child process on loopback).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/jdk.sh
. scripts/postgres.sh
. scripts/chromium.sh
status=0
mvn -B verify "$@" || status=$?
# Where the time went, pass or fail.
scripts/test-durations.sh || true  # a report it cannot read never fails the run
[ "$status" -eq 0 ] || exit "$status"
# Every secret and token the tests used must stay out of the server logs.
scripts/scan-logs.sh
