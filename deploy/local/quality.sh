#!/usr/bin/env bash
# The served model's quality (docs/learning.md, "Served quality, measured"): generates a world of HOURS simulated
# hours (default 6; 2,000 users), runs the ingestion, feature and learning jobs over it as built, at their
# production settings, on a MiniCluster with an in-process Kafka broker (no local suite needed), and prints, hour by
# hour of view time, the served predictions' log loss, AUC and mean against the generator's own probabilities and a
# logistic regression fitted in hindsight on the same views, with the goals of issue #13.
#
#   deploy/local/quality.sh [HOURS] [-Deventml.quality.gate-examples=N] [-Deventml.quality.gate-tolerance=T]
#                             [-Deventml.quality.feedback=horizon|immediate] [-Deventml.quality.shift-after=3h]
#
# About 45 s per simulated hour on this machine, after the build. Results: deploy/local/.state/quality-results.txt
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=$ROOT/deploy/local/.state
HOURS=${1:-6}
shift || true
mkdir -p "$STATE"
cd "$ROOT"
mvn -B -ntp -q install -DskipTests
mvn -B -ntp test -pl jobs/learning -Dtest=ServedQualityBenchmark -Deventml.quality.hours="$HOURS" "$@" \
  -Dsurefire.failIfNoSpecifiedTests=false >"$STATE/quality.log" 2>&1 || {
  echo "[quality] the benchmark failed: see $STATE/quality.log" >&2; exit 1; }
sed -n '/^Served quality over/,/Tests run:/p' "$STATE/quality.log" | grep -v 'Tests run:' | tee "$STATE/quality-results.txt"
