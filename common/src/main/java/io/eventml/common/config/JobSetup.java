package io.eventml.common.config;

import io.eventml.common.event.DeadLetter;
import io.eventml.common.topic.TopicSerializer;
import io.eventml.common.topic.Topics;

import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.time.Duration;
import java.util.List;

/**
 * What every job sets up the same way: parallelism, checkpointing, starting offsets, the
 * dead-letter sink.
 */
public final class JobSetup {
    /** Checkpoint interval when neither the arguments nor the cluster set one. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    /** Choices of {@code --starting-offsets}. */
    public static final List<String> STARTING_OFFSETS = List.of("earliest", "latest", "committed");

    private JobSetup() {}

    /**
     * Applies a job's parallelism (when positive) and checkpoint interval (when given; otherwise
     * the cluster's, or {@link #DEFAULT_CHECKPOINT_INTERVAL} when the cluster has none, since
     * exactly-once output needs checkpoints), and enables object reuse: every record type of the
     * suite is immutable.
     */
    public static void configure(
            StreamExecutionEnvironment env, int parallelism, Duration checkpointInterval) {
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        if (checkpointInterval != null) {
            env.enableCheckpointing(checkpointInterval.toMillis());
        } else if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(DEFAULT_CHECKPOINT_INTERVAL.toMillis());
        }
        env.getConfig().enableObjectReuse();
    }

    /**
     * {@link #configure(StreamExecutionEnvironment, int, Duration)} with a job's source options.
     */
    public static void configure(StreamExecutionEnvironment env, SourceOptions source) {
        configure(env, source.parallelism(), source.checkpointInterval());
    }

    /** The offsets a Kafka source starts from without a savepoint. */
    public static OffsetsInitializer startingOffsets(String choice) {
        return switch (choice) {
            case "latest" -> OffsetsInitializer.latest();
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case "earliest" -> OffsetsInitializer.earliest();
            default ->
                    throw new IllegalArgumentException(
                            "starting offsets must be one of " + STARTING_OFFSETS);
        };
    }

    /** {@code events.dlq}: keyed by origin topic, timestamped with the time of rejection. */
    /**
     * Checks at start that the exactly-once sinks' transactions fit the broker and the checkpoint
     * timeout of {@code env} (see {@link KafkaOptions#checkTransactions}).
     */
    public static void checkTransactions(StreamExecutionEnvironment env, KafkaOptions kafka) {
        kafka.checkTransactions(
                Duration.ofMillis(env.getCheckpointConfig().getCheckpointTimeout()));
    }

    public static ReportingKafkaSink<DeadLetter> deadLetterSink(KafkaOptions kafka) {
        return kafka.sink(
                "dlq",
                new TopicSerializer<>(
                        kafka.topic(Topics.EVENTS_DLQ),
                        Topics.EVENTS_DLQ.valueCodec(),
                        DeadLetter::originTopic,
                        DeadLetter::failedAt));
    }
}
