package io.eventml.ops;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelLines;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.Prediction;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.raw.ClickstreamEvent;
import io.eventml.common.serde.Decoded;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * End-to-end checks of a running suite, read from its topics with {@code read_committed} consumers,
 * for {@code deploy/local/e2e.sh}. Each prints a table row and the process exits 1 if one fails.
 *
 * <ul>
 *   <li>{@code outputs}: no duplicates and no gaps on {@code events.canonical} (against the raw
 *       clickstream: every readable hit became a canonical event, every unreadable one a dead
 *       letter), {@code features.user} (one vector per view, up to the watermark's tail), {@code
 *       ml.predictions} (after a partition's first prediction, every later vector predicted), and
 *       the learning topics (examples once each; candidates decided once each in version order;
 *       {@code ml.models} the promoted ones, the newest last; no prediction by another version).
 *   <li>{@code feature-state --since MS}: vectors of views after {@code MS} whose user viewed
 *       before {@code MS} all count those earlier views: the feature job's state carried over.
 *   <li>{@code rescan --horizon D}: every vector on {@code features.user} equals, in all its
 *       positions, the {@link FeatureRescan} of its view over {@code events.canonical}, and every
 *       example on {@code ml.training-examples} has the label a re-scan of the purchases gives
 *       (bought within {@code [view, view + D]}), and {@code ml.served-quality} counts what a plain
 *       join of predictions and examples gives.
 *   <li>{@code pinned --version V --pinned-at MS --unpinned-at MS}: every prediction scored while
 *       the model was pinned to V (from {@link #PIN_SLACK_MS} after the pin to the unpin) was made
 *       by V although newer versions were promoted meanwhile, and none scored after the unpin (plus
 *       the slack) was.
 *   <li>{@code latency --seconds N}: for N seconds, the time from each record's event time to the
 *       moment a {@code read_committed} consumer receives it, on {@code events.canonical}, {@code
 *       features.user} and {@code ml.predictions} (a prediction's event time is its view's): p50,
 *       p99 and the maximum per hop. The generator at a throttled {@code --rate} writes events at
 *       their event time, so this is the delay a downstream consumer sees from the event on.
 * </ul>
 */
public final class SuiteCheck {
    private final String bootstrap;
    private final List<String[]> rows = new ArrayList<>();

    private SuiteCheck(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0
                || !List.of("outputs", "feature-state", "rescan", "pinned", "latency")
                        .contains(args[0])) {
            System.err.println(
                    "usage: SuiteCheck outputs|feature-state|rescan|pinned|latency [--since"
                            + " EPOCH_MS] [--horizon DURATION] [--seconds N] [--version V"
                            + " --pinned-at MS --unpinned-at MS]");
            System.exit(2);
        }
        JobArgs a = JobArgs.parse(args[0], java.util.Arrays.copyOfRange(args, 1, args.length));
        String bootstrap =
                a.string("bootstrap-servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS, "Kafka");
        long since = a.longValue("since", 0, 0, Long.MAX_VALUE, "epoch ms of the upgrade");
        String label = a.string("label", args[0], "the name of this round of checks");
        Duration horizon =
                a.duration(
                        "horizon",
                        Duration.ofMinutes(30),
                        Duration.ofSeconds(1),
                        "the learning job's label horizon");
        long seconds = a.longValue("seconds", 120, 10, 3_600, "how long to measure latency");
        long version = a.longValue("version", 0, 0, Long.MAX_VALUE, "the version pinned");
        long pinnedAt = a.longValue("pinned-at", 0, 0, Long.MAX_VALUE, "epoch ms of the pin");
        long unpinnedAt = a.longValue("unpinned-at", 0, 0, Long.MAX_VALUE, "epoch ms of the unpin");
        a.finish();
        SuiteCheck check = new SuiteCheck(bootstrap);
        switch (args[0]) {
            case "outputs" -> check.outputs(label);
            case "rescan" -> check.rescan(label, horizon.toMillis());
            case "latency" -> check.latency(seconds);
            case "pinned" -> check.pinned(label, version, pinnedAt, unpinnedAt);
            default -> check.featureState(label, since);
        }
        boolean ok = true;
        for (String[] row : check.rows) {
            System.out.printf("| %-44s | %-52s | %s |%n", row[0], row[1], row[2]);
            ok &= row[2].equals("ok");
        }
        System.exit(ok ? 0 : 1);
    }

    private void row(String check, String found, boolean ok) {
        rows.add(new String[] {check, found, ok ? "ok" : "FAILED"});
    }

    void outputs(String label) {
        // Canonical events against the raw clickstream.
        List<ConsumerRecord<byte[], byte[]>> raw = read(Topics.RAW_CLICKSTREAM.name());
        List<CanonicalEvent> canonical = decode(Topics.EVENTS_CANONICAL);
        List<DeadLetter> dead = decode(Topics.EVENTS_DLQ);
        Set<String> canonicalIds = new HashSet<>();
        long canonicalDuplicates = 0;
        for (CanonicalEvent e : canonical) {
            canonicalDuplicates += canonicalIds.add(e.eventId()) ? 0 : 1;
        }
        Set<String> deadOrigins =
                dead.stream()
                        .map(
                                d ->
                                        d.originTopic()
                                                + "/"
                                                + d.originPartition()
                                                + "@"
                                                + d.originOffset())
                        .collect(Collectors.toSet());
        long clicks = 0;
        long missing = 0;
        for (ConsumerRecord<byte[], byte[]> r : raw) {
            Decoded<ClickstreamEvent> d = Topics.RAW_CLICKSTREAM.valueCodec().decode(r.value());
            boolean found =
                    d.isValid()
                            ? canonicalIds.contains("clickstream:" + d.value().eventId())
                            : deadOrigins.contains(
                                    r.topic() + "/" + r.partition() + "@" + r.offset());
            clicks++;
            missing += found ? 0 : 1;
        }
        row(
                label + ": events.canonical",
                String.format(
                        "%,d events, %,d duplicates; %,d of %,d clicks missing",
                        canonical.size(), canonicalDuplicates, missing, clicks),
                canonicalDuplicates == 0 && missing == 0 && clicks > 0);

        // Feature vectors: one per view, up to a minute before the newest event (the watermark's
        // tail is still held).
        long newest = canonical.stream().mapToLong(CanonicalEvent::eventTime).max().orElse(0);
        long cutoff = newest - TimeUnit.MINUTES.toMillis(1);
        List<ConsumerRecord<byte[], byte[]>> vectorRecords = read(Topics.FEATURES_USER.name());
        Map<String, FeatureVector> vectors = new HashMap<>();
        long vectorDuplicates = 0;
        for (ConsumerRecord<byte[], byte[]> r : vectorRecords) {
            FeatureVector v = Topics.FEATURES_USER.valueCodec().decode(r.value()).value();
            vectorDuplicates += vectors.put(v.eventId(), v) == null ? 0 : 1;
        }
        long viewsMissing =
                canonical.stream()
                        .filter(e -> e.type() == EventType.PRODUCT_VIEW && e.eventTime() < cutoff)
                        .filter(e -> !vectors.containsKey(e.eventId()))
                        .count();
        long strays = vectors.keySet().stream().filter(id -> !canonicalIds.contains(id)).count();
        row(
                label + ": features.user",
                String.format(
                        "%,d vectors, %,d duplicates, %,d views missing, %,d unknown",
                        vectors.size(), vectorDuplicates, viewsMissing, strays),
                vectorDuplicates == 0 && viewsMissing == 0 && strays == 0 && !vectors.isEmpty());

        // Predictions: once each; in each partition, every vector after the first predicted one.
        List<Prediction> predictions = decode(Topics.ML_PREDICTIONS);
        Set<String> predicted = new HashSet<>();
        long predictionDuplicates = 0;
        for (Prediction p : predictions) {
            predictionDuplicates += predicted.add(p.eventId()) ? 0 : 1;
        }
        Map<Integer, Boolean> started = new HashMap<>();
        long unpredicted = 0;
        for (ConsumerRecord<byte[], byte[]> r : vectorRecords) {
            FeatureVector v = Topics.FEATURES_USER.valueCodec().decode(r.value()).value();
            boolean has = predicted.contains(v.eventId());
            if (has) {
                started.put(r.partition(), true);
            } else if (started.getOrDefault(r.partition(), false)) {
                unpredicted++;
            }
        }
        row(
                label + ": ml.predictions",
                String.format(
                        "%,d predictions, %,d duplicates, %,d vectors skipped",
                        predictions.size(), predictionDuplicates, unpredicted),
                predictionDuplicates == 0 && unpredicted == 0 && !predictions.isEmpty());

        // Learning: examples once each; candidates decided once each in version order; ml.models
        // the promoted ones in order (compaction may have removed older ones), the newest last;
        // every prediction by a promoted version.
        List<TrainingExample> examples = decode(Topics.ML_TRAINING_EXAMPLES);
        long exampleDuplicates =
                examples.size()
                        - examples.stream().map(e -> e.features().eventId()).distinct().count();
        List<ModelDecision> decisions = decode(Topics.ML_MODEL_DECISIONS);
        Map<String, List<ModelDecision>> decisionsByLine =
                decisions.stream().collect(Collectors.groupingBy(d -> d.model().lineKey()));
        Map<String, List<ModelUpdate>> servedByLine =
                decode(Topics.ML_MODELS).stream()
                        .collect(Collectors.groupingBy(ModelUpdate::lineKey));
        // Each line of a model (one per feature spec) numbers its own versions.
        boolean contiguous = true;
        boolean servedArePromoted = !decisionsByLine.isEmpty();
        Set<Long> promotedSet = new HashSet<>();
        for (Map.Entry<String, List<ModelDecision>> line : decisionsByLine.entrySet()) {
            List<ModelDecision> decided = line.getValue();
            for (int i = 0; i < decided.size(); i++) {
                contiguous &= decided.get(i).version() == decided.get(0).version() + i;
            }
            List<Long> promoted =
                    decided.stream()
                            .filter(ModelDecision::promoted)
                            .map(ModelDecision::version)
                            .collect(Collectors.toList());
            promotedSet.addAll(promoted);
            List<Long> served =
                    servedByLine.getOrDefault(line.getKey(), List.of()).stream()
                            .map(ModelUpdate::version)
                            .collect(Collectors.toList());
            servedArePromoted &=
                    promoted.containsAll(served)
                            && served.equals(served.stream().sorted().distinct().toList())
                            && served.isEmpty() == promoted.isEmpty()
                            && (served.isEmpty()
                                    || served.get(served.size() - 1)
                                            .equals(promoted.get(promoted.size() - 1)));
        }
        servedArePromoted &= !promotedSet.isEmpty();
        long byUnpromoted =
                predictions.stream().filter(p -> !promotedSet.contains(p.modelVersion())).count();
        row(
                label + ": ml.training-examples, ml.model-decisions, ml.models",
                String.format(
                        "%,d examples, %,d duplicates; %,d candidates%s, %d promoted;"
                                + " ml.models %s; %,d predictions by versions not promoted",
                        examples.size(),
                        exampleDuplicates,
                        decisions.size(),
                        contiguous ? " decided once each in order" : " with gaps or repeats",
                        promotedSet.size(),
                        servedArePromoted
                                ? "holds promoted versions only, the newest last"
                                : "does NOT hold the promoted versions in order",
                        byUnpromoted),
                exampleDuplicates == 0 && contiguous && servedArePromoted && byUnpromoted == 0);
    }

    /**
     * How long a pin may take from {@code ml.model-pins} to the scorers: a source poll and a hop.
     */
    static final long PIN_SLACK_MS = 10_000;

    void pinned(String label, long version, long pinnedAt, long unpinnedAt) {
        List<Prediction> predictions = decode(Topics.ML_PREDICTIONS);
        long during = 0;
        long duringByOthers = 0;
        long after = 0;
        long afterByPinned = 0;
        // A pin holds for its own feature spec's line: another spec's vectors are not served by it.
        int spec = ModelLines.specOf(version);
        for (Prediction p : predictions) {
            if (ModelLines.specOf(p.modelVersion()) != spec) {
                continue;
            }
            if (p.scoringTime() > pinnedAt + PIN_SLACK_MS && p.scoringTime() < unpinnedAt) {
                during++;
                duringByOthers += p.modelVersion() == version ? 0 : 1;
            } else if (p.scoringTime() > unpinnedAt + PIN_SLACK_MS) {
                after++;
                afterByPinned += p.modelVersion() == version ? 1 : 0;
            }
        }
        long promotedMeanwhile =
                decode(Topics.ML_MODEL_DECISIONS).stream()
                        .filter(
                                d ->
                                        d.promoted()
                                                && ModelLines.specOf(d.version()) == spec
                                                && d.version() > version
                                                && d.decidedAt() > pinnedAt
                                                && d.decidedAt() < unpinnedAt)
                        .count();
        row(
                label + ": pinned v" + version,
                String.format(
                        "%,d scored pinned, %,d not by v%d; %d newer promoted meanwhile",
                        during, duringByOthers, version, promotedMeanwhile),
                during > 0 && duringByOthers == 0 && promotedMeanwhile > 0);
        row(
                label + ": unpinned",
                String.format(
                        "%,d scored after, %,d of them by v%d", after, afterByPinned, version),
                after > 0 && afterByPinned == 0);
    }

    void featureState(String label, long since) {
        List<CanonicalEvent> canonical = decode(Topics.EVENTS_CANONICAL);
        Map<String, Long> firstView = new HashMap<>();
        for (CanonicalEvent e : canonical) {
            if (e.type() == EventType.PRODUCT_VIEW && e.eventTime() < since - 60_000) {
                firstView.merge(e.userId(), e.eventTime(), Math::min);
            }
        }
        long checked = 0;
        long forgotten = 0;
        for (FeatureVector v : decode(Topics.FEATURES_USER)) {
            Long before = firstView.get(v.userId());
            // A view after the upgrade whose user viewed within the previous 24 hours, before it.
            if (v.eventTime() >= since
                    && before != null
                    && v.eventTime() - before < TimeUnit.HOURS.toMillis(23)) {
                checked++;
                forgotten += v.values().get(FeatureSpec.USER_VIEWS_24H) > 0 ? 0 : 1;
            }
        }
        row(
                label,
                String.format(
                        "%,d vectors after it of users seen before, %,d forgot them",
                        checked, forgotten),
                checked > 0 && forgotten == 0);
    }

    private <T> List<T> decode(Topic<String, T> topic) {
        List<T> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : read(topic.name())) {
            Decoded<T> d = topic.valueCodec().decode(r.value());
            if (!d.isValid()) {
                throw new IllegalStateException(
                        topic.name() + " holds an unreadable record: " + d.error().message());
            }
            values.add(d.value());
        }
        return values;
    }

    /** Every vector and every label against a plain re-scan of the canonical events. */
    void rescan(String label, long horizonMillis) {
        List<CanonicalEvent> canonical = decode(Topics.EVENTS_CANONICAL);
        Map<String, CanonicalEvent> views = new HashMap<>();
        Map<String, List<Long>> purchases = new HashMap<>();
        for (CanonicalEvent e : canonical) {
            if (e.type() == EventType.PRODUCT_VIEW) {
                views.put(e.eventId(), e);
            } else if (e.type() == EventType.PURCHASE) {
                purchases
                        .computeIfAbsent(e.userId() + "|" + e.itemId(), k -> new ArrayList<>())
                        .add(e.eventTime());
            }
        }
        FeatureRescan rescan = new FeatureRescan(canonical);
        List<FeatureVector> vectors = decode(Topics.FEATURES_USER);
        long differ = 0;
        String first = "";
        for (FeatureVector v : vectors) {
            CanonicalEvent view = views.get(v.eventId());
            double[] expected =
                    view == null || !FeatureSpec.isKnown(v.specVersion())
                            ? new double[0]
                            : rescan.vector(view, v.specVersion());
            int at = FeatureRescan.firstDifference(v.values().values, expected);
            if (at >= 0) {
                if (differ++ == 0) {
                    first =
                            view == null
                                    ? "; first: " + v.eventId() + " is no view"
                                    : String.format(
                                            "; first: %s %s %.6f, re-scan %.6f",
                                            v.eventId(),
                                            FeatureSpec.names().get(at),
                                            v.values().values[at],
                                            expected[at]);
                }
            }
        }
        row(
                label + ": features.user = re-scan",
                String.format("%,d vectors, %d differ%s", vectors.size(), differ, first),
                differ == 0 && !vectors.isEmpty());
        List<TrainingExample> examples = decode(Topics.ML_TRAINING_EXAMPLES);
        long wrong = 0;
        for (TrainingExample e : examples) {
            FeatureVector v = e.features();
            boolean bought =
                    purchases.getOrDefault(v.userId() + "|" + v.itemId(), List.of()).stream()
                            .anyMatch(
                                    t -> t >= v.eventTime() && t <= v.eventTime() + horizonMillis);
            wrong += bought == e.label() ? 0 : 1;
        }
        row(
                label + ": ml.training-examples = re-scan",
                String.format("%,d labels, %d differ", examples.size(), wrong),
                wrong == 0 && !examples.isEmpty());
        servedQuality(label, examples, horizonMillis);
    }

    /**
     * {@code ml.served-quality} against a plain join of {@code ml.predictions} with {@code
     * ml.training-examples}: the newest record of a version whose labels all became known more than
     * two minutes before the newest label (the job writes a version's figures once per minute of
     * event time) has exactly the joined counts; no record counts more than the join.
     */
    private void servedQuality(String label, List<TrainingExample> examples, long horizonMillis) {
        Map<String, TrainingExample> byView = new HashMap<>();
        long newest = Long.MIN_VALUE;
        for (TrainingExample e : examples) {
            byView.put(e.features().eventId(), e);
            newest = Math.max(newest, e.features().eventTime() + horizonMillis);
        }
        long cut = newest - 120_000;
        Map<Long, long[]> joined = new HashMap<>(); // version -> outcomes, positives, latest
        for (Prediction p : decode(Topics.ML_PREDICTIONS)) {
            TrainingExample e = byView.get(p.eventId());
            if (e != null) {
                long[] c = joined.computeIfAbsent(p.modelVersion(), v -> new long[3]);
                c[0]++;
                c[1] += e.label() ? 1 : 0;
                c[2] = Math.max(c[2], e.features().eventTime() + horizonMillis);
            }
        }
        Map<Long, ServedQuality> records = new HashMap<>();
        decode(Topics.ML_SERVED_QUALITY).forEach(q -> records.put(q.version(), q));
        long settled = 0;
        long differ = 0;
        String first = "";
        for (Map.Entry<Long, ServedQuality> r : records.entrySet()) {
            long[] c = joined.getOrDefault(r.getKey(), new long[3]);
            ServedQuality q = r.getValue();
            boolean exact = c[2] < cut;
            boolean ok =
                    exact
                            ? q.outcomes() == c[0] && q.positives() == c[1]
                            : q.outcomes() <= c[0] && q.positives() <= c[1];
            settled += exact ? 1 : 0;
            if (!ok && differ++ == 0) {
                first =
                        String.format(
                                "; first: v%d %,d/%,d, join %,d/%,d",
                                r.getKey(), q.outcomes(), q.positives(), c[0], c[1]);
            }
        }
        row(
                label + ": ml.served-quality = join",
                String.format(
                        "%,d versions (%,d settled), %d differ%s",
                        records.size(), settled, differ, first),
                differ == 0 && settled > 0 && joined.keySet().containsAll(records.keySet()));
    }

    void latency(long seconds) {
        List<String> topics =
                List.of(
                        Topics.EVENTS_CANONICAL.name(),
                        Topics.FEATURES_USER.name(),
                        Topics.ML_PREDICTIONS.name());
        Map<String, List<Long>> delays = new java.util.LinkedHashMap<>();
        topics.forEach(t -> delays.put(t, new ArrayList<>()));
        Map<String, Long> viewTimes = new java.util.HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(15))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    Long eventTime = null;
                    if (r.topic().equals(Topics.EVENTS_CANONICAL.name())) {
                        Decoded<CanonicalEvent> d =
                                Topics.EVENTS_CANONICAL.valueCodec().decode(r.value());
                        eventTime = d.isValid() ? d.value().eventTime() : null;
                    } else if (r.topic().equals(Topics.FEATURES_USER.name())) {
                        Decoded<FeatureVector> d =
                                Topics.FEATURES_USER.valueCodec().decode(r.value());
                        if (d.isValid()) {
                            eventTime = d.value().eventTime();
                            viewTimes.put(d.value().eventId(), eventTime);
                        }
                    } else {
                        Decoded<Prediction> d =
                                Topics.ML_PREDICTIONS.valueCodec().decode(r.value());
                        eventTime = d.isValid() ? viewTimes.remove(d.value().eventId()) : null;
                    }
                    if (eventTime != null) {
                        delays.get(r.topic()).add(now - eventTime);
                    }
                }
            }
        }
        delays.forEach(
                (topic, list) -> {
                    list.sort(null);
                    row(
                            "latency from event time: " + topic,
                            list.isEmpty()
                                    ? "no records"
                                    : String.format(
                                            "%,d records: p50 %.1f s, p99 %.1f s, max %.1f s",
                                            list.size(),
                                            percentile(list, 0.50) / 1000.0,
                                            percentile(list, 0.99) / 1000.0,
                                            list.get(list.size() - 1) / 1000.0),
                            !list.isEmpty());
                });
    }

    private static long percentile(List<Long> sorted, double q) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
    }

    private Properties consumerProperties() {
        Properties props = SuiteStatus.consumerProperties(bootstrap);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return props;
    }

    /** Every committed record of a topic, up to its end at the time of the call. */
    private List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(15))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        records.add(r);
                    }
                }
            }
        }
        // In each partition's order.
        records.sort(
                java.util.Comparator.comparing((ConsumerRecord<byte[], byte[]> r) -> r.partition())
                        .thenComparingLong(ConsumerRecord::offset));
        return records;
    }
}
