#!/usr/bin/env bash
# EventML on this machine: a real Kafka broker process and a Flink session cluster (a JobManager and a
# TaskManager process), built from Maven artifacts, with the four jobs submitted as jars through the REST API.
#
#   deploy/local/eventml.sh up                  build if needed, start Kafka and Flink, create topics, submit jobs
#   deploy/local/eventml.sh cluster             build if needed, start Kafka and Flink and create topics, no jobs
#                                               (deploy/local/bench.sh runs on this)
#   deploy/local/eventml.sh status              jobs, consumer lag, the model served, the promotion gate, quality
#   deploy/local/eventml.sh model [decisions]   the promotion gate's newest decisions (versions, figures, reasons)
#   deploy/local/eventml.sh model pin VERSION   serve VERSION (a promoted one) of the learning job's model until
#   deploy/local/eventml.sh model unpin         unpinned: a rollback that holds across restarts
#   deploy/local/eventml.sh latency [SECONDS]   event time -> read_committed consumer, per topic (p50/p99/max)
#   deploy/local/eventml.sh upgrade JOB JAR [--allow-non-restored-state]
#                                               stop JOB with a savepoint and run JAR from it
#   deploy/local/eventml.sh down                stop the jobs with savepoints (the next 'up' resumes them), then
#                                               stop what up started (by pid); everything stays in deploy/local/.state
#   deploy/local/eventml.sh clean               down, then delete deploy/local/.state (topics, checkpoints, logs)
#
# Everything binds to 127.0.0.1: Kafka on 9092 (controller 9093), Flink's web UI and REST on 8081.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL=$ROOT/deploy/local
STATE=$LOCAL/.state
PIDS=$STATE/pids
LOGS=$STATE/logs
FLINK_LIB=$LOCAL/flink-runtime/target/lib
KAFKA_LIB=$LOCAL/kafka-broker/target/lib
FLINK_CONF=$STATE/flink-conf
REST=http://127.0.0.1:8081
JOBS=(generator ingestion features learning)
JOBS_CONF=${EVENTML_JOBS_CONF:-$LOCAL/jobs.conf}
# The project version, from the root pom (the first <version> is the project's own).
VERSION=$(sed -n 's:^    <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)

say() { printf '[eventml %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[eventml] error: %s\n' "$*" >&2; exit 1; }

job_jar() { echo "$ROOT/jobs/$1/target/eventml-$1-$VERSION-job.jar"; }
# The ops tools (SuiteAdmin, SuiteCheck): their own jar, run with the Flink runtime's lib.
OPS_JAR=$ROOT/ops/target/eventml-ops-$VERSION-tools.jar

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# Waits up to $2 seconds for the command in $3... to succeed, saying what it waits for ($1) every 10 s.
wait_for() {
  local what=$1 timeout=$2 start=$SECONDS
  shift 2
  until "$@"; do
    if (( SECONDS - start >= timeout )); then
      return 1
    fi
    if (( (SECONDS - start) % 10 == 9 )); then say "  still waiting for $what ($((SECONDS - start)) s)"; fi
    sleep 1
  done
}

check_java() {
  command -v java >/dev/null || die "java is not on the PATH: install a JDK 17 (for example: apt-get install openjdk-17-jdk-headless)"
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${major%%.*}" -ge 17 ] 2>/dev/null || die "Java $major found; EventML needs Java 17 or newer"
}

# Refuses to start when a port is taken by something that is not ours.
check_port() {
  local port=$1 owner=$2
  if port_open "$port" && ! alive "$owner"; then
    die "port $port is taken by another process (needed for $owner); stop it or free the port. Owner: $(ss -ltnp 2>/dev/null | grep ":$port " | sed 's/.*users://' || echo unknown)"
  fi
}

admin() {
  java -cp "$FLINK_LIB/*:$OPS_JAR" io.eventml.ops.SuiteAdmin "$@"
}

admin_quiet() { admin "$@" >/dev/null 2>&1; }

build() {
  local missing=0
  for job in "${JOBS[@]}"; do [ -f "$(job_jar "$job")" ] || missing=1; done
  [ -f "$OPS_JAR" ] && [ -d "$FLINK_LIB" ] && [ -d "$KAFKA_LIB" ] || missing=1
  if [ "$missing" = 1 ] || [ "${EVENTML_REBUILD:-0}" = 1 ]; then
    command -v mvn >/dev/null || die "mvn is not on the PATH: install Maven 3.8 or newer"
    say "Building the job jars and assembling the Flink and Kafka runtimes (mvn install, a few minutes the first time)..."
    (cd "$ROOT" && mvn -B -ntp -DskipTests install) 2>&1 | grep -E --line-buffered '^\[INFO\] (Building |BUILD)|ERROR' || true
    local jars=("$OPS_JAR") job
    for job in "${JOBS[@]}"; do jars+=("$(job_jar "$job")"); done
    for jar in "${jars[@]}"; do [ -f "$jar" ] || die "the build did not produce $jar; run 'mvn -DskipTests install' to see why"; done
  else
    say "Jars and runtimes are built (EVENTML_REBUILD=1 rebuilds)"
  fi
}

start_kafka() {
  if alive kafka; then say "Kafka already runs (pid $(cat "$PIDS/kafka.pid"))"; return; fi
  check_port 9092 kafka
  check_port 9093 kafka
  mkdir -p "$STATE/kafka/data" "$PIDS" "$LOGS"
  sed "s|@DATA_DIR@|$STATE/kafka/data|" "$LOCAL/kafka/server.properties" > "$STATE/kafka/server.properties"
  local cp="$KAFKA_LIB/*"
  if [ ! -f "$STATE/kafka/data/meta.properties" ]; then
    say "Formatting Kafka's storage (KRaft)"
    local id
    id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    java -cp "$cp" -Dlog4j2.configurationFile="$LOCAL/kafka/log4j2.properties" -Dkafka.logs.file="$LOGS/kafka-format.log" \
      kafka.tools.StorageTool format -t "$id" -c "$STATE/kafka/server.properties" > "$LOGS/kafka-format.out" 2>&1 \
      || die "formatting Kafka's storage failed: see $LOGS/kafka-format.out"
  fi
  say "Starting Kafka $(ls "$KAFKA_LIB" | sed -n 's/^kafka_2.13-\(.*\)\.jar$/\1/p') on 127.0.0.1:9092"
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -cp "$cp" \
    -Dlog4j2.configurationFile="$LOCAL/kafka/log4j2.properties" -Dkafka.logs.file="$LOGS/kafka.log" \
    kafka.Kafka "$STATE/kafka/server.properties" > "$LOGS/kafka.out" 2>&1 &
  echo $! > "$PIDS/kafka.pid"
  wait_for "Kafka" 60 port_open 9092 || die "Kafka did not open 127.0.0.1:9092 within 60 s: see $LOGS/kafka.out and $LOGS/kafka.log"
  say "Kafka is up (pid $(cat "$PIDS/kafka.pid"))"
}

# Flink's memory flags and dynamic properties for a process, computed by Flink itself from the config.
flink_params() {
  java -cp "$FLINK_LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$FLINK_CONF" 2>/dev/null \
    | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

java_opts_all() { sed -n 's/^env\.java\.opts\.all: *//p' "$FLINK_CONF/config.yaml"; }

start_flink() {
  mkdir -p "$FLINK_CONF" "$STATE/checkpoints" "$STATE/savepoints" "$PIDS" "$LOGS"
  cp "$ROOT/flink-conf/log4j.properties" "$FLINK_CONF/"
  # flink-conf/config.yaml with this machine's directories for checkpoints, savepoints, uploads and temp files.
  mkdir -p "$STATE/web-upload" "$STATE/tmp"
  sed -e "s|^execution.checkpointing.dir: .*|execution.checkpointing.dir: file://$STATE/checkpoints|" \
      -e "s|^execution.checkpointing.savepoint-dir: .*|execution.checkpointing.savepoint-dir: file://$STATE/savepoints|" \
      "$ROOT/flink-conf/config.yaml" > "$FLINK_CONF/config.yaml"
  printf 'web.upload.dir: %s\nio.tmp.dirs: %s\n' "$STATE/web-upload" "$STATE/tmp" >> "$FLINK_CONF/config.yaml"
  local opts
  opts=$(java_opts_all)
  if alive jobmanager; then
    say "Flink JobManager already runs (pid $(cat "$PIDS/jobmanager.pid"))"
  else
    check_port 8081 jobmanager
    check_port 6123 jobmanager
    local params jvm dyn
    params=$(flink_params GET_JM_RESOURCE_PARAMS) || die "Flink could not compute the JobManager's memory from flink-conf/config.yaml"
    jvm=$(echo "$params" | sed -n 1p); dyn=$(echo "$params" | sed -n 2p)
    say "Starting the Flink JobManager (web UI and REST on $REST)"
    # shellcheck disable=SC2086
    nohup java $jvm $opts -Dlog.file="$LOGS/flink-jobmanager.log" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
      -cp "$FLINK_LIB/*" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
      --configDir "$FLINK_CONF" --executionMode cluster $dyn > "$LOGS/flink-jobmanager.out" 2>&1 &
    echo $! > "$PIDS/jobmanager.pid"
  fi
  wait_for "Flink's REST API" 90 port_open 8081 || die "the JobManager did not open 8081 within 90 s: see $LOGS/flink-jobmanager.log"
  if alive taskmanager; then
    say "Flink TaskManager already runs (pid $(cat "$PIDS/taskmanager.pid"))"
  else
    local params jvm dyn
    params=$(flink_params GET_TM_RESOURCE_PARAMS) || die "Flink could not compute the TaskManager's memory from flink-conf/config.yaml"
    jvm=$(echo "$params" | sed -n 1p); dyn=$(echo "$params" | sed -n 2p)
    say "Starting the Flink TaskManager"
    # shellcheck disable=SC2086
    nohup java $jvm $opts -Dlog.file="$LOGS/flink-taskmanager.log" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
      -cp "$FLINK_LIB/*" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
      --configDir "$FLINK_CONF" $dyn > "$LOGS/flink-taskmanager.out" 2>&1 &
    echo $! > "$PIDS/taskmanager.pid"
  fi
  wait_for "a TaskManager to register" 90 admin_quiet wait-taskmanager --rest "$REST" \
    || die "no TaskManager registered within 90 s: see $LOGS/flink-taskmanager.log"
  say "Flink is up: JobManager pid $(cat "$PIDS/jobmanager.pid"), TaskManager pid $(cat "$PIDS/taskmanager.pid")"
}

# The parallelism and arguments of a job, from jobs.conf: "--parallelism N --args 'a b c'".
job_settings() {
  local line
  line=$(grep -E "^$1[[:space:]]" "$JOBS_CONF") || die "$JOBS_CONF has no line for $1"
  read -r _ JOB_PARALLELISM JOB_ARGS <<< "$line"
  [ -n "$JOB_ARGS" ] || JOB_ARGS=-
}

submit_jobs() {
  mkdir -p "$STATE/deployed"
  # The generator's simulated clock starts once, at the first 'up'. A generator resumed from a savepoint keeps
  # its start in its state; the flag matters for a savepoint of 0.1.0, whose source state did not hold it.
  [ -f "$STATE/generator-start-time" ] || date -u +%Y-%m-%dT%H:%M:%SZ > "$STATE/generator-start-time"
  for job in "${JOBS[@]}"; do
    job_settings "$job"
    if [ "$job" = generator ]; then
      [ "$JOB_ARGS" = - ] && JOB_ARGS=""
      JOB_ARGS="$JOB_ARGS --start-time $(cat "$STATE/generator-start-time")"
    fi
    # A job stopped by 'down' resumes from its savepoint, with the jar it ran.
    local jar savepoint=-
    jar=$(job_jar "$job")
    if [ -f "$STATE/resume/$job" ]; then
      savepoint=$(cat "$STATE/resume/$job")
      jar=$STATE/deployed/$job.jar
    fi
    admin submit --rest "$REST" --job "$job" --jar "$jar" --parallelism "$JOB_PARALLELISM" --args="$JOB_ARGS" --savepoint "$savepoint"
    rm -f "$STATE/resume/$job"
    # The jar that runs, kept for a rollback by 'upgrade'.
    [ -f "$STATE/deployed/$job.jar" ] || cp "$(job_jar "$job")" "$STATE/deployed/$job.jar"
  done
}

cmd_up() {
  cmd_cluster
  say "Submitting the jobs"
  submit_jobs
  say "Waiting until every job runs"
  wait_for "the jobs to run" 120 admin_quiet await-running --rest "$REST" || die "not every job runs after 120 s: see $REST and $LOGS/"
  cat <<EOF

EventML runs on this machine.
  Flink web UI ........ $REST   (jobs, their metrics under each operator's 'eventml' group, logs)
  Kafka ............... 127.0.0.1:9092   (topics: raw.*, events.canonical, events.dlq, features.user, ml.*)
  Prometheus metrics .. http://127.0.0.1:9249/metrics (JobManager), http://127.0.0.1:9250/metrics (TaskManager)
  Logs ................ $LOGS/
  Status .............. deploy/local/eventml.sh status   (the first model comes about 15 minutes after the start:
                        the local label horizon of 10 minutes, 1,000 examples, 1,000 more to pass the promotion gate,
                        and the first candidates, learned on near-empty windows, are often rejected)
  Stop ................ deploy/local/eventml.sh down
EOF
}

cmd_cluster() {
  check_java
  build
  start_kafka
  say "Creating the registry's topics"
  admin create-topics
  start_flink
}

cmd_status() {
  for p in kafka jobmanager taskmanager; do
    if alive "$p"; then say "$p runs (pid $(cat "$PIDS/$p.pid"))"; else say "$p is not running"; fi
  done
  alive kafka && alive jobmanager || exit 1
  admin status --rest "$REST"
}

cmd_model() {
  local action=${1:-} version=${2:-} model
  job_settings learning
  model=$(echo " $JOB_ARGS " | sed -n 's/.* --model-name \([^ ]*\) .*/\1/p')
  [ -n "$model" ] || model=purchase-30m
  case "$action" in
    pin) [ -n "$version" ] || die "usage: eventml.sh model pin VERSION"
         admin model-pin --model "$model" --version "$version" ;;
    unpin) admin model-unpin --model "$model" ;;
    ''|decisions) admin model-decisions --model "$model" --last "${version:-20}" ;;
    *) die "usage: eventml.sh model [decisions [N]] | model pin VERSION | model unpin" ;;
  esac
}

