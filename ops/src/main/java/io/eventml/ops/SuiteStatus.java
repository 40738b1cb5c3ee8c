package io.eventml.ops;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.ml.DriftAlarm;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.serde.Decoded;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.TopicTail;
import io.eventml.common.topic.Topics;

import org.apache.flink.connector.base.DeliveryGuarantee;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * How far the suite is: each job's consumer lag, committed records not yet consumed, the newest
 * model with its quality and drift alarms, and sinks that lost transactions.
 */
final class SuiteStatus {
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

    private SuiteStatus() {}

    /**
     * Says loudly which sinks of a running job lost Kafka transactions (docs/operations.md, "Lost
     * transactions"): those a sink could not commit while running, and those recovered from a
     * checkpoint and refused after the restore when the restore came later than the checkpoint
     * timeout after that checkpoint, or when that cannot be told (a restore from a savepoint of a
     * job Flink no longer lists, or that did not stop with it). A restore within the checkpoint
     * timeout is within the transaction timeout (the jobs check that the first is shorter at
     * start), so its refused commits were of transactions already committed; so were those of a
     * savepoint its job stopped with (a job stopping with a savepoint commits its transactions
     * before it finishes).
     */
    static void reportTransactions(FlinkRest flink, String jobId) throws IOException {
        flink.lostTransactions(jobId)
                .forEach(
                        (sink, count) ->
                                System.out.printf(
                                        "    DATA LOST: %,d Kafka transaction(s) of %s could not be"
                                                + " committed (aborted by the broker after the"
                                                + " transaction timeout); see docs/operations.md,"
                                                + " \"Lost transactions\"%n",
                                        count, sink));
        Map<String, Long> refused = flink.recoveredCommitsRefused(jobId);
        if (refused.isEmpty()) {
            return;
        }
        Optional<FlinkRest.Job> stopped = flink.stoppedWithRestoredSavepoint(jobId);
        if (stopped.isPresent()) {
            refused.forEach(
                    (sink, count) ->
                            System.out.printf(
                                    "    %,d recovered transaction(s) of %s were committed when job"
                                            + " %s stopped with the savepoint this job started"
                                            + " from: nothing lost%n",
                                    count, sink, stopped.get().id()));
            return;
        }
        Optional<Duration[]> delay = flink.restoreDelay(jobId);
        boolean safe = delay.isPresent() && delay.get()[0].compareTo(delay.get()[1]) < 0;
        refused.forEach(
                (sink, count) ->
                        System.out.printf(
                                safe
                                        ? "    %,d recovered transaction(s) of %s were committed"
                                                + " before the failure (the restore came %d s"
                                                + " after its checkpoint, within the checkpoint"
                                                + " timeout): nothing lost%n"
                                        : "    POSSIBLY LOST: %,d recovered Kafka transaction(s)"
                                                + " of %s were refused after a restore %s; lost if"
                                                + " that was longer than the transaction timeout:"
                                                + " see docs/operations.md, \"Lost transactions\"%n",
                                count,
                                sink,
                                safe
                                        ? delay.get()[0].toSeconds()
                                        : delay.isPresent()
                                                ? delay.get()[0].toSeconds()
                                                        + " s after its checkpoint"
                                                : "from a savepoint or an earlier job's"
                                                        + " checkpoint"));
    }

