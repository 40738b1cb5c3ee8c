package io.eventml.common.ops;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.serde.Decoded;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the deployment scripts ask of Kafka and Flink, in the terms of the topic registry and the
 * suite's jobs. Commands:
 *
 * <ul>
 *   <li>{@code create-topics}: creates every registry topic that is missing, with its partitions
 *       and cleanup policy;
 *   <li>{@code submit --job J --jar PATH}: uploads and runs a job's jar unless the job already
 *       runs;
 *   <li>{@code upgrade --job J --jar NEW --old-jar OLD [--allow-non-restored-state true]}: stops
 *       the job with a savepoint and runs the new jar from it; if Flink refuses because state would
 *       be dropped, runs the old jar again from the same savepoint and fails with the reason;
 *   <li>{@code status}: the jobs, each job's consumer lag and the newest model on {@code
 *       ml.models}.
 * </ul>
 *
 * <p>{@code java -cp <flink lib>/*:<a job jar> io.eventml.common.ops.SuiteAdmin status}
 */
public final class SuiteAdmin {
    /** A job of the suite as deployed on a session cluster. */
    record SuiteJob(String name, String namePrefix, int parallelism, List<String> args) {}

    /** The jobs, in pipeline order, by the name their {@code main} gives them. */
    static final Map<String, String> JOB_NAMES =
            new java.util.LinkedHashMap<>(
                    Map.of(
                            "generator", "EventML generator",
                            "ingestion", "EventML ingestion",
                            "features", "EventML features",
                            "learning", "EventML learning"));

    /** The consumer groups of the jobs, and the topics each reads. */
    static final Map<String, List<Topic<?, ?>>> GROUPS =
            Map.of(
                    "eventml-ingestion",
                    List.of(
                            Topics.RAW_CLICKSTREAM,
                            Topics.RAW_ORDERS,
                            Topics.RAW_LOYALTY,
                            Topics.RAW_SOCIAL,
                            Topics.RAW_SENSORS),
                    "eventml-features",
                    List.of(Topics.EVENTS_CANONICAL),
                    "eventml-learning",
                    List.of(Topics.FEATURES_USER, Topics.EVENTS_CANONICAL));

    private static final List<String> COMMANDS =
            List.of(
                    "create-topics",
                    "submit",
                    "stop",
                    "upgrade",
                    "status",
                    "wait-taskmanager",
                    "await-no-taskmanager",
                    "await-caught-up",
                    "await-running");

    private SuiteAdmin() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            System.err.println(
                    "usage: SuiteAdmin " + String.join("|", COMMANDS) + " [--name value ...]");
            System.exit(2);
        }
        String command = args[0];
        JobArgs a = JobArgs.parse(command, java.util.Arrays.copyOfRange(args, 1, args.length));
        try {
            run(command, a);
        } catch (JobArgs.InvalidArgumentsException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        } catch (java.io.IOException e) {
            // A refused REST call: Flink's reason is the last "Caused by" of the stack trace it
            // sends.
            String message = e.getMessage().replace("\\n", "\n").replace("\\t", "\t");
            int cause = message.lastIndexOf("Caused by: ");
            System.err.println(
                    "error: "
                            + (cause < 0
                                    ? message
                                    : message.substring(
                                            cause,
                                            message.indexOf('\n', cause) < 0
                                                    ? message.length()
                                                    : message.indexOf('\n', cause))));
            System.exit(1);
        }
    }

    private static void run(String command, JobArgs a) throws Exception {
        String bootstrap =
                a.string(
                        "bootstrap-servers",
                        KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS,
                        "Kafka bootstrap servers");
        String rest = a.string("rest", "http://127.0.0.1:8081", "Flink REST address");
        switch (command) {
            case "create-topics" -> {
                short replication =
                        (short)
                                a.intValue(
                                        "replication-factor", 1, 1, 32, "replicas of new topics");
                a.finish();
                try (Admin admin = admin(bootstrap)) {
                    createTopics(admin, replication, "");
                }
            }
            case "submit" -> {
                SuiteJob job = job(a);
                Path jar = Path.of(a.requiredString("jar", "the job's jar"));
                String savepoint =
                        a.string("savepoint", "-", "resume from this savepoint ('-': start anew)");
                a.finish();
                submit(new FlinkRest(rest), job, jar, savepoint.equals("-") ? null : savepoint);
            }
            case "stop" -> {
                SuiteJob job = job(a);
                a.finish();
                // Prints only the savepoint's path (scripts keep it), or nothing if the job is not
                // running.
                FlinkRest flink = new FlinkRest(rest);
                var running = flink.activeJob(job.namePrefix());
                if (running.isPresent()) {
                    System.out.println(
                            flink.stopWithSavepoint(running.get().id(), Duration.ofMinutes(5)));
                }
            }
            case "upgrade" -> {
                SuiteJob job = job(a);
                Path jar = Path.of(a.requiredString("jar", "the new jar"));
                Path oldJar = Path.of(a.requiredString("old-jar", "the jar that runs now"));
                boolean allow =
                        a.flag(
                                "allow-non-restored-state",
                                false,
                                "drop the state of operators the new jar no longer has");
                a.finish();
                upgrade(new FlinkRest(rest), job, jar, oldJar, allow);
            }
            case "wait-taskmanager" -> {
                a.finish();
                // Exit code 0 once a TaskManager is registered (scripts poll this).
                if (new FlinkRest(rest).taskManagers()[0] < 1) {
                    System.exit(1);
                }
            }
            case "await-no-taskmanager" -> {
                a.finish();
                // Exit code 0 once the JobManager has no TaskManager (it noticed a lost one).
                if (new FlinkRest(rest).taskManagers()[0] > 0) {
                    System.exit(1);
                }
            }
            case "await-caught-up" -> {
                a.finish();
                // Exit code 0 when every job has committed offsets past the last committed record
                // of its input. Offsets alone cannot tell: the inputs are written in transactions,
                // and commit and abort markers take offsets that no consumer commits past.
                try (Admin admin = admin(bootstrap)) {
                    for (String group : GROUPS.keySet()) {
                        if (recordsBehind(admin, bootstrap, group) > 0) {
                            System.exit(1);
                        }
                    }
                }
            }
            case "await-running" -> {
                a.finish();
                // Exit code 0 when every job of the suite runs with all its tasks.
                FlinkRest flink = new FlinkRest(rest);
                for (String prefix : JOB_NAMES.values()) {
                    var active = flink.activeJob(prefix);
                    if (active.isEmpty() || !flink.fullyRunning(active.get().id())) {
                        System.exit(1);
                    }
                }
            }
            default -> {
                a.finish();
                FlinkRest flink = new FlinkRest(rest);
                System.out.println("Jobs (" + rest + "):");
                for (FlinkRest.Job j : flink.jobs()) {
                    System.out.printf("  %-10s %-36s %s%n", j.state(), j.name(), j.id());
                    if (j.state().equals("RUNNING")) {
                        reportFailedCommits(flink.failedCommits(j.id()));
                    }
                }
                try (Admin admin = admin(bootstrap)) {
                    status(admin, bootstrap, "");
                }
            }
        }
    }

    /** The job named by {@code --job}, run with {@code --parallelism} and {@code --args}. */
    private static SuiteJob job(JobArgs a) {
        String name = a.choice("job", null, List.copyOf(JOB_NAMES.keySet()), "the job");
        if (name == null) {
            throw new JobArgs.InvalidArgumentsException(
                    "--job is required: one of " + JOB_NAMES.keySet());
        }
        int parallelism =
                a.intValue("parallelism", 0, 0, 32_768, "the job's parallelism (0: the cluster's)");
        String args = a.string("args", "-", "the job's arguments, separated by spaces ('-': none)");
        return new SuiteJob(
                name,
                JOB_NAMES.get(name),
                parallelism,
                args.equals("-") ? List.of() : List.of(args.trim().split("\\s+")));
    }

    private static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return Admin.create(props);
    }

    static void submit(FlinkRest flink, SuiteJob job, Path jar, String savepoint) throws Exception {
        var running = flink.activeJob(job.namePrefix());
        if (running.isPresent()) {
            System.out.printf(
                    "  %-10s already %s (%s)%n",
                    job.name(), running.get().state(), running.get().id());
            return;
        }
        String id = flink.run(flink.upload(jar), job.args(), job.parallelism(), savepoint, false);
        System.out.printf(
                "  %-10s submitted %s as %s%s%n",
                job.name(),
                jar.getFileName(),
                id,
                savepoint == null ? "" : ", resuming from " + savepoint);
    }

    static void upgrade(FlinkRest flink, SuiteJob job, Path jar, Path oldJar, boolean allow)
            throws Exception {
        FlinkRest.Job running =
                flink.activeJob(job.namePrefix())
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "no running job named '"
                                                        + job.namePrefix()
                                                        + "...': nothing to upgrade"));
        System.out.printf("Stopping %s (%s) with a savepoint...%n", running.name(), running.id());
        String savepoint = flink.stopWithSavepoint(running.id(), Duration.ofMinutes(5));
        System.out.println("Savepoint: " + savepoint);
        String id = flink.run(flink.upload(jar), job.args(), job.parallelism(), savepoint, allow);
        System.out.printf(
                "Started %s from the savepoint as %s; waiting until it runs...%n",
                jar.getFileName(), id);
        String outcome = awaitRunning(flink, id, Duration.ofMinutes(3));
        if (outcome == null) {
            System.out.println(
                    "Upgraded: " + job.name() + " runs " + jar.getFileName() + " (" + id + ")");
            System.out.println("Savepoint: " + savepoint);
            return;
        }
        // Refused (state of an operator the new jar lacks, or state it cannot read). Cancel the
        // new job, which may be restarting in a loop, and put the old jar back.
        flink.cancel(id, Duration.ofMinutes(1));
        String rollback =
                flink.run(flink.upload(oldJar), job.args(), job.parallelism(), savepoint, false);
        String rolledBack = awaitRunning(flink, rollback, Duration.ofMinutes(3));
        String reason =
                outcome.contains("Cannot map checkpoint/savepoint state")
                        ? "the new jar has no operator for some of the savepoint's state, which"
                                + " would be dropped. Keep the operator's uid, or pass"
                                + " --allow-non-restored-state if dropping it is intended."
                        : outcome.contains("StateMigrationException")
                                        || outcome.contains("incompatible")
                                ? "the new jar cannot read the savepoint's state (a state type"
                                        + " changed incompatibly): "
                                        + outcome
                                : outcome;
        throw new IllegalStateException(
                "upgrade of "
                        + job.name()
                        + " refused: "
                        + reason
                        + (rolledBack == null
                                ? "\nThe previous jar runs again from the savepoint ("
                                        + rollback
                                        + ")."
                                : "\nRunning the previous jar again failed too: " + rolledBack)
                        + "\nSavepoint: "
                        + savepoint);
    }

    /** Null when the job runs; otherwise why it does not. */
    private static String awaitRunning(FlinkRest flink, String id, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String state = flink.state(id);
            if (List.of("FAILED", "FAILING", "RESTARTING", "CANCELED").contains(state)) {
                String cause = flink.rootException(id);
                return "job " + id + " is " + state + ": " + firstLines(cause, 3);
            }
            if (flink.fullyRunning(id)) {
                return null;
            }
            Thread.sleep(500);
        }
        return "job " + id + " did not run within " + timeout;
    }

    private static String firstLines(String text, int n) {
        String[] lines = text.split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(n, lines.length); i++) {
            out.append(i == 0 ? "" : "\n").append(lines[i]);
        }
        // The reason is deeper in the trace: keep the innermost cause.
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("Caused by: ")) {
                out.append("\n").append(lines[i].trim());
                break;
            }
        }
        return out.toString();
    }

    public static void createTopics(Admin admin, short replication, String suffix)
            throws Exception {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (Topic<?, ?> t : Topics.all()) {
            String name = t.name() + suffix;
            if (existing.contains(name)) {
                System.out.printf("  %-22s exists%n", name);
            } else {
                missing.add(
                        new NewTopic(name, t.partitions(), replication)
                                .configs(
                                        Map.of("cleanup.policy", t.cleanupPolicy().configValue())));
                System.out.printf(
                        "  %-22s created: %d partition(s), %s%n",
                        name, t.partitions(), t.cleanupPolicy().configValue());
            }
        }
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * Says loudly which sinks of a job could not commit Kafka transactions: their records are lost
     * (docs/operations.md, "Lost transactions").
     */
    static void reportFailedCommits(Map<String, Long> failed) {
        failed.forEach(
                (sink, count) ->
                        System.out.printf(
                                "    DATA LOST: %,d Kafka transaction(s) of %s could not be committed"
                                        + " (aborted by the broker after the transaction timeout);"
                                        + " see docs/operations.md, \"Lost transactions\"%n",
                                count, sink));
    }

    static void status(Admin admin, String bootstrap, String suffix) throws Exception {
        System.out.println("Consumer lag (records behind the end of the input topics):");
        for (String group : new java.util.TreeSet<>(GROUPS.keySet())) {
            long[] lag = lag(admin, group, suffix);
            System.out.printf(
                    "  %-18s %,d%s%n",
                    group, lag[0], lag[1] == 0 ? " (no offsets committed yet)" : "");
        }
        ModelUpdate model = newestModel(bootstrap, Topics.ML_MODELS.name() + suffix);
        if (model == null) {
            System.out.println("Model: none published yet");
        } else {
            System.out.printf(
                    "Model: %s version %d, %,d examples, log loss %.4f, AUC %.3f, positive rate"
                            + " %.3f (over the last examples, each scored before it was learned)%n",
                    model.modelName(),
                    model.version(),
                    model.examples(),
                    model.logLoss(),
                    model.auc(),
                    model.positiveRate());
        }
    }

    /** A group's lag (offsets behind the ends of its topics) and how many offsets it committed. */
    static long[] lag(Admin admin, String group, String suffix) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (Topic<?, ?> t : GROUPS.get(group)) {
            for (int p = 0; p < t.partitions(); p++) {
                request.put(new TopicPartition(t.name() + suffix, p), OffsetSpec.latest());
            }
        }
        long lag = 0;
        for (var end : admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata c = committed.get(end.getKey());
            lag += Math.max(0, end.getValue().offset() - (c == null ? 0 : c.offset()));
        }
        return new long[] {lag, committed.size()};
    }

    /** The committed records of a group's topics after its committed offsets. */
    static long recordsBehind(Admin admin, String bootstrap, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic<?, ?> t : GROUPS.get(group)) {
            for (int p = 0; p < t.partitions(); p++) {
                partitions.add(new TopicPartition(t.name(), p));
            }
        }
        long behind = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerProperties(bootstrap))) {
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                consumer.seek(tp, c == null ? 0 : c.offset());
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                behind += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return behind;
    }

    private static Properties consumerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    /** The last committed record of the models topic, decoded; null when there is none. */
    static ModelUpdate newestModel(String bootstrap, String topic) {
        Properties props = consumerProperties(bootstrap);
        ModelUpdate newest = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(15))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                long end = ends.get(tp);
                if (end == 0) {
                    continue;
                }
                // Transaction markers take offsets too: look back a little and keep the last.
                consumer.seek(tp, Math.max(0, end - 20));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Decoded<ModelUpdate> d = Topics.ML_MODELS.valueCodec().decode(r.value());
                    if (d.isValid() && (newest == null || d.value().version() > newest.version())) {
                        newest = d.value();
                    }
                }
            }
        }
        return newest;
    }
}
