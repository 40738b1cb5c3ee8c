package io.eventml.ingestion;

import io.eventml.common.event.CanonicalEvent;

import org.apache.flink.api.common.functions.Partitioner;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Routes each canonical event to the ingestion subtask that writes its {@code events.canonical}
 * partition, so that every partition has exactly one writer and is written in the order that
 * subtask emits (event-time order, see {@link EventTimeOrder}). The partition of a key is the one
 * Kafka's default partitioner picks for it ({@code murmur2(key) mod partitions}), so the sink keeps
 * Kafka's own key-to-partition mapping; partition {@code p} is written by subtask {@code p mod
 * parallelism}.
 */
final class CanonicalPartitions implements Partitioner<String> {
    private static final long serialVersionUID = 1L;

    private final int partitions;

    CanonicalPartitions(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    "events.canonical needs at least one partition, got " + partitions);
        }
        this.partitions = partitions;
    }

    /** The partition Kafka's default partitioner gives {@code key} among {@code partitions}. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    static String keyOf(CanonicalEvent event) {
        return event.partitionKey();
    }

    @Override
    public int partition(String key, int subtasks) {
        return partitionOf(key, partitions) % subtasks;
    }
}
