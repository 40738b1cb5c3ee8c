package io.eventml.common.topic;

import io.eventml.common.serde.Codec;

import java.util.Objects;

/**
 * A Kafka topic of the suite bound to the codecs of its keys and values. Instances live in {@link
 * Topics}.
 *
 * @param name the topic name other tools rely on
 * @param partitions the default partition count, used when the topic is created
 * @param cleanupPolicy delete or compact
 * @param keyCodec how keys are written
 * @param valueCodec how values are written
 * @param description what it carries and how it is keyed
 */
public record Topic<K, V>(
        String name,
        int partitions,
        CleanupPolicy cleanupPolicy,
        Codec<K> keyCodec,
        Codec<V> valueCodec,
        String description) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        Objects.requireNonNull(keyCodec, "keyCodec");
        Objects.requireNonNull(valueCodec, "valueCodec");
        Objects.requireNonNull(description, "description");
        if (partitions < 1) {
            throw new IllegalArgumentException(name + ": partitions must be at least 1");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