    static void status(Admin admin, String bootstrap, String suffix) throws Exception {
        System.out.println("Consumer lag (records behind the end of the input topics):");
        for (String group : new TreeSet<>(GROUPS.keySet())) {
            long[] lag = lag(admin, group, suffix);
            System.out.printf(
                    "  %-18s %,d%s%n",
                    group, lag[0], lag[1] == 0 ? " (no offsets committed yet)" : "");
        }
        ModelUpdate model = newestModel(bootstrap, Topics.ML_MODELS.name() + suffix);
        if (model == null) {
            System.out.println("Model: none published yet");
            return;
        }
        System.out.printf(
                "Model: %s version %d promoted, %,d examples learned%n",
                model.modelName(), model.version(), model.examples());
        KafkaOptions kafka =
                new KafkaOptions(
                        bootstrap,
                        "eventml-ops",
                        DeliveryGuarantee.EXACTLY_ONCE,
                        KafkaOptions.DEFAULT_TRANSACTION_TIMEOUT,
                        suffix);
        Duration timeout = Duration.ofSeconds(15);
        TopicTail.newest(kafka, Topics.ML_MODEL_PINS, model.modelName(), timeout)
                .filter(ModelPin::pinned)
                .ifPresent(
                        pin ->
                                System.out.printf(
                                        "  PINNED to version %d since %s: served instead of the"
                                                + " newest promoted until 'eventml.sh model"
                                                + " unpin'%n",
                                        pin.model().version(), Instant.ofEpochMilli(pin.at())));
        TopicTail.newest(kafka, Topics.ML_MODEL_DECISIONS, model.lineKey(), timeout)
                .ifPresent(
                        d ->
                                System.out.printf(
                                        "  promotion gate, newest decision: version %d %s: %s%n",
                                        d.version(), d.verdict(), d.reason()));
        List<ServedQuality> served =
                newestServedQuality(
                        bootstrap,
                        Topics.ML_SERVED_QUALITY.name() + suffix,
                        model.modelName(),
                        RECENT_OUTCOMES);
        printQuality(model, served);
        List<DriftAlarm> alarms = new ArrayList<>();
        for (byte[] value : lastRecords(bootstrap, Topics.ML_DRIFT.name() + suffix, 200)) {
            Decoded<DriftAlarm> d = Topics.ML_DRIFT.valueCodec().decode(value);
            if (d.isValid() && d.value().modelName().equals(model.modelName())) {
                alarms.add(d.value());
            }
        }
        driftLines(alarms, RECENT_ALARMS).forEach(System.out::println);
    }

    /** How many of the newest drift alarms status shows. */
    static final int RECENT_ALARMS = 5;

    /**
     * The newest {@code n} of a model's drift alarms ({@code ml.drift}), newest last, one line
     * each: when, which detector (and feature), its statistic against the threshold, the version
     * served.
     */
    static List<String> driftLines(List<DriftAlarm> alarms, int n) {
        List<String> lines = new ArrayList<>();
        if (alarms.isEmpty()) {
            lines.add("Drift: no alarm on ml.drift");
            return lines;
        }
        List<DriftAlarm> sorted = new ArrayList<>(alarms);
        sorted.sort(Comparator.comparingLong(DriftAlarm::detectedAt));
        List<DriftAlarm> newest = sorted.subList(Math.max(0, sorted.size() - n), sorted.size());
        lines.add(
                String.format(
                        "Drift: %,d alarm(s) among the last records of ml.drift, the newest %d:",
                        sorted.size(), newest.size()));
        for (DriftAlarm a : newest) {
            lines.add(
                    String.format(
                            "  %s  %s%s: %.3f >= %.3f, serving version %d (event time %s)",
                            Instant.ofEpochMilli(a.detectedAt()),
                            a.detector(),
                            a.feature() == null ? "" : " on " + a.feature(),
                            a.statistic(),
                            a.threshold(),
                            a.servingVersion(),
                            Instant.ofEpochMilli(a.labelTime())));
        }
        return lines;
    }

    /**
     * The gate's newest {@code n} decisions on {@code model}, oldest first: version, verdict, the
     * figures and the reason.
     */
    static void printDecisions(String bootstrap, String suffix, String model, int n) {
        List<ModelDecision> decisions = new ArrayList<>();
        for (byte[] value :
                lastRecords(bootstrap, Topics.ML_MODEL_DECISIONS.name() + suffix, 4 * n + 100)) {
            Decoded<ModelDecision> d = Topics.ML_MODEL_DECISIONS.valueCodec().decode(value);
            if (d.isValid() && d.value().modelName().equals(model)) {
                decisions.add(d.value());
            }
        }
        System.out.printf(
                "%8s  %-8s  %8s  %9s  %9s  %9s  %s%n",
                "version", "verdict", "holdout", "log loss", "serving", "base", "reason");
        for (ModelDecision d :
                decisions.subList(Math.max(0, decisions.size() - n), decisions.size())) {
            System.out.printf(
                    "%8d  %-8s  %8d  %9.4f  %9s  %9.4f  %s%n",
                    d.version(),
                    d.verdict(),
                    d.holdoutExamples(),
                    d.candidateLogLoss(),
                    d.servingVersion() == 0 ? "-" : String.format("%.4f", d.servingLogLoss()),
                    d.baseLogLoss(),
                    d.reason());
        }
    }

