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
import io.eventml.common.serde.TimeBounds;
import io.eventml.common.testkit.FailOnceAfterCheckpoint;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.testkit.Slowdown;
import io.eventml.common.topic.TopicDeserializer;
import io.eventml.common.topic.TopicInput;
import io.eventml.common.topic.Topics;
import io.eventml.generator.GeneratorConfig;
import io.eventml.generator.Simulator;
import io.eventml.ingestion.IngestionConfig;
import io.eventml.ingestion.IngestionJob;

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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * generator -> ingestion -> features on a MiniCluster against a real broker. The vectors are
 * checked against a plain re-scan of the canonical events, and for exactly-once output across an
 * injected failure.
 */
class FeatureJobTest {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    /** The canonical topic made by the ingestion job, as Kafka records, and decoded. */
    private static List<ConsumerRecord<byte[], byte[]>> canonicalRecords;

    private static List<CanonicalEvent> canonical;

    @BeforeAll
    static void ingestTenMinutesOfTheWorld() throws Exception {
        String suffix = KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        // Noise that ingestion removes (malformed, duplicates) and out-of-order delivery; nothing
        // beyond the bound.
        GeneratorConfig world =
                new GeneratorConfig(
                        9,
                        3_000,
                        300,
                        2,
                        12,
                        60,
                        true,
                        Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS),
                        6_000,
                        new GeneratorConfig.Noise(0.02, 0.02, 0.1, Duration.ofSeconds(2), 0));
        KafkaOptions kafka = kafka(suffix);
        KAFKA.produce(
                new Simulator(world)
                        .records(0, world.ticks()).stream()
                                .map(r -> r.toProducerRecord(kafka))
                                .collect(Collectors.toList()));
        IngestionConfig ingestion =
                new IngestionConfig(
                        kafka,
                        new SourceOptions(
                                "ingest" + suffix,
                                "earliest",
                                true,
                                2,
                                null,
                                Duration.ofSeconds(5),
                                Duration.ofSeconds(30)),
                        Duration.ofHours(24),
                        JsonLimits.DEFAULT,
                        TimeBounds.DEFAULT,
                        DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES);
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        new IngestionJob(
                        ingestion,
                        IngestionJob.kafkaSource(ingestion),
                        IngestionJob.canonicalSink(kafka),
                        JobSetup.deadLetterSink(kafka))
                .build(env);
        env.execute("ingestion for the feature tests");
        canonicalRecords = KAFKA.drain(kafka.topic(Topics.EVENTS_CANONICAL));
        canonical =
                canonicalRecords.stream()
                        .map(r -> Topics.EVENTS_CANONICAL.valueCodec().decode(r.value()).value())
                        .collect(Collectors.toList());
        assertThat(canonical.stream().filter(e -> e.type() == EventType.PRODUCT_VIEW).count())
                .isGreaterThan(2_000);
    }

    private static KafkaOptions kafka(String suffix) {
        return new KafkaOptions(
                KAFKA.bootstrapServers(),
                "test" + suffix,
                DeliveryGuarantee.EXACTLY_ONCE,
                Duration.ofMinutes(5),
                suffix);
    }

    /**
     * A fresh set of topics whose events.canonical holds the ingested events; returns its options.
     */
    private static KafkaOptions freshTopicsWithCanonical() {
        KafkaOptions kafka = kafka(KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix()));
        KAFKA.produce(
                canonicalRecords.stream()
                        .map(
                                r ->
                                        new ProducerRecord<>(
                                                kafka.topic(Topics.EVENTS_CANONICAL),
                                                r.partition(),
                                                r.timestamp(),
                                                r.key(),
                                                r.value()))
                        .collect(Collectors.toList()));
        return kafka;
    }

    private static FeatureConfig config(KafkaOptions kafka) {
        // A generous bound: the canonical topic of a backlog run is far out of order, and within
        // the bound the
        // result must not depend on order at all.
        return new FeatureConfig(
                kafka,
                new SourceOptions(
                        "features" + kafka.topicSuffix(),
                        "earliest",
                        true,
                        2,
                        null,
                        Duration.ofHours(1),
                        Duration.ofSeconds(30)));
    }

    private static List<FeatureVector> vectors(KafkaOptions kafka) {
        return KAFKA.drain(kafka.topic(Topics.FEATURES_USER)).stream()
                .map(r -> Topics.FEATURES_USER.valueCodec().decode(r.value()).value())
                .collect(Collectors.toList());
    }

    private static Set<String> viewIds() {
        return canonical.stream()
                .filter(e -> e.type() == EventType.PRODUCT_VIEW)
                .map(CanonicalEvent::eventId)
                .collect(Collectors.toSet());
    }

    @Test
    void vectorsMatchAPlainRescanOfTheCanonicalEvents() throws Exception {
        KafkaOptions kafka = freshTopicsWithCanonical();
        FeatureConfig config = config(kafka);
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        new FeatureJob(
                        config,
                        FeatureJob.kafkaSource(config),
                        FeatureJob.featureSink(kafka),
                        JobSetup.deadLetterSink(kafka))
                .build(env);
        env.execute("features");

        List<FeatureVector> vectors = vectors(kafka);
        assertThat(vectors).extracting(FeatureVector::eventId).doesNotHaveDuplicates();
        assertThat(vectors.stream().map(FeatureVector::eventId).collect(Collectors.toSet()))
                .isEqualTo(viewIds());

        var views =
                canonical.stream()
                        .filter(e -> e.type() == EventType.PRODUCT_VIEW)
                        .collect(Collectors.toMap(CanonicalEvent::eventId, e -> e));
        FeatureRescan rescan = new FeatureRescan(canonical);
        List<FeatureVector> sample = new ArrayList<>(vectors);
        Collections.shuffle(sample, new Random(1));
        int nonZeroUserViews = 0;
        int inCartSeen = 0;
        int loyaltySeen = 0;
        int inStore = 0;
        for (FeatureVector fv : sample.subList(0, 300)) {
            CanonicalEvent view = views.get(fv.eventId());
            double[] v = fv.values().values;
            assertThat(fv.specVersion()).isEqualTo(FeatureSpec.VERSION);
            assertThat(v).hasSize(FeatureSpec.SIZE);
            String at = fv.eventId();
            assertThat(v[FeatureSpec.USER_VIEWS_10M])
                    .as(at)
                    .isEqualTo(
                            Math.log1p(rescan.userCount(view, EventType.PRODUCT_VIEW, 60_000, 10)));
            assertThat(v[FeatureSpec.USER_VIEWS_1H])
                    .as(at)
                    .isEqualTo(
                            Math.log1p(rescan.userCount(view, EventType.PRODUCT_VIEW, 60_000, 60)));
            assertThat(v[FeatureSpec.USER_CLICKS_1H])
                    .as(at)
                    .isEqualTo(Math.log1p(rescan.userCount(view, EventType.CLICK, 60_000, 60)));
            assertThat(v[FeatureSpec.USER_CART_ADDS_24H])
                    .as(at)
                    .isEqualTo(
                            Math.log1p(
                                    rescan.userCount(view, EventType.ADD_TO_CART, 3_600_000, 24)));
            assertThat(v[FeatureSpec.USER_PURCHASES_24H])
                    .as(at)
                    .isEqualTo(
                            Math.log1p(rescan.userCount(view, EventType.PURCHASE, 3_600_000, 24)));
            assertThat(v[FeatureSpec.USER_SPEND_1H])
                    .as(at)
                    .isCloseTo(Math.log1p(rescan.userSpend(view, 60_000, 60)), within(1e-9));
            assertThat(v[FeatureSpec.USER_HOURS_SINCE_PURCHASE])
                    .as(at)
                    .isCloseTo(Math.log1p(rescan.hoursSincePurchase(view)), within(1e-12));
            assertThat(v[FeatureSpec.ITEM_VIEWS_1H])
                    .as(at)
                    .isEqualTo(Math.log1p(rescan.itemCount(view, EventType.PRODUCT_VIEW, false)));
            assertThat(v[FeatureSpec.ITEM_PURCHASES_24H])
                    .as(at)
                    .isEqualTo(Math.log1p(rescan.itemCount(view, EventType.PURCHASE, true)));
            assertThat(v[FeatureSpec.USER_ITEM_VIEWS_24H])
                    .as(at)
                    .isEqualTo(Math.log1p(rescan.userItemViews24h(view)));
            assertThat(v[FeatureSpec.STORE_FOOTFALL_15M])
                    .as(at)
                    .isEqualTo(Math.log1p(rescan.footfall15m(view)));
            assertThat(v[FeatureSpec.IN_STORE]).as(at).isEqualTo(view.storeId() == null ? 0 : 1);
            int tier = rescan.loyaltyTier(view);
            assertThat(v[FeatureSpec.LOYALTY_KNOWN]).as(at).isEqualTo(tier >= 0 ? 1 : 0);
            assertThat(v[FeatureSpec.LOYALTY_TIER]).as(at).isEqualTo(tier >= 0 ? tier / 3.0 : 0);
            assertThat(v[FeatureSpec.SENTIMENT_24H])
                    .as(at)
                    .isCloseTo(rescan.sentiment24h(view), within(1e-12));
            assertThat(v[FeatureSpec.USER_ITEM_IN_CART])
                    .as(at)
                    .isEqualTo(rescan.inCart(view) ? 1 : 0);
            assertThat(v[FeatureSpec.ITEM_CONVERSION_24H])
                    .as(at)
                    .isEqualTo(
                            FeatureSpec.conversion(
                                    rescan.itemCount(view, EventType.PURCHASE, true),
                                    rescan.itemCount(view, EventType.PRODUCT_VIEW, true)));
            double[] category = new double[FeatureSpec.CATEGORY_BUCKETS];
            category[FeatureSpec.categoryBucket(view.attributes().get("category"))] = 1;
            assertThat(
                            java.util.Arrays.copyOfRange(
                                    v, FeatureSpec.CATEGORY_HASH_0, FeatureSpec.SIZE))
                    .as(at)
                    .containsExactly(category);
            assertThat(v[FeatureSpec.BIAS]).isEqualTo(1);
            inCartSeen += rescan.inCart(view) ? 1 : 0;
            loyaltySeen += tier >= 0 ? 1 : 0;
            nonZeroUserViews += v[FeatureSpec.USER_VIEWS_10M] > 0 ? 1 : 0;
            inStore += view.storeId() != null ? 1 : 0;
        }
        // The sample exercises the interesting cases, not only empty windows.
        assertThat(nonZeroUserViews).isGreaterThan(50);
        assertThat(inStore).isGreaterThan(10);
        assertThat(inCartSeen).isPositive();
        assertThat(loyaltySeen).isPositive();
    }

    @Test
    void exactlyOneVectorPerViewAfterAnInjectedFailure() throws Exception {
        KafkaOptions kafka = freshTopicsWithCanonical();
        FeatureConfig config = config(kafka);
        String failure = "features-eos" + kafka.topicSuffix();
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        JobSetup.configure(env, config.source());
        DataStream<CanonicalEvent> events =
                env.fromSource(
                                FeatureJob.kafkaSource(config),
                                FeatureJob.watermarks(config),
                                "canonical")
                        .map(new Slowdown<>(1))
                        .returns(TopicInput.CANONICAL_EVENTS)
                        .map(TopicInput::value)
                        .returns(CanonicalEvent.class);
        FeatureJob.pipeline(events)
                .map(new FailOnceAfterCheckpoint<>(failure, 500))
                .returns(FeatureVector.class)
                .sinkTo(FeatureJob.featureSink(kafka));
        env.execute("features exactly-once");

        assertThat(FailOnceAfterCheckpoint.hasFailed(failure))
                .as("the failure was injected")
                .isTrue();
        List<FeatureVector> vectors = vectors(kafka);
        assertThat(vectors).extracting(FeatureVector::eventId).doesNotHaveDuplicates();
        assertThat(vectors.stream().map(FeatureVector::eventId).collect(Collectors.toSet()))
                .isEqualTo(viewIds());
    }

    @Test
    void aRunStoppedWithASavepointAndRestoredInANewClusterGivesTheSameVectorsAsAnUninterruptedRun()
            throws Exception {
        KafkaOptions reference = freshTopicsWithCanonical();
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        featureJob(
                env,
                config(reference),
                FeatureJob.kafkaSource(config(reference)),
                FeatureJob.SOURCE_UID);
        env.execute("features, uninterrupted");
        Map<String, List<Double>> expected = byEventId(vectors(reference));
        assertThat(expected.keySet()).isEqualTo(viewIds());

        // First half: read each partition up to its middle, then keep running with everything read
        // held in keyed
        // state (an hour of out-of-orderness emits nothing yet), and stop with a savepoint.
        KafkaOptions kafka = freshTopicsWithCanonical();
        FeatureConfig config = config(kafka);
        Map<TopicPartition, Long> middle = new HashMap<>();
        KAFKA.endOffsets(kafka.topic(Topics.EVENTS_CANONICAL))
                .forEach((tp, end) -> middle.put(tp, end / 2));
        StreamExecutionEnvironment first = FlinkTestCluster.environment();
        featureJob(
                first,
                config,
                canonicalSource(config, OffsetsInitializer.earliest(), middle, false),
                FeatureJob.SOURCE_UID);
        JobClient running = first.executeAsync("features, first half");
        KAFKA.awaitCommitted(config.source().groupId(), middle);
        String savepoint =
                running.stopWithSavepoint(false, savepointDir(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
        assertThat(vectors(kafka)).as("all views read so far are held in state").isEmpty();

        // Second half, in a new MiniCluster: restore every operator's state from the savepoint and
        // read on from
        // the middle. The source is a new one (a bounded KafkaSource restored from a savepoint
        // never finishes, see
        // docs/features.md).
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
        assertThat(byEventId(resumed)).isEqualTo(expected);
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
        FeatureJob.pipeline(events)
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
