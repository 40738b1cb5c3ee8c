package io.eventml.benchmarks;

import io.eventml.common.event.EventSource;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.topic.Topics;
import io.eventml.learning.FeatureDrift;
import io.eventml.learning.Feedback;
import io.eventml.learning.FtrlProximal;
import io.eventml.learning.ModelRegistry;
import io.eventml.learning.OnlineTrainer;
import io.eventml.learning.PromotionGate;
import io.eventml.learning.TrainerInput;
import io.eventml.ops.FlinkRest;
import io.eventml.ops.SuiteTopics;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Each job of the suite over a generated backlog, on the local Flink cluster and Kafka broker that
 * {@code deploy/local/bench.sh} starts: the real job jars, submitted through REST at parallelism 1
 * with {@code --bounded}, exactly-once sinks, RocksDB and the cluster's checkpoints. In the same
 * run it measures what the machine allows ({@link TransactionalCopyLoop}) and prints every job's
 * rate as a ratio to it, with checkpoint durations and sizes and the late-record counters of the
 * keyed stages. See docs/benchmarks.md.
 *
 * <pre>java -cp 'flink lib/*:benchmarks.jar' io.eventml.benchmarks.JobBenchmark ROOT RECORDS</pre>
 */
public final class JobBenchmark {
    private static final String REST = "http://127.0.0.1:8081";
    private static final String BOOTSTRAP = "127.0.0.1:9092";