    /** About what the trainer's progressive figures cover. */
    static final long RECENT_OUTCOMES = 10_000;

    /**
     * The trainer's progressive quality (each example scored just before it was learned) next to
     * the served one (what the scorer predicted at the time, once the label was known): the second
     * is what users got.
     */
    static void printQuality(ModelUpdate model, List<ServedQuality> served) {
        ServedQuality all = ServedQuality.sum(model.modelName(), served);
        String versions =
                served.isEmpty()
                        ? "none labelled yet"
                        : served.size() == 1
                                ? "version " + served.get(0).version()
                                : "versions "
                                        + served.get(served.size() - 1).version()
                                        + ".."
                                        + served.get(0).version();
        System.out.println("Quality:");
        System.out.printf(
                "  %-20s %-22s %s%n",
                "",
                "progressive (trainer)",
                String.format("served (%,d labelled predictions, %s)", all.outcomes(), versions));
        row("log loss", model.logLoss(), all.logLoss(), "%.4f");
        row(
                "base-rate log loss",
                ServedQuality.baseRateLogLoss(model.positiveRate()),
                all.baseRateLogLoss(),
                "%.4f");
        row("AUC", model.auc(), all.auc(), "%.3f");
        row("positive rate", model.positiveRate(), all.positiveRate(), "%.3f");
        row("mean predicted", Double.NaN, all.meanPredicted(), "%.3f");
        if (all.outcomes() > 0) {
            System.out.println(
                    "  served calibration (mean predicted / observed rate, predictions):");
            for (ServedQuality.Calibration c : all.calibration(ServedQuality.CALIBRATION_EDGES)) {
                System.out.printf(
                        "    p in [%.2f, %.2f)  %s / %s  (%,d)%n",
                        c.from(),
                        c.to(),
                        format("%.3f", c.meanPredicted()),
                        format("%.3f", c.observedRate()),
                        c.count());
            }
        }
    }

    private static void row(String name, double progressive, double served, String format) {
        System.out.printf(
                "  %-20s %-22s %s%n", name, format(format, progressive), format(format, served));
    }

    private static String format(String format, double value) {
        return Double.isNaN(value) ? "-" : String.format(format, value);
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

    /** Properties of a read_committed byte-array consumer that commits nothing. */
    static Properties consumerProperties(String bootstrap) {
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
        ModelUpdate newest = null;
        // Transaction markers take offsets too: look back a little and keep the last.
        for (byte[] value : lastRecords(bootstrap, topic, 20)) {
            Decoded<ModelUpdate> d = Topics.ML_MODELS.valueCodec().decode(value);
            if (d.isValid() && (newest == null || d.value().version() > newest.version())) {
                newest = d.value();
            }
        }
        return newest;
    }

    /**
     * The served quality of the newest versions that together have at least {@code outcomes}
     * labelled predictions (or all there are), each version's newest record, newest version first.
     */
    static List<ServedQuality> newestServedQuality(
            String bootstrap, String topic, String model, long outcomes) {
        Map<Long, ServedQuality> byVersion = new TreeMap<>(Comparator.reverseOrder());
        for (byte[] value : lastRecords(bootstrap, topic, 2_000)) {
            Decoded<ServedQuality> d = Topics.ML_SERVED_QUALITY.valueCodec().decode(value);
            if (d.isValid() && d.value().modelName().equals(model)) {
                byVersion.put(d.value().version(), d.value());
            }
        }
        List<ServedQuality> newest = new ArrayList<>();
        long n = 0;
        for (ServedQuality q : byVersion.values()) {
            if (n >= outcomes) {
                break;
            }
            newest.add(q);
            n += q.outcomes();
        }
        return newest;
    }

    /** The values of the last committed records of a topic: at most {@code lookBack} offsets. */
    private static List<byte[]> lastRecords(String bootstrap, String topic, int lookBack) {
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerProperties(bootstrap))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(15))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, Math.max(0, ends.get(tp) - lookBack));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
