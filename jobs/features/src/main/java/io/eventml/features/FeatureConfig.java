package io.eventml.features;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;
import io.eventml.common.features.FeatureSpec;

import java.io.Serializable;
import java.time.Duration;

/**
 * Settings of the feature job, from its arguments (see docs/features.md).
 *
 * @param kafka brokers, transactional id prefix, delivery guarantee, topic suffix
 * @param source consumer group, starting offsets, boundedness, parallelism, checkpoints, watermarks
 * @param allowedLateness {@code --allowed-lateness}: how far behind the watermark a view may arrive
 *     and still be scored exactly; later views go to the dead-letter topic as {@code LATE_VIEW}
 * @param featureSpec {@code --feature-spec}: the spec version of the vectors emitted, the newest by
 *     default; an older one keeps a suite on the features its models were trained on
 *     (docs/features.md, "Rolling out a new spec")
 * @param stateCacheKeys {@code --state-cache-keys}: per keyed stage and subtask, how many keys'
 *     state is also kept on the heap in front of the state backend, so that a busy key's state is
 *     not read from RocksDB on every record (docs/features.md, "State per key")
 */
public record FeatureConfig(
        KafkaOptions kafka,
        SourceOptions source,
        Duration allowedLateness,
        int featureSpec,
        int stateCacheKeys)
        implements Serializable {

    public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofMinutes(1);

    /**
     * Partitions of {@code events.canonical} never count as idle: when ingestion pauses they all
     * fall silent, and when it resumes they do not all speak again at once. Were they idle, the
     * first to speak would move the watermark past the others' events.
     */
    public static final Duration DEFAULT_IDLENESS = Duration.ZERO;

    /** Allowed lateness is kept below an hour: events are folded at whole hours. */
    public static final Duration MAX_ALLOWED_LATENESS = Duration.ofMinutes(59);

    /**
     * Keys per keyed stage and subtask whose state is also kept on the heap: about 1.7-3 KB per
     * user on average in the benchmark's world (a user busy in every minute of the last hour holds
     * several times that) and 2 KB per item, so about 55-100 MB per user subtask once full. Chosen
     * by measurement (docs/benchmarks.md, "The state cache's size"): 4,096 held a quarter of the
     * user stage's reads over 50,000 users, 32,768 held 85% of them.
     */
    public static final int DEFAULT_STATE_CACHE_KEYS = 32_768;

    public FeatureConfig {
        if (allowedLateness.isNegative()
                || allowedLateness.isZero()
                || allowedLateness.compareTo(MAX_ALLOWED_LATENESS) > 0) {
            throw new JobArgs.InvalidArgumentsException(
                    "features: --allowed-lateness is '"
                            + allowedLateness
                            + "', expected a duration from 1ms to 59m");
        }
        if (!FeatureSpec.isKnown(featureSpec)) {
            throw new JobArgs.InvalidArgumentsException(
                    "features: --feature-spec is "
                            + featureSpec
                            + ", this build emits spec versions "
                            + FeatureSpec.FIRST_VERSION
                            + " to "
                            + FeatureSpec.VERSION);
        }
    }

    /** The newest spec. */
    public FeatureConfig(KafkaOptions kafka, SourceOptions source, Duration allowedLateness) {
        this(kafka, source, allowedLateness, FeatureSpec.VERSION, DEFAULT_STATE_CACHE_KEYS);
    }

    /** The production settings, the allowed lateness at its default. */
    public FeatureConfig(KafkaOptions kafka, SourceOptions source) {
        this(kafka, source, DEFAULT_ALLOWED_LATENESS);
    }

    public static FeatureConfig fromArgs(JobArgs args) {
        return new FeatureConfig(
                KafkaOptions.fromArgs(args, "features"),
                SourceOptions.fromArgs(
                        args,
                        "features",
                        "events.canonical",
                        DEFAULT_OUT_OF_ORDERNESS,
                        DEFAULT_IDLENESS),
                args.duration(
                        "allowed-lateness",
                        DEFAULT_ALLOWED_LATENESS,
                        Duration.ofMillis(1),
                        "how far behind the watermark a view is still scored"),
                args.intValue(
                        "feature-spec",
                        FeatureSpec.VERSION,
                        FeatureSpec.FIRST_VERSION,
                        FeatureSpec.VERSION,
                        "spec version of the vectors emitted"),
                args.intValue(
                        "state-cache-keys",
                        DEFAULT_STATE_CACHE_KEYS,
                        1,
                        1_000_000,
                        "keys per keyed stage and subtask whose state is kept on the heap too"));
    }
}
