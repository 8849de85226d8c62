#!/usr/bin/env bash
# Prints how long each test class took, slowest first, from the surefire and failsafe reports of the last
# run: where a faster loop has to start. Reads the reports only; prints nothing when there are none.
set -euo pipefail
cd "$(dirname "$0")/.."
reports=$(ls providers/target/surefire-reports/*.txt providers/target/failsafe-reports/*.txt 2>/dev/null || true)
[ -n "$reports" ] || exit 0
echo "Test classes by time (s), slowest first:"
for f in $reports; do
  sed -n 's/^Tests run: \([0-9]*\).*Time elapsed: \([0-9.,]*\) s.* -- in dev\.kcintegrations\.\(.*\)$/\2 \1 \3/p' "$f"
done | tr ',' '.' | sort -rn | awk '{ total += $1; printf "%8.1f  %4d tests  %s\n", $1, $2, $3 } END { printf "%8.1f  in all (classes only; boots and build not counted)\n", total }' | head -25