cmd_upgrade() {
  local job=${1:-} jar=${2:-} allow=false
  [ -n "$job" ] && [ -n "$jar" ] || die "usage: eventml.sh upgrade JOB JAR [--allow-non-restored-state] (JOB: ${JOBS[*]})"
  [ "${3:-}" = "--allow-non-restored-state" ] && allow=true
  [ -f "$jar" ] || die "no such jar: $jar"
  [ -f "$STATE/deployed/$job.jar" ] || die "$job was not deployed by 'eventml.sh up'"
  job_settings "$job"
  admin upgrade --rest "$REST" --job "$job" --jar "$jar" --parallelism "$JOB_PARALLELISM" --args="$JOB_ARGS" --old-jar "$STATE/deployed/$job.jar" --allow-non-restored-state "$allow"
  cp "$jar" "$STATE/deployed/$job.jar"
}

stop_pid() {
  local name=$1
  if alive "$name"; then
    local pid
    pid=$(cat "$PIDS/$name.pid")
    say "Stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then say "  $name did not stop in 30 s: killing it"; kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$PIDS/$name.pid"
}

cmd_down() {
  # Each job stops with a savepoint, so the next 'up' resumes it where it stopped, state and offsets included.
  if alive jobmanager && port_open 8081; then
    mkdir -p "$STATE/resume"
    for job in "${JOBS[@]}"; do
      local sp
      sp=$(admin stop --rest "$REST" --job "$job" 2>/dev/null | tail -n 1) || true
      if [ -n "$sp" ]; then
        echo "$sp" > "$STATE/resume/$job"
        say "Stopped $job with a savepoint: $sp"
      fi
    done
  fi
  stop_pid taskmanager
  stop_pid jobmanager
  stop_pid kafka
  say "Stopped. State, topics and logs stay in $STATE ('clean' deletes them)."
}

case "${1:-}" in
  up) cmd_up ;;
  cluster) cmd_cluster ;;
  down) cmd_down ;;
  status) cmd_status ;;
  upgrade) shift; cmd_upgrade "$@" ;;
  model) shift; cmd_model "$@" ;;
  latency)
    # Measures for ${2:-120} s how long records take from their event time to a read_committed consumer.
    java -cp "$FLINK_LIB/*:$OPS_JAR" io.eventml.ops.SuiteCheck latency --seconds "${2:-120}" ;;
  clean) cmd_down; rm -rf "$STATE"; say "Deleted $STATE" ;;
  *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
