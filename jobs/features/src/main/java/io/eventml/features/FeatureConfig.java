package io.eventml.features;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;

import java.io.Serializable;
import java.time.Duration;

/**
 * Settings of the feature job, from its arguments (see docs/features.md).
 *
 * @param kafka brokers, transactional id prefix, delivery guarantee, topic suffix
 * @param source consumer group, starting offsets, boundedness, parallelism, checkpoints, watermarks
 *     (events later than the out-of-orderness are applied late, out of order)
 */
public record FeatureConfig(KafkaOptions kafka, SourceOptions source) implements Serializable {

    public static FeatureConfig fromArgs(JobArgs args) {
        return new FeatureConfig(
                KafkaOptions.fromArgs(args, "features"),
                SourceOptions.fromArgs(
                        args, "features", "events.canonical", Duration.ofSeconds(10)));
    }
}
