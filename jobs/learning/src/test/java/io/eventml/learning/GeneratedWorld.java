package io.eventml.learning;

import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.TimeBounds;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.topic.Topics;
import io.eventml.features.FeatureConfig;
import io.eventml.features.FeatureJob;
import io.eventml.generator.GeneratorConfig;
import io.eventml.generator.Simulator;
import io.eventml.ingestion.IngestionConfig;
import io.eventml.ingestion.IngestionJob;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A generated world (2,000 users, seed 11) of a given length, ingested and turned into feature
 * vectors on a real broker by the ingestion and feature jobs at their production settings
 * (parallelism 2, default bounds, lateness and idleness): what the learning tests and the served
 * quality benchmark start from.
 *
 * @param simulator the world's generator, for its ground truth
 * @param kafka the options of the topics it was written to
 * @param canonicalRecords everything on {@code events.canonical}
 * @param featureRecords everything on {@code features.user}
 */
record GeneratedWorld(
        Simulator simulator,
        KafkaOptions kafka,
        List<ConsumerRecord<byte[], byte[]>> canonicalRecords,
        List<ConsumerRecord<byte[], byte[]>> featureRecords) {

    /** The world's first {@code length}, ending a few hours before now. */
    static GeneratedWorld generate(KafkaBrokerExtension broker, Duration length) throws Exception {
        return generate(broker, length, null);
    }

    /**
     * As {@link #generate(KafkaBrokerExtension, Duration)}, the world shifted from {@code
     * shiftAfter} on (null: never; {@link GeneratorConfig#withShiftAfter}).
     */
    static GeneratedWorld generate(
            KafkaBrokerExtension broker, Duration length, Duration shiftAfter) throws Exception {
        String suffix = broker.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        GeneratorConfig world =
                new GeneratorConfig(
                        11,
                        2_000,
                        200,
                        2,
                        12,
                        25,
                        true,
                        Instant.now()
                                .minus(length)
                                .minus(3, ChronoUnit.HOURS)
                                .truncatedTo(ChronoUnit.SECONDS),
                        length.toMillis() / GeneratorConfig.TICK.toMillis(),
                        new GeneratorConfig.Noise(0.01, 0.01, 0.05, Duration.ofSeconds(2), 0));
        if (shiftAfter != null) {
            world = world.withShiftAfter(shiftAfter);
        }
        Simulator simulator = new Simulator(world);
        KafkaOptions kafka = options(broker, suffix);
        broker.produce(
                simulator.records(0, world.ticks()).stream()
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
        env.execute("ingestion of a generated world");
        FeatureConfig features =
                new FeatureConfig(
                        kafka,
                        new SourceOptions(
                                "features" + suffix,
                                "earliest",
                                true,
                                2,
                                null,
                                FeatureConfig.DEFAULT_OUT_OF_ORDERNESS,
                                FeatureConfig.DEFAULT_IDLENESS));
        env = FlinkTestCluster.environment();
        new FeatureJob(
                        features,
                        FeatureJob.kafkaSource(features),
                        FeatureJob.featureSink(kafka),
                        JobSetup.deadLetterSink(kafka))
                .build(env);
        env.execute("features of a generated world");
        return new GeneratedWorld(
                simulator,
                kafka,
                broker.drain(kafka.topic(Topics.EVENTS_CANONICAL)),
                broker.drain(kafka.topic(Topics.FEATURES_USER)));
    }

    /**
     * The learning job's production settings on the world's topics (parallelism 2, the default
     * bound, inputs never idle, a candidate every 1,000 examples or 30 s, the default drift test),
     * bounded, with the given gate and feedback.
     */
    static LearningConfig learning(
            KafkaOptions kafka, PromotionGate.Settings gate, Feedback feedback) {
        return new LearningConfig(
                kafka,
                new SourceOptions(
                        "learning" + kafka.topicSuffix(),
                        "earliest",
                        true,
                        2,
                        null,
                        Duration.ofSeconds(10),
                        Duration.ZERO),
                LearningConfig.DEFAULT_MODEL_NAME,
                LabelJoinFunction.DEFAULT_HORIZON,
                LabelJoinFunction.DEFAULT_ALLOWED_LATENESS,
                FtrlProximal.defaults(),
                1_000,
                Duration.ofSeconds(30),
                gate,
                feedback,
                PageHinkley.Settings.defaults(),
                FeatureDrift.Settings.defaults());
    }

    /** Exactly-once options of the topics with {@code suffix} on {@code broker}. */
    static KafkaOptions options(KafkaBrokerExtension broker, String suffix) {
        return new KafkaOptions(
                broker.bootstrapServers(),
                "test" + suffix,
                DeliveryGuarantee.EXACTLY_ONCE,
                Duration.ofMinutes(5),
                suffix);
    }
}
