package io.eventml.common.topic;

import io.eventml.common.serde.Codec;

import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Writes values of one type to one topic: the value through its codec, a UTF-8 key and a record
 * timestamp taken from the value, and optionally one header whose value is taken from the value (so
 * that a reader can skip a record without decoding it). It names its topic to the sink (a {@link
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

    /** The value of a record's header, UTF-8. */
    @FunctionalInterface
    public interface HeaderOf<V> extends Serializable {
        String headerOf(V value);
    }

    private final String topic;
    private final Codec<V> codec;
    private final KeyOf<V> key;
    private final TimestampOf<V> timestamp;
    private final String headerName;
    private final HeaderOf<V> header;

    /**
     * @param topic the topic's name on this cluster (see {@code KafkaOptions#topic})
     * @param codec the topic's value codec; must be serializable, as the registry's codecs are
     */
    public TopicSerializer(String topic, Codec<V> codec, KeyOf<V> key, TimestampOf<V> timestamp) {
        this(topic, codec, key, timestamp, null, null);
    }

    /** Also writes the header {@code headerName} on every record, its value from {@code header}. */
    public TopicSerializer(
            String topic,
            Codec<V> codec,
            KeyOf<V> key,
            TimestampOf<V> timestamp,
            String headerName,
            HeaderOf<V> header) {
        if ((headerName == null) != (header == null)) {
            throw new IllegalArgumentException("a header needs both a name and a value");
        }
        if (!(codec instanceof Serializable)) {
            throw new IllegalArgumentException("the codec of " + topic + " must be serializable");
        }
        this.topic = topic;
        this.codec = codec;
        this.key = key;
        this.timestamp = timestamp;
        this.headerName = headerName;
        this.header = header;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            V value, KafkaSinkContext context, Long ignored) {
        List<Header> headers =
                header == null
                        ? List.of()
                        : List.of(
                                new RecordHeader(
                                        headerName, Codec.utf8().encode(header.headerOf(value))));
        return new ProducerRecord<>(
                topic,
                null,
                timestamp.timestampOf(value),
                Codec.utf8().encode(key.keyOf(value)),
                codec.encode(value),
                headers);
    }

    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(
                new DefaultKafkaDatasetFacet(
                        DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }
}
