package io.eventml.common.config;

import io.eventml.common.topic.Topic;
import io.eventml.common.topic.TopicDeserializer;
import io.eventml.common.topic.TopicInput;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * How a job reads Kafka and runs, from the arguments every job shares.
 *
 * @param groupId {@code --group-id}: consumer group (offsets are committed on checkpoints, for
 *     monitoring)
 * @param startingOffsets {@code --starting-offsets}: where to start without a savepoint: earliest,
 *     latest or committed
 * @param bounded {@code --bounded}: stop at the end offsets found at start instead of running
 *     forever
 * @param parallelism {@code --parallelism}: job parallelism, or -1 for the cluster default
 * @param checkpointInterval {@code --checkpoint-interval}, or {@code null} to keep the cluster's
 *     (10 s if none)
 * @param outOfOrderness {@code --out-of-orderness}: bound of the watermarks
 * @param idleness {@code --idleness}: after how long without records a partition stops holding back
 *     watermarks; zero: never (a silent partition holds the watermark back until it speaks again)
 * @param alignmentDrift {@code --alignment-drift}: watermark alignment of the job's Kafka splits
 *     (FLIP-217): a partition whose watermark is this far ahead of the slowest is paused until the
 *     others catch up, which bounds what the job holds while it reads a backlog; zero (the
 *     default): off. Never applied to bounded runs (FLINK-39728)
 */
