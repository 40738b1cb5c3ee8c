package io.eventml.common.topic;

import io.eventml.common.serde.Codec;

import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Writes values of one type to one topic: the value through its codec, a UTF-8 key and a record
 * timestamp taken from the value. It names its topic to the sink (a {@link
 * KafkaDatasetFacetProvider}), as the pooling transaction naming needs.
 */
public final class TopicSerializer<V>
        implements KafkaRecordSerializationSchema<V>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    /** The Kafka key of a value. */
    @FunctionalInterface
    public interface KeyOf<V> extends Serializable {
        String keyOf(V value);
    }

    /** The Kafka record timestamp of a value, epoch ms. */
    @FunctionalInterface
    public interface TimestampOf<V> extends Serializable {
        long timestampOf(V value);
    }

    private final String topic;
    private final Codec<V> codec;
    private final KeyOf<V> key;
    private final TimestampOf<V> timestamp;

    /**
     * @param topic the topic's name on this cluster (see {@code KafkaOptions#topic})
     * @param codec the topic's value codec; must be serializable, as the registry's codecs are
     */
    public TopicSerializer(String topic, Codec<V> codec, KeyOf<V> key, TimestampOf<V> timestamp) {
        if (!(codec instanceof Serializable)) {
            throw new IllegalArgumentException("the codec of " + topic + " must be serializable");
        }
        this.topic = topic;
        this.codec = codec;
        this.key = key;
        this.timestamp = timestamp;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            V value, KafkaSinkContext context, Long ignored) {
        return new ProducerRecord<>(
                topic,
                null,
                timestamp.timestampOf(value),
                Codec.utf8().encode(key.keyOf(value)),
                codec.encode(value));
    }

    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(
                new DefaultKafkaDatasetFacet(
                        DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }
}
