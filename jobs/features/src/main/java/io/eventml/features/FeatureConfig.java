package io.eventml.features;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.JobSetup;
import io.eventml.common.config.KafkaOptions;

import java.io.Serializable;
import java.time.Duration;

/**
 * Settings of the feature job, from its arguments (see docs/features.md).
 *
 * @param kafka brokers, transactional id prefix, delivery guarantee, topic suffix
 * @param groupId consumer group of {@code events.canonical}
 * @param startingOffsets where to start without a savepoint: earliest, latest or committed
 * @param bounded stop at the end offsets found at start
 * @param parallelism job parallelism, or -1 for the cluster default
 * @param checkpointInterval checkpoint interval, or {@code null} to keep the cluster's (10 s if it
 *     has none)
 * @param outOfOrderness bound of the watermarks: events later than this are applied late, out of
 *     order
 * @param idleness after how long without records a partition stops holding back the watermark
 */
public record FeatureConfig(
        KafkaOptions kafka,
        String groupId,
        String startingOffsets,
        boolean bounded,
        int parallelism,
        Duration checkpointInterval,
        Duration outOfOrderness,
        Duration idleness)
        implements Serializable {

    public static FeatureConfig fromArgs(JobArgs args) {
        KafkaOptions kafka = KafkaOptions.fromArgs(args, "features");
        String groupId =
                args.string("group-id", "eventml-features", "consumer group of events.canonical");
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
                    "features: --parallelism is '0', expected -1 or at least 1");
        }
        return new FeatureConfig(
                kafka,
                groupId,
                starting,
                bounded,
                parallelism,
                args.duration(
                        "checkpoint-interval", null, Duration.ofMillis(100), "checkpoint interval"),
                args.duration(
                        "out-of-orderness",
                        Duration.ofSeconds(10),
                        Duration.ZERO,
                        "watermark bound"),
                args.duration(
                        "idleness",
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1),
                        "idle partition timeout"));
    }
}