public record SourceOptions(
        String groupId,
        String startingOffsets,
        boolean bounded,
        int parallelism,
        Duration checkpointInterval,
        Duration outOfOrderness,
        Duration idleness,
        Duration alignmentDrift)
        implements Serializable {

    /**
     * Off by default: on Flink 2.2.1 with flink-connector-kafka 5.0.0-2.2, split alignment stalled
     * the suite's jobs in tests. A sparse partition paused by alignment that then went idle was
     * never resumed (FLINK-40093: the paused ingestion job caught up to all partitions but one,
     * whose offsets stayed put), a source with stopping offsets stopped short, and a bounded split
     * that finished while being paused failed the job (FLINK-39728). Also, on 2.2 alignment caps
     * how fast a backlog is read, at about drift / update interval event-time seconds per second
     * (FLINK-37399). Choose a drift of minutes where it is turned on.
     */
    public static final Duration DEFAULT_ALIGNMENT_DRIFT = Duration.ZERO;

    public static final Duration ALIGNMENT_UPDATE_INTERVAL = Duration.ofSeconds(1);

    /** Options with the default watermark alignment (off). */
    public SourceOptions(
            String groupId,
            String startingOffsets,
            boolean bounded,
            int parallelism,
            Duration checkpointInterval,
            Duration outOfOrderness,
            Duration idleness) {
        this(
                groupId,
                startingOffsets,
                bounded,
                parallelism,
                checkpointInterval,
                outOfOrderness,
                idleness,
                DEFAULT_ALIGNMENT_DRIFT);
    }

    /** Source options with the default idleness of 30 s. */
    public static SourceOptions fromArgs(
            JobArgs args, String job, String topics, Duration defaultOutOfOrderness) {
        return fromArgs(args, job, topics, defaultOutOfOrderness, Duration.ofSeconds(30));
    }

    public static SourceOptions fromArgs(
            JobArgs args,
            String job,
            String topics,
            Duration defaultOutOfOrderness,
            Duration defaultIdleness) {
        String groupId = args.string("group-id", "eventml-" + job, "consumer group of " + topics);
        String starting =
                args.choice(
                        "starting-offsets",
                        "earliest",
                        JobSetup.STARTING_OFFSETS,
                        "where to start without a savepoint");
        boolean bounded = args.flag("bounded", false, "stop at the end offsets found at start");
        int parallelism =
                args.intValue(
                        "parallelism", -1, -1, 32_768, "job parallelism (-1: cluster default)");
        if (parallelism == 0) {
            throw new JobArgs.InvalidArgumentsException(
                    job + ": --parallelism is '0', expected -1 or at least 1");
        }
        return new SourceOptions(
                groupId,
                starting,
                bounded,
                parallelism,
                args.duration(
                        "checkpoint-interval", null, Duration.ofMillis(100), "checkpoint interval"),
                args.duration(
                        "out-of-orderness",
                        defaultOutOfOrderness,
                        Duration.ZERO,
                        "watermark bound"),
                args.duration(
                        "idleness",
                        defaultIdleness,
                        Duration.ZERO,
                        "idle partition timeout (0: partitions never count as idle)"),
                args.duration(
                        "alignment-drift",
                        DEFAULT_ALIGNMENT_DRIFT,
                        Duration.ZERO,
                        "watermark alignment of the Kafka partitions (0: off)"));
    }

    /** These options with other starting offsets and boundedness (tests, backfills). */
    public SourceOptions withStart(String startingOffsets, boolean bounded) {
        return new SourceOptions(
                groupId,
                startingOffsets,
                bounded,
                parallelism,
                checkpointInterval,
                outOfOrderness,
                idleness,
                alignmentDrift);
    }

    /**
     * A Kafka source of {@code topics}, read committed, from the starting offsets, bounded if
     * asked.
     */
    public <T> KafkaSource<T> kafkaSource(
            KafkaOptions kafka,
            List<String> topics,
            KafkaRecordDeserializationSchema<T> deserializer) {
        KafkaSourceBuilder<T> builder =
                KafkaSource.<T>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopics(topics)
                        .setGroupId(groupId)
                        .setStartingOffsets(JobSetup.startingOffsets(startingOffsets))
                        .setDeserializer(deserializer)
                        .setProperty("isolation.level", "read_committed")
                        // New partitions are picked up within a minute (bounded sources never
                        // look).
                        .setProperty("partition.discovery.interval.ms", "60000");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Bounded out-of-orderness per Kafka partition, idle partitions ignored (unless zero), aligned
     * in the group of the job's consumer group (unless the drift is zero or the run is bounded).
     */
    public <T> WatermarkStrategy<T> watermarks(SerializableTimestampAssigner<T> eventTime) {
        WatermarkStrategy<T> strategy =
                WatermarkStrategy.<T>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner(eventTime);
        if (!idleness.isZero()) {
            strategy = strategy.withIdleness(idleness);
        }
        // Not on bounded runs: flink-connector-kafka 5.0.0-2.2 may pause a split that has just
        // finished and fail the job ("No current assignment for partition", FLINK-39728).
        if (!alignmentDrift.isZero() && !bounded) {
            strategy =
                    strategy.withWatermarkAlignment(
                            groupId, alignmentDrift, ALIGNMENT_UPDATE_INTERVAL);
        }
        return strategy;
    }

    /**
     * A Kafka source of one registry topic, decoded with its codec; unreadable records become dead
     * letters (see {@link TopicDeserializer}).
     */
    public <T> KafkaSource<TopicInput<T>> topicSource(
            KafkaOptions kafka, Topic<String, T> topic, TypeInformation<TopicInput<T>> type) {
        return kafkaSource(
                kafka,
                List.of(kafka.topic(topic)),
                new TopicDeserializer<>(topic.valueCodec(), type));
    }

    /**
     * A Kafka source of a compacted control topic ({@code ml.model-pins}): read whole from its
     * earliest offset when the job starts without committed offsets, whatever {@code --start} says
     * (its newest record per key is the current setting), from the committed ones otherwise.
     * Bounded like the job's other sources.
     */
    public <T> KafkaSource<TopicInput<T>> controlSource(
            KafkaOptions kafka, Topic<String, T> topic, TypeInformation<TopicInput<T>> type) {
        KafkaSourceBuilder<TopicInput<T>> builder =
                KafkaSource.<TopicInput<T>>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopics(List.of(kafka.topic(topic)))
                        .setGroupId(groupId)
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(new TopicDeserializer<>(topic.valueCodec(), type))
                        .setProperty("isolation.level", "read_committed");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** A Kafka source of one registry topic, read by {@code deserializer}. */
    public <T> KafkaSource<TopicInput<T>> topicSource(
            KafkaOptions kafka, Topic<String, T> topic, TopicDeserializer<T> deserializer) {
        return kafkaSource(kafka, List.of(kafka.topic(topic)), deserializer);
    }

    /**
     * {@link #watermarks} of a topic's inputs by the event time of their values, or the Kafka
     * timestamp of records skipped undecoded; dead letters never move them.
     */
    public <T> WatermarkStrategy<TopicInput<T>> inputWatermarks(EventTime<T> eventTime) {
        return watermarks(
                (in, ts) ->
                        in.isValid()
                                ? eventTime.of(in.value())
                                : in.isSkipped() ? in.skippedTime() : Long.MIN_VALUE);
    }

    /** The event time of a value, epoch ms. */
    @FunctionalInterface
    public interface EventTime<T> extends Serializable {
        long of(T value);
    }
}
