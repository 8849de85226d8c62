#!/usr/bin/env bash
# Prints how long each test class took, slowest first, from the surefire and failsafe reports of the last
# run: where a faster loop has to start. Reads the reports only; prints nothing when there are none.
set -euo pipefail
cd "$(dirname "$0")/.."
reports=$(ls providers/target/surefire-reports/*.txt providers/target/failsafe-reports/*.txt 2>/dev/null || true)
[ -n "$reports" ] || exit 0
rows=$(for f in $reports; do
  sed -n 's/^Tests run: \([0-9]*\).*Time elapsed: \([0-9.,]*\) s.* -- in dev\.kcintegrations\.\(.*\)$/\2 \1 \3/p' "$f"
done | tr ',' '.' | sort -rn)
echo "Test classes by time (s), slowest first (the 25 slowest):"
echo "$rows" | head -25 | awk '{ printf "%8.1f  %4d tests  %s\n", $1, $2, $3 }'
echo "$rows" | awk '{ total += $1; classes++ } END { printf "%8.1f  in all, %d classes (server boots inside each class counted; the build not)\n", total, classes }'
