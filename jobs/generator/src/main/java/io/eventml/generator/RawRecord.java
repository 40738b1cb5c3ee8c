package io.eventml.generator;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.event.EventSource;
import io.eventml.common.serde.Codec;
import io.eventml.common.topic.Topics;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record the generator sends to a raw topic, with what the generator knows about it: the ground
 * truth tests reconcile against.
 *
 * @param source the raw source, which names the topic
 * @param key the Kafka key (user, customer, member, handle or device)
 * @param value the JSON payload, possibly corrupted
 * @param eventTime when the event happened, epoch ms
 * @param deliveryTime when it is sent, epoch ms: equal to the event time unless delayed by noise
 * @param corruption how the payload was corrupted, or {@code null} for a well-formed record
 * @param duplicate whether this is a re-sent copy of an earlier record
 */
public record RawRecord(
        EventSource source,
        String key,
        byte[] value,
        long eventTime,
        long deliveryTime,
        String corruption,
        boolean duplicate) {

    public RawRecord {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    public boolean isCorrupted() {
        return corruption != null;
    }

    /**
     * This record as the generator sends it: to its source's raw topic, keyed, timestamped with its
     * delivery.
     */
    public ProducerRecord<byte[], byte[]> toProducerRecord(KafkaOptions kafka) {
        return new ProducerRecord<>(
                kafka.topic(Topics.raw(source)),
                null,
                deliveryTime,
                Codec.utf8().encode(key),
                value);
    }

    RawRecord asDuplicate(long newDeliveryTime) {
        return new RawRecord(source, key, value, eventTime, newDeliveryTime, corruption, true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r
                && source == r.source
                && key.equals(r.key)
                && Arrays.equals(value, r.value)
                && eventTime == r.eventTime
                && deliveryTime == r.deliveryTime
                && Objects.equals(corruption, r.corruption)
                && duplicate == r.duplicate;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                source,
                key,
                Arrays.hashCode(value),
                eventTime,
                deliveryTime,
                corruption,
                duplicate);
    }

    @Override
    public String toString() {
        return source
                + "["
                + key
                + "] "
                + new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
