package io.eventml.ingestion;

import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.event.EventSource;
import io.eventml.common.raw.ClickstreamEvent;
import io.eventml.common.raw.OrderEvent;
import io.eventml.common.raw.SocialPost;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.serde.TimeBounds;
import io.eventml.common.testkit.FailOnceAfterCheckpoint;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.testkit.Slowdown;
import io.eventml.common.topic.Topics;
import io.eventml.generator.Corruption;
import io.eventml.generator.GeneratorConfig;
import io.eventml.generator.RawRecord;
import io.eventml.generator.Simulator;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingestion job on a MiniCluster against a real broker, fed by the generator with noise
 * switched on: every raw record is accounted for exactly once, as canonical events, a dead letter
 * with the right origin and reason, or a dropped duplicate; and so it stays across an injected
 * failure.
 */
class IngestionJobTest {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final GeneratorConfig.Noise NOISE =
            new GeneratorConfig.Noise(0.05, 0.05, 0.1, Duration.ofSeconds(2), 0.01);

    private static GeneratorConfig world(long ticks) {
        return new GeneratorConfig(
                5,
                5_000,
                500,
                2,
                12,
                100,
                true,
                Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS),
                ticks,
                NOISE);
    }

    private static IngestionConfig config(String suffix) {
        KafkaOptions kafka =
                new KafkaOptions(
                        KAFKA.bootstrapServers(),
                        "ingestion-test" + suffix,
                        DeliveryGuarantee.EXACTLY_ONCE,
                        Duration.ofMinutes(5),
                        suffix);
        return new IngestionConfig(
                kafka,
                new SourceOptions(
                        "ingestion-test" + suffix,
                        "earliest",
                        true,
                        2,
                        null,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(30)),
                Duration.ofHours(24),
                JsonLimits.DEFAULT,
                TimeBounds.DEFAULT,
                DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    @Test
    void everyRawRecordIsAccountedForAsCanonicalDeadLetterOrDuplicate() throws Exception {
        String suffix = KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        IngestionConfig config = config(suffix);
        List<RawRecord> raw =
                produce(new Simulator(world(3_000)).records(0, 3_000), config.kafka());

        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        new IngestionJob(
                        config,
                        IngestionJob.kafkaSource(config),
                        IngestionJob.canonicalSink(config.kafka()),
                        JobSetup.deadLetterSink(config.kafka()))
                .build(env);
        env.execute("ingestion test");

        reconcile(raw, config.kafka());
    }

    @Test
    void theCanonicalAndDeadLetterTopicsHaveNoDuplicatesAndNoGapsAfterAnInjectedFailure()
            throws Exception {
        String suffix = KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        IngestionConfig config = config(suffix);
        List<RawRecord> raw = produce(new Simulator(world(600)).records(0, 600), config.kafka());
        String failure = "ingestion-eos" + suffix;

        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        JobSetup.configure(env, config.source());
        DataStream<Ingested> ingested =
                env.fromSource(
                                IngestionJob.kafkaSource(config),
                                IngestionJob.watermarks(config),
                                "raw")
                        .uid(IngestionJob.SOURCE_UID)
                        .map(new Slowdown<>(1))
                        .returns(Ingested.class);
        IngestionJob.Outputs out =
                IngestionJob.pipeline(
                        ingested, config.dedupTtl(), Topics.EVENTS_CANONICAL.partitions());
        out.canonical()
                .map(new FailOnceAfterCheckpoint<>(failure, raw.size() / 3))
                .returns(CanonicalEvent.class)
                .sinkTo(IngestionJob.canonicalSink(config.kafka()));
        out.deadLetters().sinkTo(JobSetup.deadLetterSink(config.kafka()));
        env.execute("ingestion exactly-once test");

        assertThat(FailOnceAfterCheckpoint.hasFailed(failure))
                .as("the failure was injected")
                .isTrue();
        reconcile(raw, config.kafka());
    }

    /**
     * Writes the records to their raw topics in delivery order and reads back where each landed.
     */
    private static List<RawRecord> produce(List<RawRecord> records, KafkaOptions kafka) {
        KAFKA.produce(
                records.stream().map(r -> r.toProducerRecord(kafka)).collect(Collectors.toList()));
        return records;
    }

    /**
     * Reconciles the output topics (read_committed) against the generator's ground truth, by value:
     * which raw records are corrupted (and how), which are re-sent duplicates.
     */
    private static void reconcile(List<RawRecord> raw, KafkaOptions kafka) {
        // Where did each raw record land? Match the topic contents back to the generator's records.
        Map<String, Deque<RawRecord>> byContent = new HashMap<>();
        for (RawRecord r : raw) {
            byContent
                    .computeIfAbsent(
                            contentKey(
                                    kafka.topic(Topics.raw(r.source())),
                                    r.key(),
                                    r.deliveryTime(),
                                    r.value()),
                            k -> new ArrayDeque<>())
                    .add(r);
        }
        Map<String, ReasonCode> expectedDeadLetters = new TreeMap<>();
        Map<EventSource, Long> expectedCanonical = new EnumMap<>(EventSource.class);
        Set<String> expectedIds = new HashSet<>();
        for (EventSource source : EventSource.values()) {
            String topic = kafka.topic(Topics.raw(source));
            for (ConsumerRecord<byte[], byte[]> c : KAFKA.drain(topic)) {
                RawRecord r =
                        byContent
                                .get(
                                        contentKey(
                                                topic,
                                                new String(c.key(), StandardCharsets.UTF_8),
                                                c.timestamp(),
                                                c.value()))
                                .removeFirst();
                if (r.isCorrupted()) {
                    expectedDeadLetters.put(
                            origin(topic, c.partition(), c.offset()),
                            Corruption.valueOf(r.corruption()).expectedReason(source));
                } else if (!r.duplicate()) {
                    List<String> ids = idsOf(r);
                    expectedCanonical.merge(source, (long) Math.max(1, ids.size()), Long::sum);
                    expectedIds.addAll(ids);
                }
            }
        }
        assertThat(byContent.values()).allMatch(Deque::isEmpty);
        assertThat(expectedDeadLetters).isNotEmpty();
        assertThat(raw.stream().filter(r -> r.duplicate() && !r.isCorrupted()).count())
                .isPositive();

        List<ConsumerRecord<byte[], byte[]>> canonicalRecords =
                KAFKA.drain(kafka.topic(Topics.EVENTS_CANONICAL));
        List<CanonicalEvent> canonical =
                canonicalRecords.stream()
                        .map(c -> Topics.EVENTS_CANONICAL.valueCodec().decode(c.value()).value())
                        .collect(Collectors.toList());
        // Every record names its event's type in a header, for readers that skip types undecoded.
        for (int i = 0; i < canonical.size(); i++) {
            assertThat(
                            new String(
                                    canonicalRecords
                                            .get(i)
                                            .headers()
                                            .lastHeader(Topics.EVENT_TYPE_HEADER)
                                            .value(),
                                    StandardCharsets.UTF_8))
                    .isEqualTo(canonical.get(i).type().name());
        }
        Map<EventSource, Long> actualCanonical =
                canonical.stream()
                        .collect(
                                Collectors.groupingBy(
                                        CanonicalEvent::source,
                                        () -> new EnumMap<>(EventSource.class),
                                        Collectors.counting()));
        Set<String> actualIds =
                canonical.stream().map(CanonicalEvent::eventId).collect(Collectors.toSet());

        assertThat(actualIds).as("canonical eventIds are unique").hasSize(canonical.size());
        assertThat(actualCanonical).as("canonical events per source").isEqualTo(expectedCanonical);
        // Ids from the sources' own ids are exactly the expected ones; the rest are content hashes,
        // one per
        // loyalty update and sensor reading (their counts are checked per source above).
        Set<String> sourceIds =
                actualIds.stream()
                        .filter(id -> !id.startsWith("loyalty:h") && !id.startsWith("sensors:h"))
                        .collect(Collectors.toSet());
        assertThat(sourceIds)
                .as("every id-bearing raw record's events, and no others")
                .isEqualTo(expectedIds);
        assertThat(actualIds.size() - sourceIds.size())
                .isEqualTo(
                        expectedCanonical.get(EventSource.LOYALTY)
                                + expectedCanonical.get(EventSource.SENSORS));

        Map<String, ReasonCode> actualDeadLetters = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> c : KAFKA.drain(kafka.topic(Topics.EVENTS_DLQ))) {
            DeadLetter d = Topics.EVENTS_DLQ.valueCodec().decode(c.value()).value();
            assertThat(
                            actualDeadLetters.put(
                                    origin(d.originTopic(), d.originPartition(), d.originOffset()),
                                    d.reason()))
                    .as("one dead letter per origin")
                    .isNull();
            assertThat(new String(c.key(), StandardCharsets.UTF_8)).isEqualTo(d.originTopic());
        }
        assertThat(actualDeadLetters)
                .as("dead letters by origin, with their reasons")
                .isEqualTo(expectedDeadLetters);
    }

    /**
     * The canonical ids of an id-bearing raw record, by the documented rules; empty for hashed
     * sources.
     */
    private static List<String> idsOf(RawRecord r) {
        return switch (r.source()) {
            case CLICKSTREAM ->
                    List.of(
                            "clickstream:"
                                    + ((ClickstreamEvent)
                                                    Topics.RAW_CLICKSTREAM
                                                            .valueCodec()
                                                            .decode(r.value())
                                                            .value())
                                            .eventId());
            case ORDERS -> {
                OrderEvent o =
                        (OrderEvent) Topics.RAW_ORDERS.valueCodec().decode(r.value()).value();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < o.lines().size(); i++) {
                    ids.add("orders:" + o.orderId() + ":" + i);
                }
                yield ids;
            }
            case SOCIAL ->
                    List.of(
                            "social:"
                                    + ((SocialPost)
                                                    Topics.RAW_SOCIAL
                                                            .valueCodec()
                                                            .decode(r.value())
                                                            .value())
                                            .postId());
            case LOYALTY, SENSORS -> List.of();
        };
    }

    private static String contentKey(String topic, String key, long timestamp, byte[] value) {
        return topic
                + "|"
                + key
                + "|"
                + timestamp
                + "|"
                + java.util.Base64.getEncoder().encodeToString(value);
    }

    private static String origin(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }
}
