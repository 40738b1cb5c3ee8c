#!/usr/bin/env bash
# The job-level benchmark (docs/benchmarks.md): on the local Kafka broker and Flink cluster (started here if they
# are not running, without the suite's jobs), it generates a backlog of RECORDS raw records (default 500000) on
# topics of their own, measures a plain transactional Kafka copy loop as this machine's limit, then runs the
# ingestion, feature and learning jobs over the backlog at parallelism 1, bounded, exactly-once, RocksDB, with the
# cluster's checkpoints, and prints each job's records/s, its ratio to the copy loop, checkpoint durations and
# sizes, and the late-record counters. Also the feature job on heap state and with a 1 h backfill bound.
#
#   deploy/local/bench.sh [RECORDS]
#   EVENTML_BENCH_PROFILE=1 deploy/local/bench.sh [RECORDS]   # also samples the TaskManager with async-profiler
#                                                              # per job: .state/profiles/*.collapsed, CPU by thread,
#                                                              # hottest frames
#   EVENTML_BENCH_LEARNING_VARIANTS='a:jar=/tmp/old.jar;b:--feedback=horizon' deploy/local/bench.sh
#                                          # only the learning job, once per variant, over a fresh backlog
#   EVENTML_BENCH_REUSE=-bench<n> deploy/local/bench.sh   # the same over the backlog of an earlier run
#   (docs/benchmarks.md lists every option)
#
# The suite's own jobs must not run meanwhile (they would share the two cores): 'eventml.sh down' first.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL=$ROOT/deploy/local
STATE=$LOCAL/.state
RECORDS=${1:-500000}
VERSION=$(sed -n 's:^    <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)

"$LOCAL/eventml.sh" cluster
if curl -sf http://127.0.0.1:8081/jobs/overview | grep -q '"state":"RUNNING"'; then
  echo "[bench] jobs are running on the cluster; stop them first (deploy/local/eventml.sh down, then run this again)" >&2
  exit 1
fi
[ -f "$ROOT/benchmarks/target/benchmarks.jar" ] || (cd "$ROOT" && mvn -B -ntp -q -DskipTests install)
mkdir -p "$STATE"
java -Xmx2g -cp "$LOCAL/flink-runtime/target/lib/*:$ROOT/benchmarks/target/benchmarks.jar" \
  io.eventml.benchmarks.JobBenchmark "$ROOT" "$VERSION" "$RECORDS" 2>"$STATE/bench.log" | tee "$STATE/bench-results.txt"
