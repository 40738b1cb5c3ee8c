package io.eventml.common.serde;

import java.util.Objects;

/**
 * Where a record came from: its Kafka topic, partition and offset. {@link #UNKNOWN} stands for
 * records that did not come from Kafka (tests, benchmarks, the generator's library API).
 */
public record Origin(String topic, int partition, long offset) {

    public static final Origin UNKNOWN = new Origin("", -1, -1L);

    public Origin {
        Objects.requireNonNull(topic, "topic");
    }

    public static Origin of(String topic, int partition, long offset) {
        return new Origin(topic, partition, offset);
    }

    public boolean isKnown() {
        return !topic.isEmpty();
    }

    @Override
    public String toString() {
        return isKnown() ? topic + "-" + partition + "@" + offset : "unknown origin";
    }
}
