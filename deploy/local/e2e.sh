#!/usr/bin/env bash
# End-to-end checks on the local cluster (not part of 'mvn verify'; about 13 minutes):
#   1. SIGKILL the TaskManager, start a new one, let the jobs recover;
#   2. upgrade the feature job from a savepoint to a rebuilt jar and check its state carried over;
#   3. restart the Kafka broker and let the jobs recover;
#   4. pin the first promoted model version, upgrade the learning job from a savepoint while it is pinned, unpin;
# then stop the generator, let every job catch up, and check with read_committed consumers that canonical
# events, features, examples, models and predictions have no duplicates and no gaps against their input, and
# that every feature vector and every label equals a plain re-scan of the canonical events, and that the
# predictions were made by the pinned version while it was pinned, and not after.
# It starts from a clean local suite (deploy/local/eventml.sh clean) and leaves the suite running.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL=$ROOT/deploy/local
SUITE=$LOCAL/eventml.sh
export EVENTML_JOBS_CONF=$LOCAL/e2e-jobs.conf
STATE=$LOCAL/.state
VERSION=$(sed -n 's:^    <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)
CP="$LOCAL/flink-runtime/target/lib/*:$ROOT/ops/target/eventml-ops-$VERSION-tools.jar"
RESULTS=$STATE/e2e-results.txt

say() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
admin() { java -cp "$CP" io.eventml.ops.SuiteAdmin "$@"; }
check() { java -cp "$CP" io.eventml.ops.SuiteCheck "$@" | tee -a "$RESULTS"; }
wait_until() {
  local what=$1 timeout=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    (( SECONDS - start < timeout )) || { say "gave up waiting for $what after $timeout s"; return 1; }
    sleep 2
  done
  say "$what after $((SECONDS - start)) s"
}
has_model() { admin status | grep -q "^Model: .* version"; }

say "Starting a clean local suite"
"$SUITE" clean >/dev/null
"$SUITE" up | grep -E 'submitted|error' || true
: > "$RESULTS"
wait_until "a first model" 300 has_model

say "1. SIGKILL the TaskManager"
kill -9 "$(cat "$STATE/pids/taskmanager.pid")"
wait_until "the JobManager to notice the lost TaskManager" 180 admin await-no-taskmanager
"$SUITE" up | grep -E 'TaskManager|already' || true
wait_until "every job running again on a new TaskManager" 300 admin await-running
sleep 30

say "2. Upgrade the feature job to a rebuilt jar"
(cd "$ROOT" && mvn -B -ntp -q -o -DskipTests package -pl jobs/features)
SINCE=$(( $(date +%s) * 1000 ))
"$SUITE" upgrade features "$ROOT/jobs/features/target/eventml-features-$VERSION-job.jar"
sleep 60

say "3. Restart the Kafka broker"
kill "$(cat "$STATE/pids/kafka.pid")"
while kill -0 "$(cat "$STATE/pids/kafka.pid")" 2>/dev/null; do sleep 1; done
sleep 10
"$SUITE" up | grep -E 'Kafka' || true
wait_until "every job running again" 300 admin await-running
sleep 60

say "4. Pin the first promoted version, upgrade the learning job while pinned, then unpin"
PINNED=$("$SUITE" model decisions 10000 | awk '$2 == "PROMOTED" { print $1; exit }')
[ -n "$PINNED" ] || { say "no promoted version to pin"; exit 1; }
PIN_AT=$(( $(date +%s) * 1000 ))
"$SUITE" model pin "$PINNED"
sleep 40
"$SUITE" upgrade learning "$ROOT/jobs/learning/target/eventml-learning-$VERSION-job.jar"
sleep 40
UNPIN_AT=$(( $(date +%s) * 1000 ))
"$SUITE" model unpin
sleep 40

say "Stopping the generator and letting every job catch up"
admin stop --job generator >/dev/null
wait_until "every job at the end of its input" 300 admin await-caught-up
sleep 45   # ingestion's idleness (30 s) writes the events it held for the watermark, then a checkpoint commits them

say "Checking the outputs (read_committed)"
status=0
check outputs --label "after TM kill, upgrade, broker restart" || status=1
check feature-state --since "$SINCE" --label "feature state across the upgrade" || status=1
check rescan --horizon 1m --label "after TM kill, upgrade, broker restart" || status=1
check pinned --version "$PINNED" --pinned-at "$PIN_AT" --unpinned-at "$UNPIN_AT" --label "pin across an upgrade" || status=1
# Nothing above lost a record, so the status must not say so (the recoveries refused re-commits of
# transactions committed before them: that is no loss).
alarms=$(admin status | grep -E "DATA LOST|POSSIBLY LOST" || true)
if [ -n "$alarms" ]; then
  printf '| %-44s | %-52s | %s |\n' "status after the recoveries" "$(echo "$alarms" | head -n 1 | cut -c1-52)" FAILED | tee -a "$RESULTS"
  status=1
else
  printf '| %-44s | %-52s | %s |\n' "status after the recoveries" "no DATA LOST, no POSSIBLY LOST" ok | tee -a "$RESULTS"
fi
echo
if [ $status = 0 ]; then say "All checks passed (table in $RESULTS)"; else say "Some checks FAILED (table in $RESULTS)"; fi
exit $status
