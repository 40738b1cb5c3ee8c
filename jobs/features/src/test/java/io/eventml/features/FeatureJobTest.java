package io.eventml.features;

import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.serde.TimeBounds;
import io.eventml.common.testkit.FailOnceAfterCheckpoint;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.topic.TopicDeserializer;
import io.eventml.common.topic.TopicInput;
import io.eventml.common.topic.Topics;
import io.eventml.generator.GeneratorConfig;
import io.eventml.generator.RawRecord;
import io.eventml.generator.Simulator;
import io.eventml.ingestion.IngestionConfig;
import io.eventml.ingestion.IngestionJob;
import io.eventml.ops.FeatureRescan;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * generator -> ingestion -> features on a MiniCluster against a real broker, at production
 * settings: both jobs at parallelism 2 with their default watermark bounds (5 s, 10 s), idleness
 * and allowed lateness, over two simulated hours with out-of-order, late, duplicate and malformed
 * raw records. Every vector is compared in all 41 positions with a plain re-scan of the canonical
 * events, in three runs: uninterrupted, with the ingestion job stopped with a savepoint (longer
 * than the feature job's idleness) while the generator runs on, and with a failure injected in the
 * feature job while it catches up.
 */
class FeatureJobTest {
    /** The name of the ingestion job's source. */
    private static final String RAW_SOURCE = "Kafka: raw topics";

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    /** Two simulated hours; noise of every kind, some records later than the ingestion bound. */
    static final GeneratorConfig WORLD =
            new GeneratorConfig(
                    9,
                    3_000,
                    300,
                    2,
                    12,
                    15,
                    true,
                    Instant.now().minus(4, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS),
                    72_000,
                    new GeneratorConfig.Noise(0.01, 0.01, 0.05, Duration.ofSeconds(5), 0.002));

    /** Views injected far behind the watermark, of a user and item no other event has. */
    private static final int INJECTED_LATE_VIEWS = 3;

    private static List<RawRecord> raw;

    /** The canonical topic made by an uninterrupted ingestion run, as Kafka records. */
    private static List<ConsumerRecord<byte[], byte[]>> canonicalRecords;

    @BeforeAll
    static void ingestTwoHoursOfTheWorld() throws Exception {
        raw = new Simulator(WORLD).records(0, WORLD.ticks());
        KafkaOptions kafka = kafka(KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix()));
        KAFKA.produce(raw.stream().map(r -> r.toProducerRecord(kafka)).toList());
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        ingestionJob(ingestionConfig(kafka, true)).build(env);
        env.execute("ingestion for the feature tests");
        canonicalRecords = KAFKA.drain(kafka.topic(Topics.EVENTS_CANONICAL));
        assertThat(decode(canonicalRecords).stream().filter(FeatureJobTest::isView).count())
                .isGreaterThan(20_000);
    }

    private static KafkaOptions kafka(String suffix) {
        return new KafkaOptions(
                KAFKA.bootstrapServers(),
                "test" + suffix,
                DeliveryGuarantee.EXACTLY_ONCE,
                Duration.ofMinutes(5),
                suffix);
    }

    /** The ingestion job's production settings at parallelism 2. */
    private static IngestionConfig ingestionConfig(KafkaOptions kafka, boolean bounded) {
        return new IngestionConfig(
                // Transactional ids unique per job: both jobs have a dead-letter sink.
                new KafkaOptions(
                        kafka.bootstrapServers(),
                        kafka.transactionalIdPrefix() + "-ingestion",
                        kafka.deliveryGuarantee(),
                        kafka.transactionTimeout(),
                        kafka.topicSuffix()),
                new SourceOptions(
                        "ingest" + kafka.topicSuffix(),
                        "earliest",
                        bounded,
                        2,
                        null,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30)),
                Duration.ofHours(24),
                JsonLimits.DEFAULT,
                TimeBounds.DEFAULT,
                DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    private static IngestionJob ingestionJob(IngestionConfig config) {
        return new IngestionJob(
                config,
                IngestionJob.kafkaSource(config),
                IngestionJob.canonicalSink(config.kafka()),
                JobSetup.deadLetterSink(config.kafka()));
    }

    /** The feature job's production settings (default bound and lateness) at parallelism 2. */
    private static FeatureConfig config(KafkaOptions kafka, boolean bounded) {
        return new FeatureConfig(
                kafka,
                new SourceOptions(
                        "features" + kafka.topicSuffix(),
                        "earliest",
                        bounded,
                        2,
                        null,
                        FeatureConfig.DEFAULT_OUT_OF_ORDERNESS,
                        FeatureConfig.DEFAULT_IDLENESS));
    }

    private static FeatureJob featureJob(FeatureConfig config) {
        return new FeatureJob(
                config,
                FeatureJob.kafkaSource(config),
                FeatureJob.featureSink(config.kafka()),
                JobSetup.deadLetterSink(config.kafka()));
    }

    /**
     * Fresh topics whose events.canonical holds the ingested events, in the same partitions and
     * order, and at the end of each partition a view far behind the watermark.
     */
    private static KafkaOptions freshTopicsWithCanonical() {
        KafkaOptions kafka = kafka(KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix()));
        String topic = kafka.topic(Topics.EVENTS_CANONICAL);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : canonicalRecords) {
            records.add(
                    new ProducerRecord<>(topic, r.partition(), r.timestamp(), r.key(), r.value()));
        }
        long start =
                decode(canonicalRecords).stream()
                        .mapToLong(CanonicalEvent::eventTime)
                        .min()
                        .orElseThrow();
        for (int i = 0; i < INJECTED_LATE_VIEWS; i++) {
            // Older than anything else: by the end of its partition the watermark is hours past it.
            CanonicalEvent late = lateView(i, start - 60 * 60_000L);
            records.add(
                    new ProducerRecord<>(
                            topic,
                            i % Topics.EVENTS_CANONICAL.partitions(),
                            late.eventTime(),
                            late.userId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            Topics.EVENTS_CANONICAL.valueCodec().encode(late)));
        }
        KAFKA.produce(records);
        return kafka;
    }

    private static CanonicalEvent lateView(int i, long time) {
        return new CanonicalEvent(
                1,
                "clickstream:late-" + i,
                EventType.PRODUCT_VIEW,
                io.eventml.common.event.EventSource.CLICKSTREAM,
                "late-user-" + i,
                "late-sku-" + i,
                null,
                time,
                time,
                0,
                0,
                Map.of("category", "cat-1"));
    }

    private static List<CanonicalEvent> decode(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> Topics.EVENTS_CANONICAL.valueCodec().decode(r.value()).value())
                .collect(Collectors.toList());
    }

    private static long eventTime(ConsumerRecord<byte[], byte[]> record) {
        return Topics.EVENTS_CANONICAL.valueCodec().decode(record.value()).value().eventTime();
    }

    private static boolean isView(CanonicalEvent e) {
        return e.type() == EventType.PRODUCT_VIEW;
    }

    private static List<FeatureVector> vectors(KafkaOptions kafka) {
        return KAFKA.drain(kafka.topic(Topics.FEATURES_USER)).stream()
                .map(r -> Topics.FEATURES_USER.valueCodec().decode(r.value()).value())
                .collect(Collectors.toList());
    }

    private static List<DeadLetter> lateViewLetters(KafkaOptions kafka) {
        return KAFKA.drain(kafka.topic(Topics.EVENTS_DLQ)).stream()
                .map(r -> Topics.EVENTS_DLQ.valueCodec().decode(r.value()).value())
                .filter(d -> d.reason() == ReasonCode.LATE_VIEW)
                .collect(Collectors.toList());
    }

    /**
     * How many canonical records a feature job with the default bound would see behind its
     * watermark if each partition were read alone: records older than their partition's newest
     * record so far minus the bound. The job's watermark is the minimum over partitions, so it sees
     * at most this many.
     */
    private static int behindTheBound(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<Integer, Long> newest = new HashMap<>();
        int behind = 0;
        long bound = FeatureConfig.DEFAULT_OUT_OF_ORDERNESS.toMillis();
        long worst = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            long t = Topics.EVENTS_CANONICAL.valueCodec().decode(r.value()).value().eventTime();
            long max = Math.max(newest.getOrDefault(r.partition(), Long.MIN_VALUE), t);
            newest.put(r.partition(), max);
            worst = Math.max(worst, max - t);
            if (t <= max - bound) {
                behind++;
            }
        }
        System.out.printf(
                "events.canonical: %d records, at most %d ms behind their partition's newest,"
                        + " %d behind the feature job's bound%n",
                records.size(), worst, behind);
        return behind;
    }

    /** Exactly one vector per view, or a message that says which views are missing or extra. */
    private static void assertOneVectorPerView(
            List<FeatureVector> vectors, Map<String, CanonicalEvent> views, KafkaOptions kafka) {
        assertThat(vectors).extracting(FeatureVector::eventId).doesNotHaveDuplicates();
        Set<String> got = vectors.stream().map(FeatureVector::eventId).collect(Collectors.toSet());
        List<String> missing =
                views.keySet().stream().filter(id -> !got.contains(id)).sorted().toList();
        List<String> extra = got.stream().filter(id -> !views.containsKey(id)).sorted().toList();
        assertThat(missing.size() + extra.size())
                .as(
                        "%d views without a vector (first: %s), %d vectors of no view (first: %s);"
                                + " late-view dead letters: %d",
                        missing.size(),
                        missing.stream()
                                .limit(5)
                                .map(id -> id + "@" + views.get(id).eventTime())
                                .toList(),
                        extra.size(),
                        extra.stream().limit(5).toList(),
                        lateViewLetters(kafka).size())
                .isZero();
    }

    /**
     * One vector per view of {@code canonical}, each equal to the re-scan in all 41 positions; the
     * injected views far behind the watermark went to the dead-letter topic instead.
     */
    private static void assertEveryVectorIsTheRescan(
            List<CanonicalEvent> canonical, KafkaOptions kafka) {
        List<FeatureVector> vectors = vectors(kafka);
        Map<String, CanonicalEvent> views = new HashMap<>();
        canonical.stream().filter(FeatureJobTest::isView).forEach(v -> views.put(v.eventId(), v));
        assertOneVectorPerView(vectors, views, kafka);
        FeatureRescan rescan = new FeatureRescan(canonical);
        int inCart = 0;
        int inStore = 0;
        int loyalty = 0;
        int recentPurchase = 0;
        for (FeatureVector fv : vectors) {
            CanonicalEvent view = views.get(fv.eventId());
            assertThat(fv.specVersion()).isEqualTo(FeatureSpec.VERSION);
            assertThat(fv.eventTime()).isEqualTo(view.eventTime());
            double[] v = fv.values().values;
            FeatureAssertions.assertSameVector(fv.eventId(), v, rescan.vector(view));
            inCart += (int) v[FeatureSpec.USER_ITEM_IN_CART];
            inStore += (int) v[FeatureSpec.IN_STORE];
            loyalty += (int) v[FeatureSpec.LOYALTY_KNOWN];
            recentPurchase += v[FeatureSpec.USER_PURCHASES_1H] > 0 ? 1 : 0;
        }
        // The comparison covers the interesting cases, not only empty windows.
        assertThat(inCart).isGreaterThan(100);
        assertThat(inStore).isGreaterThan(1_000);
        assertThat(loyalty).isGreaterThan(1_000);
        assertThat(recentPurchase).isGreaterThan(100);
        List<DeadLetter> late = lateViewLetters(kafka);
        assertThat(late)
                .extracting(
                        d ->
                                Topics.EVENTS_CANONICAL
                                        .valueCodec()
                                        .decode(d.payloadAsBytes())
                                        .value()
                                        .eventId())
                .containsExactlyInAnyOrder(
                        java.util.stream.IntStream.range(0, INJECTED_LATE_VIEWS)
                                .mapToObj(i -> "clickstream:late-" + i)
                                .toArray(String[]::new));
        assertThat(late).allSatisfy(d -> assertThat(d.message()).contains("frontier"));
    }

    @Test
    void everyVectorOfAnUninterruptedRunIsTheRescanOfItsView() throws Exception {
        assertThat(behindTheBound(canonicalRecords))
                .as("ingestion writes each partition in event-time order")
                .isZero();
        KafkaOptions kafka = freshTopicsWithCanonical();
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        featureJob(config(kafka, true)).build(env);
        env.execute("features");
        assertEveryVectorIsTheRescan(decode(canonicalRecords), kafka);
    }

    /**
     * Keys per stage and subtask on the heap in the run with a failure: far fewer than the world's
     * (3,000 users and 300 items over two subtasks), so that keys leave the read cache and are read
     * back from RocksDB all along, before and after the restore. The default (32,768) would hold
     * every key of this world and never evict.
     */
    private static final int SMALL_STATE_CACHE = 64;

    @Test
    void aFailureWhileCatchingUpChangesNoVectorAndDuplicatesNone() throws Exception {
        KafkaOptions kafka = freshTopicsWithCanonical();
        FeatureConfig config = config(kafka, true);
        String failure = "features-eos" + kafka.topicSuffix();
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        JobSetup.configure(env, config.source());
        DataStream<CanonicalEvent> events =
                env.fromSource(
                                FeatureJob.kafkaSource(config),
                                FeatureJob.watermarks(config),
                                "canonical")
                        .map(TopicInput::value)
                        .returns(CanonicalEvent.class)
                        // A third of the way through the backlog, after a checkpoint: keyed state
                        // with held views and recent events is restored and the rest replayed.
                        .map(new FailOnceAfterCheckpoint<>(failure, canonicalRecords.size() / 6))
                        .returns(CanonicalEvent.class);
        FeatureJob.Outputs out =
                FeatureJob.pipeline(
                        events, config.allowedLateness(), FeatureSpec.VERSION, SMALL_STATE_CACHE);
        out.vectors().sinkTo(FeatureJob.featureSink(kafka));
        String canonicalTopic = kafka.topic(Topics.EVENTS_CANONICAL);
        out.lateViews()
                .map(late -> FeatureJob.deadLetter(late, canonicalTopic))
                .returns(DeadLetter.class)
                .sinkTo(JobSetup.deadLetterSink(kafka));
        env.execute("features with a failure");

        assertThat(FailOnceAfterCheckpoint.hasFailed(failure))
                .as("the failure was injected")
                .isTrue();
        assertEveryVectorIsTheRescan(decode(canonicalRecords), kafka);
    }

    /**
     * The ingestion job is stopped with a savepoint for longer than an idleness timeout (30 s)
     * while the generator writes on, then resumed: it catches up over a backlog of every raw topic
     * while the feature job, running all along, sees its input fall silent and come back, partition
     * by partition.
     */
    @Test
    void everyVectorIsTheRescanAfterIngestionWasPausedWhileTheGeneratorRanOn() throws Exception {
        KafkaOptions kafka = kafka(KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix()));
        long half = WORLD.ticks() / 2;
        List<RawRecord> firstHalf = new Simulator(WORLD).records(0, half);
        KAFKA.produce(firstHalf.stream().map(r -> r.toProducerRecord(kafka)).toList());

        FeatureConfig features = config(kafka, false);
        StreamExecutionEnvironment featureEnv = FlinkTestCluster.environment();
        featureJob(features).build(featureEnv);
        JobClient featureJob = featureEnv.executeAsync("features, running all along");
        // Declared here so that a failed wait cancels every job it started: a job left running
        // would keep its slots and starve the next test.
        List<JobClient> jobs = new ArrayList<>(List.of(featureJob));
        List<ConsumerRecord<byte[], byte[]>> canonical;
        try {
            IngestionConfig ingestion = ingestionConfig(kafka, false);
            StreamExecutionEnvironment first = FlinkTestCluster.environment();
            ingestionJob(ingestion).build(first);
            JobClient running = first.executeAsync("ingestion, first half");
            jobs.add(running);
            FlinkTestCluster.awaitRecordsRead(FLINK, running, RAW_SOURCE, firstHalf.size());
            String savepoint =
                    running.stopWithSavepoint(false, savepointDir(), SavepointFormatType.CANONICAL)
                            .get(2, TimeUnit.MINUTES);
            long pausedAt = System.nanoTime();

            // The generator runs on while ingestion is stopped: the second hour arrives on the raw
            // topics, and the feature job's input stays silent longer than its idleness.
            List<RawRecord> secondHalf = new Simulator(WORLD).records(half, WORLD.ticks());
            KAFKA.produce(secondHalf.stream().map(r -> r.toProducerRecord(kafka)).toList());
            long idle = TimeUnit.SECONDS.toNanos(35);
            Thread.sleep(Math.max(0, (pausedAt + idle - System.nanoTime()) / 1_000_000));

            Configuration resume = FlinkTestCluster.configuration();
            resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            StreamExecutionEnvironment second =
                    StreamExecutionEnvironment.getExecutionEnvironment(resume);
            ingestionJob(ingestion).build(second);
            JobClient resumed = second.executeAsync("ingestion, resumed");
            jobs.add(resumed);
            // Restored from the savepoint, it reads on from where the first half stopped.
            FlinkTestCluster.awaitRecordsRead(FLINK, resumed, RAW_SOURCE, secondHalf.size());
            // Draining flushes the events still waiting for the watermark.
            resumed.stopWithSavepoint(true, savepointDir(), SavepointFormatType.CANONICAL)
                    .get(2, TimeUnit.MINUTES);

            canonical = KAFKA.drain(kafka.topic(Topics.EVENTS_CANONICAL));
            assertThat(behindTheBound(canonical))
                    .as(
                            "ingestion writes each partition in event-time order, also when catching up")
                    .isZero();
            FlinkTestCluster.awaitRecordsRead(
                    FLINK, featureJob, "Kafka: events.canonical", canonical.size());
            featureJob
                    .stopWithSavepoint(true, savepointDir(), SavepointFormatType.CANONICAL)
                    .get(2, TimeUnit.MINUTES);
        } finally {
            jobs.forEach(FeatureJobTest::cancelIfRunning);
        }

        List<FeatureVector> vectors = vectors(kafka);
        Map<String, CanonicalEvent> views = new HashMap<>();
        decode(canonical).stream()
                .filter(FeatureJobTest::isView)
                .forEach(v -> views.put(v.eventId(), v));
        assertOneVectorPerView(vectors, views, kafka);
        FeatureRescan rescan = new FeatureRescan(decode(canonical));
        Map<String, CanonicalEvent> byId = new HashMap<>();
        decode(canonical).forEach(e -> byId.put(e.eventId(), e));
        for (FeatureVector fv : vectors) {
            FeatureAssertions.assertSameVector(
                    fv.eventId(), fv.values().values, rescan.vector(byId.get(fv.eventId())));
        }
        assertThat(lateViewLetters(kafka)).isEmpty();
    }

    @Test
    void aRunStoppedWithASavepointAndRestoredInANewClusterGivesTheSameVectorsAsAnUninterruptedRun()
            throws Exception {
        KafkaOptions reference = freshTopicsWithCanonical();
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        featureJob(
                env,
                config(reference, true),
                FeatureJob.kafkaSource(config(reference, true)),
                FeatureJob.SOURCE_UID);
        env.execute("features, uninterrupted");
        Map<String, List<Double>> expected = byEventId(vectors(reference));

        // First half: read each partition up to the middle of the simulated time and stop with a
        // savepoint, views still held in keyed state.
        KafkaOptions kafka = freshTopicsWithCanonical();
        FeatureConfig config = config(kafka, true);
        Map<TopicPartition, Long> middle =
                cutAtEventTime(KAFKA.drain(kafka.topic(Topics.EVENTS_CANONICAL)));
        StreamExecutionEnvironment first = FlinkTestCluster.environment();
        featureJob(
                first,
                config,
                canonicalSource(config, OffsetsInitializer.earliest(), middle, false),
                FeatureJob.SOURCE_UID);
        JobClient running = first.executeAsync("features, first half");
        String savepoint;
        try {
            FlinkTestCluster.awaitRecordsRead(
                    FLINK,
                    running,
                    "canonical",
                    middle.values().stream().mapToLong(Long::longValue).sum());
            savepoint =
                    running.stopWithSavepoint(false, savepointDir(), SavepointFormatType.CANONICAL)
                            .get(2, TimeUnit.MINUTES);
        } finally {
            cancelIfRunning(running);
        }
        int beforeStop = vectors(kafka).size();
        assertThat(beforeStop).isPositive().isLessThan(expected.size());

        // Second half, in a new MiniCluster: restore every operator's state from the savepoint and
        // read on from the middle. The source is a new one (a bounded KafkaSource restored from a
        // savepoint never finishes, see docs/features.md).
        StreamExecutionEnvironment second = FlinkTestCluster.environment();
        featureJob(
                second,
                config,
                canonicalSource(config, OffsetsInitializer.offsets(middle), null, true),
                "canonical-second-half");
        StreamGraph graph = second.getStreamGraph();
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, true));
        try (MiniCluster newCluster = FlinkTestCluster.startNewCluster()) {
            newCluster.executeJobBlocking(graph.getJobGraph());
        }

        List<FeatureVector> resumed = vectors(kafka);
        assertThat(resumed).extracting(FeatureVector::eventId).doesNotHaveDuplicates();
        Map<String, List<Double>> actual = byEventId(resumed);
        assertThat(actual.keySet())
                .as("views with a vector, restored run against uninterrupted run")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, List<Double>> e : expected.entrySet()) {
            FeatureAssertions.assertSameVector(
                    e.getKey(),
                    actual.get(e.getKey()).stream().mapToDouble(Double::doubleValue).toArray(),
                    e.getValue().stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /**
     * Per partition, the offset of the first record newer than the median event time: a job that
     * stops there has read every event up to its watermark in all partitions, as an uninterrupted
     * run has. (Cutting each partition at its middle offset instead lets one subtask's watermark
     * run ahead of a partition that stopped at an earlier time, and a view released then misses
     * events that only the second half reads; a job whose splits never finish cannot do that.)
     */
    private static Map<TopicPartition, Long> cutAtEventTime(
            List<ConsumerRecord<byte[], byte[]>> records) {
        long[] times = records.stream().mapToLong(FeatureJobTest::eventTime).sorted().toArray();
        long median = times[times.length / 2];
        Map<TopicPartition, Long> cut = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (!cut.containsKey(tp) && eventTime(r) > median) {
                cut.put(tp, r.offset());
            }
        }
        assertThat(cut)
                .as("every partition has events after the median")
                .hasSize(Topics.EVENTS_CANONICAL.partitions());
        return cut;
    }

    /** Cancels a job unless it has already ended. */
    private static void cancelIfRunning(JobClient job) {
        try {
            if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            // Already gone: nothing to free.
        }
    }

    private static void featureJob(
            StreamExecutionEnvironment env,
            FeatureConfig config,
            KafkaSource<TopicInput<CanonicalEvent>> source,
            String sourceUid) {
        JobSetup.configure(env, config.source());
        DataStream<CanonicalEvent> events =
                env.fromSource(source, FeatureJob.watermarks(config), "canonical")
                        .uid(sourceUid)
                        .map(TopicInput::value)
                        .uid("event")
                        .returns(CanonicalEvent.class);
        FeatureJob.pipeline(events, config.allowedLateness())
                .vectors()
                .sinkTo(FeatureJob.featureSink(config.kafka()))
                .uid(FeatureJob.SINK_UID);
    }

    /**
     * The canonical topic from {@code start}: bounded by the latest offsets, or unbounded but
     * stopping at {@code stop}.
     */
    private static KafkaSource<TopicInput<CanonicalEvent>> canonicalSource(
            FeatureConfig config,
            OffsetsInitializer start,
            Map<TopicPartition, Long> stop,
            boolean bounded) {
        var builder =
                KafkaSource.<TopicInput<CanonicalEvent>>builder()
                        .setBootstrapServers(config.kafka().bootstrapServers())
                        .setTopics(config.kafka().topic(Topics.EVENTS_CANONICAL))
                        .setGroupId(config.source().groupId())
                        .setStartingOffsets(start)
                        .setDeserializer(
                                new TopicDeserializer<>(
                                        Topics.EVENTS_CANONICAL.valueCodec(),
                                        TopicInput.CANONICAL_EVENTS))
                        .setProperty("isolation.level", "read_committed");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        } else {
            builder.setUnbounded(OffsetsInitializer.offsets(stop));
        }
        return builder.build();
    }

    private static Map<String, List<Double>> byEventId(List<FeatureVector> vectors) {
        Map<String, List<Double>> map = new TreeMap<>();
        for (FeatureVector v : vectors) {
            map.put(
                    v.eventId(),
                    java.util.Arrays.stream(v.values().values)
                            .boxed()
                            .collect(Collectors.toList()));
        }
        return map;
    }

    private static String savepointDir() throws java.io.IOException {
        return java.nio.file.Files.createTempDirectory("eventml-features-savepoint")
                .toUri()
                .toString();
    }
}