    /**
     * Simulated time of the backlog's first event unless {@code EVENTML_BENCH_START} says: three
     * minutes before the last whole hour, so that a backlog of a few simulated minutes crosses it
     * early in every run. Not older: the records carry their event time, and a topic's retention (7
     * days) deletes older ones at once.
     */
    private static String defaultStart() {
        return Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofMinutes(3)).toString();
    }

    private final Path root;
    private final String version;
    private final String suffix;
    private final FlinkRest flink = new FlinkRest(REST);
    private final Map<String, String> jarIds = new HashMap<>();

    /** The table's rows, formatted when printed: with the limit as measured by then. */
    private final List<Supplier<String>> rows = new ArrayList<>();

    /** The copy loop's first run in this JVM: printed, not a limit (it is mostly JIT warm-up). */
    private double coldCopyLoop;

    /** Every warm run of the copy loop, before the jobs and after them: the limit is the median. */
    private final List<Double> copyLoopRuns = new ArrayList<>();

    /** The Flink copy job with nothing between parse and sink: Flink's own floor. */
    private Result flinkCopy;

    /** Samples the TaskManager during each job when {@code EVENTML_BENCH_PROFILE=1}, else null. */
    private TaskManagerProfiler profiler;

    /** CPU of the TaskManager, its JIT compilers and the broker, printed per job. */
    private final CpuClock cpu;

    /**
     * The jar of the next job, when not the one built in the project ({@code jar=} of a variant).
     */
    private String jobJar;

    /**
     * {@code EVENTML_BENCH_HEAP=1}: the TaskManager's heap after a full collection when each job
     * has read 90% of its input (the bytes of its live objects), printed with the job (the
     * collection pauses the job once).
     */
    private final boolean measureHeap = "1".equals(System.getenv("EVENTML_BENCH_HEAP"));

    /** When this benchmark started, in seconds: keeps transactional ids apart between runs. */
    private final long started = now();

    private JobBenchmark(Path root, String version, String suffix) {
        this.cpu = CpuClock.forLocalSuite(root.resolve("deploy/local/.state/pids"));
        this.root = root;
        this.version = version;
        this.suffix = suffix;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: JobBenchmark <project root> <version> <raw records>");
            System.exit(2);
        }
        long records = Long.parseLong(args[2]);
        String reuse = System.getenv("EVENTML_BENCH_REUSE");
        String suffix =
                reuse == null || reuse.isBlank()
                        ? "-bench" + System.currentTimeMillis() / 1000
                        : reuse.trim();
        JobBenchmark benchmark = new JobBenchmark(Path.of(args[0]), args[1], suffix);
        if ("1".equals(System.getenv("EVENTML_BENCH_PROFILE"))) {
            Path state = benchmark.root.resolve("deploy/local/.state");
            benchmark.profiler =
                    TaskManagerProfiler.forLocalTaskManager(
                            state.resolve("pids/taskmanager.pid"), state.resolve("profiles"));
        }
        if (reuse != null && !reuse.isBlank()) {
            benchmark.rerunLearning();
            return;
        }
        if (!"0".equals(System.getenv("EVENTML_BENCH_WARMUP"))) {
            new JobBenchmark(benchmark.root, benchmark.version, suffix + "-warmup").warmUp(50_000);
        }
        benchmark.run(records);
    }

    /**
     * {@code EVENTML_BENCH_REUSE=<suffix>}: the learning job again over the backlog an earlier run
     * left on the topics of {@code suffix}, once per {@code EVENTML_BENCH_LEARNING_VARIANTS} entry
     * (same syntax as the feature variants, and {@code jar=PATH} runs another build of the job;
     * default: twice as built), after the copy loop over the same raw topics. For comparing
     * learning-job changes in one run, without the other jobs.
     */
    private void rerunLearning() throws Exception {
        measureCopyLoop("bench-copy-re" + started);
        compareLearningVariants(records(Topics.FEATURES_USER.name() + suffix));
        printTable();
    }

    /**
     * The learning job once per EVENTML_BENCH_LEARNING_VARIANTS entry (default: twice as built).
     */
    private void compareLearningVariants(long vectors) throws Exception {
        Map<String, Map<String, String>> variants =
                variants(System.getenv("EVENTML_BENCH_LEARNING_VARIANTS"));
        if (variants.isEmpty()) {
            variants.put("as built", Map.of());
            variants.put("as built, again", Map.of());
        }
        for (Map.Entry<String, Map<String, String>> variant : variants.entrySet()) {
            String run = "-re" + now() + "-" + rows.size();
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "--model-name",
                                    "bench" + run,
                                    "--group-id",
                                    "bench-learning" + suffix + run));
            if (!variant.getValue().containsKey("--label-horizon")) {
                args.addAll(List.of("--label-horizon", "2m"));
            }
            runVariant(
                    "learning", "learning, " + variant.getKey(), variant.getValue(), args, vectors);
        }
    }

    /**
     * The limit: the plain transactional copy loop over the raw topics, once to warm it up (its
     * first run in this JVM is mostly the JIT's: about half the rate of the next), then {@value
     * #LIMIT_RUNS} times; {@link #measureLimitAgain} runs it as often again after the jobs. Every
     * ratio is to the median of these runs, so that neither one run of a few seconds nor the
     * machine's drift over the benchmark (printed) decides it.
     */
    private void measureCopyLoop(String transactionalId) throws Exception {
        List<String> raw = List.of(rawTopics());
        coldCopyLoop =
                TransactionalCopyLoop.run(
                        BOOTSTRAP, raw, "bench.copy" + suffix, transactionalId + "-cold");
        for (int i = 0; i < LIMIT_RUNS; i++) {
            copyLoopRuns.add(
                    TransactionalCopyLoop.run(
                            BOOTSTRAP, raw, "bench.copy" + suffix, transactionalId + "-" + i));
        }
        System.out.printf(
                "  copy loop: %,.0f records/s (median of %d runs; its first run %,.0f), the limit below%n",
                limit(), LIMIT_RUNS, coldCopyLoop);
    }

    /**
     * The copy loop's work as a Flink job on the cluster ({@link FlinkCopyJob}), once per stage:
     * what Flink's exactly-once pipeline, a shuffle and one or two keyed stages with a state cost
     * before any of the suite's logic. Every job's warm rate is also printed as a ratio to the
     * first's (source, parse and sink chained). It copies the copy loop's output, which by now
     * holds the raw backlog once per copy-loop run (the same keys and values, four times over):
     * over the raw backlog alone it ran 10-25 s, still compiling at the end (its last quarter a
     * third faster than its warm rate).
     */
    private void measureFlinkCopyJob() throws Exception {
        String input = "bench.copy" + suffix;
        long records = records(input);
        for (String stage : FlinkCopyJob.STAGES) {
            Result r =
                    job(
                            "flink-copy",
                            List.of(
                                    "--from",
                                    input,
                                    "--to",
                                    "bench.flink-copy" + suffix,
                                    "--stage",
                                    stage,
                                    "--group-id",
                                    "bench-flink-copy-" + stage + suffix),
                            Map.of(),
                            records);
            if (flinkCopy == null) {
                flinkCopy = r;
            }
            report("Flink copy job, " + stage, r);
        }
    }

    /** The copy loop again after the jobs: how far the machine drifted, and a better median. */
    private void measureLimitAgain() throws Exception {
        List<String> raw = List.of(rawTopics());
        double before = limit();
        List<Double> after = new ArrayList<>();
        for (int i = 0; i < LIMIT_RUNS; i++) {
            after.add(
                    TransactionalCopyLoop.run(
                            BOOTSTRAP,
                            raw,
                            "bench.copy" + suffix,
                            "bench-copy-after" + suffix + "-" + started + "-" + i));
        }
        copyLoopRuns.addAll(after);
        System.out.printf(
                "  copy loop after the jobs: %,.0f records/s (median of %d), before them %,.0f%n",
                median(after), LIMIT_RUNS, before);
    }

    private static final int LIMIT_RUNS = 3;

    /** Records/s of the copy loop: the median of its warm runs so far. */
    private double limit() {
        return copyLoopRuns.isEmpty() ? Double.NaN : median(copyLoopRuns);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /**
     * Runs the generator, ingestion, feature and learning jobs once over a small backlog of their
     * own, unmeasured: the first jobs in a fresh TaskManager also pay for compiling Flink's own
     * code and RocksDB's, which later jobs find compiled (measured: the first feature run of a
     * fresh cluster about 30% slower than the same run later).
     */
    private void warmUp(long records) throws Exception {
        long start = System.nanoTime();
        generate(records);
        job("ingestion", List.of(), Map.of(), rawRecords());
        job("features", List.of(), Map.of(), -1);
        job("learning", List.of("--label-horizon", "2m", "--model-name", "warm-up"), Map.of(), -1);
        System.out.printf(
                "Warm-up over %,d raw records (suffix %s, unmeasured): %.0f s%n",
                records, suffix, (System.nanoTime() - start) / 1e9);
    }

    /** Creates the suite's topics with this run's suffix and writes a generated backlog. */
    private Result generate(long records) throws Exception {
        try (Admin admin = admin()) {
            SuiteTopics.createTopics(admin, (short) 1, suffix);
            admin.createTopics(
                            List.of(
                                    new NewTopic("bench.copy" + suffix, 4, (short) 1),
                                    new NewTopic("bench.flink-copy" + suffix, 4, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        // The same simulated minutes in every run, across a whole hour: the keyed stages fold their
        // recent events into the settled state at whole hours, as every hour of a live job does.
        String start = System.getenv().getOrDefault("EVENTML_BENCH_START", defaultStart());
        System.out.printf(
                "Topics with suffix %s; generating about %,d raw records from %s%n",
                suffix, records, start);
        return runJob(
                "generator",
                List.of(
                        "--rate",
                        "unbounded",
                        "--events",
                        Long.toString(records),
                        "--start-time",
                        start,
                        "--seed",
                        "7",
                        "--topic-suffix",
                        suffix,
                        "--transactional-id-prefix",
                        "bench-generator" + suffix),
                Map.of(),
                -1);
    }

    private void run(long records) throws Exception {
        Result generator = generate(records);
        report("generator (writes the backlog)", generator);

        measureCopyLoop("bench-copy" + suffix);
        measureFlinkCopyJob();

        report("ingestion", job("ingestion", List.of(), Map.of(), rawRecords()));
        long canonical = records(Topics.EVENTS_CANONICAL.name() + suffix);
        if ("1".equals(System.getenv("EVENTML_BENCH_VARIANTS_ONLY"))) {
            compareFeatureVariants(canonical);
            compareIngestionVariants();
            printTable();
            return;
        }
        report("features, RocksDB, default bound", job("features", List.of(), Map.of(), canonical));
        long vectors = records(Topics.FEATURES_USER.name() + suffix);
        if (System.getenv("EVENTML_BENCH_LEARNING_VARIANTS") != null) {
            // Only the learning job's variants over this backlog (reusable: features.user holds
            // one feature run's vectors).
            compareLearningVariants(vectors);
            compareFeatureVariants(canonical);
            printTable();
            return;
        }
        report(
                "learning (vectors)",
                job(
                        "learning",
                        List.of("--label-horizon", "2m", "--model-name", "bench"),
                        Map.of(),
                        vectors));
        double trainer = trainerOnRocksDb(Topics.ML_TRAINING_EXAMPLES.name() + suffix);
        rows.add(
                () ->
                        String.format(
                                "%-40s %12s %8s %10s %6s %10.0f %6.2f %6s   (examples/s of the trainer stage alone, warm, local RocksDB)",
                                "trainer stage (examples)",
                                "",
                                "",
                                "",
                                "",
                                trainer,
                                trainer / limit(),
                                ""));
        // The label join when the whole backlog is shorter than its horizon: nearly every view is
        // labelled in one burst of timers at the end of the input (where one run of 2026-12-01 fell
        // to 327 vectors/s, not seen again). After the trainer's run, which reads the examples.
        report(
                "learning, 10 min horizon (one burst)",
                job(
                        "learning",
                        List.of(
                                "--label-horizon",
                                "10m",
                                "--model-name",
                                "bench-burst",
                                "--group-id",
                                "bench-learning-burst" + suffix),
                        Map.of(),
                        vectors));
        report(
                "features, heap state, default bound",
                job(
                        "features",
                        List.of("--group-id", "bench-features-heap" + suffix),
                        Map.of("state.backend.type", "hashmap"),
                        canonical));
        report(
                "features, RocksDB, backfill bound 1h",
                job(
                        "features",
                        List.of(
                                "--group-id",
                                "bench-features-1h" + suffix,
                                "--out-of-orderness",
                                "1h"),
                        Map.of(),
                        canonical));

        // After the learning run: these runs write to features.user again.
        compareFeatureVariants(canonical);
        compareIngestionVariants();
        printTable();
    }

    /** The feature job with each of EVENTML_BENCH_FEATURE_VARIANTS's settings, in order. */
    private void compareFeatureVariants(long canonical) throws Exception {
        compareVariants("features", "features, RocksDB, ", "FEATURE", canonical);
    }

    /**
     * The ingestion job with each of EVENTML_BENCH_INGESTION_VARIANTS's settings, in order: last,
     * since each run writes the backlog's canonical events again.
     */
    private void compareIngestionVariants() throws Exception {
        compareVariants("ingestion", "ingestion, ", "INGESTION", rawRecords());
    }

    private void compareVariants(String job, String labelPrefix, String name, long records)
            throws Exception {
        for (Map.Entry<String, Map<String, String>> variant :
                variants(System.getenv("EVENTML_BENCH_" + name + "_VARIANTS")).entrySet()) {
            runVariant(
                    job,
                    labelPrefix + variant.getKey(),
                    variant.getValue(),
                    List.of("--group-id", "bench-" + job + "-" + rows.size() + suffix),
                    records);
        }
    }

    /**
     * Runs {@code job} with a variant's settings on top of {@code args} and reports it: settings
     * named {@code --x} are the job's arguments, {@code jar} another build of the job (to compare
     * code in one run), the others its Flink configuration.
     */
    private void runVariant(
            String job, String label, Map<String, String> settings, List<String> args, long records)
            throws Exception {
        List<String> allArgs = new ArrayList<>(args);
        Map<String, String> conf = new LinkedHashMap<>();
        String jar = null;
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            if (setting.getKey().equals("jar")) {
                jar = setting.getValue();
            } else if (setting.getKey().startsWith("--")) {
                allArgs.addAll(List.of(setting.getKey(), setting.getValue()));
            } else {
                conf.put(setting.getKey(), setting.getValue());
            }
        }
        jobJar = jar;
        try {
            report(label, job(job, allArgs, conf, records));
        } finally {
            jobJar = null;
        }
    }

    /** The copy loop again, then the table, every ratio to the median of all its warm runs. */
    private void printTable() throws Exception {
        measureLimitAgain();
        System.out.printf(
                "%nJob-level benchmark, parallelism 1, exactly-once, RocksDB unless said, checkpoints every"
                        + " 10 s (flink-conf/config.yaml)%n"
                        + "limit: the copy loop (plain consume -> Jackson parse -> transactional produce),"
                        + " %,.0f records/s, median of %d runs before and after the jobs (%,.0f to %,.0f)%n%n",
                limit(),
                copyLoopRuns.size(),
                copyLoopRuns.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                copyLoopRuns.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        System.out.printf(
                "%-40s %12s %8s %10s %6s %10s %6s %6s   %s%n",
                "job",
                "records",
                "seconds",
                "records/s",
                "ratio",
                "warm rec/s",
                "ratio",
                "/Flink",
                "checkpoints, state, late records");
        rows.forEach(row -> System.out.println(row.get()));
    }

    /** The outcome of one bounded job. */
    private record Result(
            long records,
            double seconds,
            double steadyPerSecond,
            int checkpoints,
            long maxCheckpointMillis,
            long avgCheckpointMillis,
            long stateBytes,
            long checkpointedBytes,
            Map<String, Long> late) {}

    private Result job(String name, List<String> extra, Map<String, String> conf, long records)
            throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bounded",
                                "--topic-suffix",
                                suffix,
                                "--transactional-id-prefix",
                                "bench-" + name + suffix + "-" + rows.size() + "-" + started));
        if (!extra.contains("--group-id")) {
            args.addAll(List.of("--group-id", "bench-" + name + suffix));
        }
        args.addAll(extra);
        return runJob(name, args, conf, records);
    }

    private Result runJob(String name, List<String> args, Map<String, String> conf, long records)
            throws Exception {
        boolean copy = name.equals("flink-copy");
        Path jarFile =
                jobJar != null
                        ? Path.of(jobJar)
                        : copy
                                ? root.resolve("benchmarks/target/benchmarks.jar")
                                : root.resolve(
                                        "jobs/"
                                                + name
                                                + "/target/eventml-"
                                                + name
                                                + "-"
                                                + version
                                                + "-job.jar");
        String jar = jarIds.get(jarFile.toString());
        if (jar == null) {
            jar = flink.upload(jarFile);
            jarIds.put(jarFile.toString(), jar);
        }
        String id =
                flink.run(
                        jar,
                        copy ? FlinkCopyJob.class.getName() : null,
                        args,
                        1,
                        null,
                        false,
                        conf);
        if (profiler != null) {
            profiler.start();
        }
        CpuClock.Reading cpuStart = cpu == null ? null : cpu.read();
        CpuClock.Reading cpuHalf = null;
        long liveHeap = measureHeap ? 0 : -1;
        Map<String, Long> late = new LinkedHashMap<>();
        List<long[]> progress = new ArrayList<>();
        while (true) {
            JsonNode job = flink.getJson("/jobs/" + id);
            String state = job.path("state").asText();
            if (state.equals("FINISHED")) {
                break;
            }
            if (List.of("FAILED", "CANCELED").contains(state)) {
                throw new IllegalStateException(
                        name + " ended " + state + ": " + flink.rootException(id));
            }
            if (state.equals("RUNNING")) {
                readLateCounters(id, job, late);
                long read = sourceRecordsOut(id, SOURCE_OF.get(name));
                if (read > 0) {
                    progress.add(new long[] {System.currentTimeMillis(), read});
                }
                if (cpu != null && cpuHalf == null && records > 0 && read >= records / 2) {
                    cpuHalf = cpu.read();
                }
                if (cpu != null && liveHeap == 0 && records > 0 && read >= records * 9 / 10) {
                    liveHeap = cpu.liveHeapBytes();
                }
            }
            Thread.sleep(1_000);
        }
        if (cpu != null) {
            CpuClock.Reading end = cpu.read();
            System.out.println("  " + end.since(cpuStart));
            if (cpuHalf != null) {
                System.out.println("  second half of the input: " + end.since(cpuHalf));
            }
            if (liveHeap > 0) {
                System.out.printf(
                        "  TaskManager heap, live objects at 90%% of the input: %.1f MB%n",
                        liveHeap / 1e6);
            } else if (measureHeap && records > 0) {
                System.out.println(
                        "  TaskManager heap: not read (the job ended before 90% of its input, or"
                                + " jcmd GC.class_histogram failed)");
            }
        }
        JsonNode job = flink.getJson("/jobs/" + id);
        long running = job.path("timestamps").path("RUNNING").asLong();
        long finished = job.path("timestamps").path("FINISHED").asLong();
        if (profiler != null) {
            printProfile(profiler.stop(name + "-" + rows.size()), (finished - running) / 1000.0);
        }
        JsonNode checkpoints = flink.getJson("/jobs/" + id + "/checkpoints");
        JsonNode summary = checkpoints.path("summary");
        JsonNode latest = checkpoints.path("latest").path("completed");
        if (records < 0) {
            records = rawRecords();
        }
        printQuarters(progress);
        return new Result(
                records,
                (finished - running) / 1000.0,
                steadyRate(progress),
                checkpoints.path("counts").path("completed").asInt(),
                summary.path("end_to_end_duration").path("max").asLong(),
                summary.path("end_to_end_duration").path("avg").asLong(),
                latest.path("state_size").asLong(),
                latest.path("checkpointed_size").asLong(),
                late);
    }

    /**
     * Extra runs of a job with other settings, to compare them in one run: {@code
     * label:key=value,key=value;label:...} ({@code --name=value} is a job argument, any other key a
     * Flink setting; a label alone runs the job as built), e.g. {@code
     * bloom:state.backend.rocksdb.use-bloom-filter=true}.
     */
    private static Map<String, Map<String, String>> variants(String spec) {
        Map<String, Map<String, String>> variants = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return variants;
        }
        for (String variant : spec.split(";")) {
            String[] labelAndSettings = variant.split(":", 2);
            Map<String, String> settings = new LinkedHashMap<>();
            String all = labelAndSettings.length < 2 ? "" : labelAndSettings[1];
            for (String setting : all.split(",")) {
                if (setting.isBlank()) {
                    continue;
                }
                String[] kv = setting.split("=", 2);
                if (kv.length < 2) {
                    throw new IllegalArgumentException(
                            "a variant's setting is key=value (a job argument as --name=value), got '"
                                    + setting
                                    + "' in '"
                                    + variant
                                    + "'");
                }
                settings.put(kv[0].trim(), kv[1].trim());
            }
            variants.put(labelAndSettings[0].trim(), settings);
        }
        return variants;
    }

    private static void printProfile(Path collapsed, double seconds) throws java.io.IOException {
        System.out.printf(
                "  profile %s, CPU by thread over the job's %.1f s (100%% = one core all along):%n",
                collapsed, seconds);
        TaskManagerProfiler.byThread(collapsed, 14, seconds)
                .forEach(f -> System.out.println("    " + f));
        System.out.println("  profile " + collapsed + ", frames by inclusive share of samples:");
        TaskManagerProfiler.hottestFrames(
                        collapsed,
                        25,
                        List.of("io.eventml", "rocksdb", "RocksDB", "kafka", "Kryo", "jackson"))
                .forEach(f -> System.out.println("    " + f));
        System.out.println("  running (self) frames:");
        TaskManagerProfiler.selfFrames(collapsed, 15).forEach(f -> System.out.println("    " + f));
    }

    /** The name of the source whose records count as the job's input, by job. */
    private static final Map<String, String> SOURCE_OF =
            Map.of(
                    "flink-copy", "input",
                    "ingestion", "raw topics",
                    "features", "events.canonical",
                    "learning", "features.user");

    /**
     * How many records the job's input source has emitted so far, from the TaskManager's Prometheus
     * endpoint (the REST API's figures are up to 10 s old); 0 when unknown.
     */
    private static long sourceRecordsOut(String jobId, String source) {
        if (source == null) {
            return 0;
        }
        String wanted = "Source:_Kafka:_" + source.replaceAll("[^A-Za-z0-9]", "_");
        long sum = 0;
        try {
            java.net.http.HttpResponse<java.util.stream.Stream<String>> response =
                    java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    java.net.URI.create(
                                                            "http://127.0.0.1:9250/metrics"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofLines());
            for (String line : (Iterable<String>) response.body()::iterator) {
                if (line.startsWith("flink_taskmanager_job_task_operator_numRecordsOut{")
                        && line.contains("job_id=\"" + jobId + "\"")
                        && line.contains("operator_name=\"" + wanted + "\"")) {
                    sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (Exception e) {
            return 0; // no reporter: the steady rate is not known
        }
        return sum;
    }

    /**
     * The rate once the job is warm: from the first sample with a quarter of the input read to the
     * last sample. A short run spends much of its CPU compiling the job's code (a new class loader
     * per job); a job that runs for days does not.
     */
    private static double steadyRate(List<long[]> progress) {
        if (progress.size() < 3) {
            return Double.NaN;
        }
        long[] last = progress.get(progress.size() - 1);
        for (long[] sample : progress) {
            if (sample[1] >= last[1] / 4) {
                long millis = last[0] - sample[0];
                return millis < 3_000 ? Double.NaN : (last[1] - sample[1]) * 1000.0 / millis;
            }
        }
        return Double.NaN;
    }

    /** The input rate in each quarter of the run (by records read): does the job slow down? */
    private static void printQuarters(List<long[]> progress) {
        if (progress.size() < 5) {
            return;
        }
        long[] first = progress.get(0);
        long[] last = progress.get(progress.size() - 1);
        StringBuilder line = new StringBuilder("  input records/s by quarter of the run:");
        long[] from = first;
        for (int q = 1; q <= 4; q++) {
            long mark = first[1] + (last[1] - first[1]) * q / 4;
            for (long[] sample : progress) {
                if (sample[1] >= mark && sample[0] > from[0]) {
                    line.append(
                            String.format(
                                    " %,.0f",
                                    (sample[1] - from[1]) * 1000.0 / (sample[0] - from[0])));
                    from = sample;
                    break;
                }
            }
        }
        System.out.println(line);
    }

    /**
     * Reads every late-record counter of the job's operators, and their state caches' hits and
     * misses (they vanish once it finishes).
     */
    private void readLateCounters(String id, JsonNode job, Map<String, Long> late) {
        try {
            for (JsonNode vertex : job.path("vertices")) {
                String vid = vertex.path("id").asText();
                List<String> ids = new ArrayList<>();
                for (JsonNode m : flink.getJson("/jobs/" + id + "/vertices/" + vid + "/metrics")) {
                    String metric = m.path("id").asText();
                    if (metric.endsWith("lateEvents")
                            || metric.endsWith("lateViews")
                            || metric.endsWith(".late")
                            || metric.endsWith("stateCacheHits")
                            || metric.endsWith("stateCacheMisses")) {
                        ids.add(metric);
                    }
                }
                if (ids.isEmpty()) {
                    continue;
                }
                for (JsonNode m :
                        flink.getJson(
                                "/jobs/"
                                        + id
                                        + "/vertices/"
                                        + vid
                                        + "/metrics?get="
                                        + String.join(",", ids))) {
                    String metric = m.path("id").asText();
                    String key = metric.substring(metric.indexOf('.') + 1);
                    late.merge(key, m.path("value").asLong(), Math::max);
                }
            }
        } catch (Exception e) {
            // Metrics come and go while tasks start and finish; the next poll reads them again.
        }
    }

    private void report(String label, Result r) {
        StringBuilder late = new StringBuilder();
        Map<String, Long> byStage = new LinkedHashMap<>();
        r.late()
                .forEach(
                        (k, v) ->
                                byStage.merge(
                                        k.replaceAll("\\.eventml\\.", " ")
                                                .replaceAll("source\\.\\w+\\.", ""),
                                        v,
                                        Long::sum));
        byStage.forEach((k, v) -> late.append(", ").append(k).append(' ').append(v));
        Supplier<String> row =
                () ->
                        String.format(
                                "%-40s %,12d %8.1f %10.0f %6.2f %10.0f %6.2f %6.2f   %d checkpoints, %d ms avg, %d ms max; state %.1f MB (checkpointed %.1f MB)%s",
                                label,
                                r.records(),
                                r.seconds(),
                                r.records() / r.seconds(),
                                r.records() / r.seconds() / limit(),
                                r.steadyPerSecond(),
                                r.steadyPerSecond() / limit(),
                                r.steadyPerSecond() / flinkCopyRate(),
                                r.checkpoints(),
                                r.avgCheckpointMillis(),
                                r.maxCheckpointMillis(),
                                r.stateBytes() / 1e6,
                                r.checkpointedBytes() / 1e6,
                                late);
        rows.add(row);
        System.out.println(row.get());
    }

    /**
     * The warm rate of the Flink copy job with nothing between parse and sink (its first quarter is
     * mostly start and JIT); NaN before it ran or when its run was too short.
     */
    private double flinkCopyRate() {
        return flinkCopy == null ? Double.NaN : flinkCopy.steadyPerSecond();
    }

    /** The examples the trainer-stage run reads (the local environment runs in this JVM). */
    private static volatile List<TrainingExample> trainerExamples;

    private static volatile long firstExampleNanos;
    private static volatile long lastModelNanos;
    private static volatile long lastModelExamples;

    /**
     * The online trainer alone on local RocksDB, with checkpoints every 2 s (more often than in
     * production, so that its state is written as often), over the examples the learning job wrote,
     * five passes. The rate runs from the first example in to the last model version out, so the
     * job's start and end do not count.
     */
    private static double trainerOnRocksDb(String topic) throws Exception {
        List<TrainingExample> examples = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : drain(topic)) {
            examples.add(Topics.ML_TRAINING_EXAMPLES.valueCodec().decode(r.value()).value());
        }
        trainerExamples = examples;
        long passes = 5;
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        config.set(PipelineOptions.GENERIC_TYPES, false);
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        double best = 0;
        for (int round = 0; round < 2; round++) {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(1, config);
            env.enableCheckpointing(2_000);
            env.getConfig().enableObjectReuse();
            firstExampleNanos = 0;
            OnlineTrainer.apply(
                            env.fromSequence(0, passes * examples.size() - 1)
                                    .map(JobBenchmark::heldExample)
                                    .returns(TrainerInput.class)
                                    .keyBy(e -> "model"),
                            // Final examples learned, as before immediate feedback: the figure
                            // stays comparable (an early example costs the same to learn).
                            new OnlineTrainer(
                                    FtrlProximal.defaults(),
                                    1_000,
                                    Duration.ZERO,
                                    PromotionGate.Settings.defaults(),
                                    FeatureDrift.Settings.defaults(),
                                    Feedback.HORIZON,
                                    ModelRegistry.none()))
                    .map(JobBenchmark::stampModel)
                    .returns(Long.class)
                    .sinkTo(new DiscardingSink<>());
            env.execute("trainer stage");
            best = Math.max(best, lastModelExamples / ((lastModelNanos - firstExampleNanos) / 1e9));
        }
        System.out.printf(
                "  trainer stage: %,d examples, %,.0f examples/s%n",
                passes * examples.size(), best);
        return best;
    }

    private static TrainerInput heldExample(long i) {
        if (firstExampleNanos == 0) {
            firstExampleNanos = System.nanoTime();
        }
        List<TrainingExample> examples = trainerExamples;
        return TrainerInput.labelled(examples.get((int) (i % examples.size())));
    }

    private static Long stampModel(io.eventml.common.ml.ModelUpdate model) {
        lastModelNanos = System.nanoTime();
        lastModelExamples = model.examples();
        return model.examples();
    }

    private String[] rawTopics() {
        return Arrays.stream(EventSource.values())
                .map(s -> Topics.raw(s).name() + suffix)
                .toArray(String[]::new);
    }

    private long rawRecords() throws Exception {
        long total = 0;
        for (String t : rawTopics()) {
            total += records(t);
        }
        return total;
    }

    /** How many committed records a topic holds, counted without keeping them. */
    private static long records(String topic) throws Exception {
        long[] count = {0};
        read(topic, r -> count[0]++);
        return count[0];
    }

    /** Committed records of a topic: drained with read_committed (transaction markers skipped). */
    private static List<ConsumerRecord<byte[], byte[]>> drain(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        read(topic, out::add);
        return out;
    }

    /**
     * Hands every committed record of a topic, from its beginning to its end now, to {@code each}.
     */
    private static void read(
            String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(r);
                }
            }
        }
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
        return Admin.create(p);
    }
}
