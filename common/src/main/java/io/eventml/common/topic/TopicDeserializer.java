package io.eventml.common.topic;

import io.eventml.common.event.DeadLetter;
import io.eventml.common.serde.Codec;
import io.eventml.common.serde.Decoded;
import io.eventml.common.serde.Origin;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.Serializable;

/**
 * Decodes the values of one of the suite's topics with its registry codec. A record that cannot be
 * read becomes a {@link TopicInput} holding a dead letter (origin, reason, bounded payload) instead
 * of failing the job, so the job can send it to {@code events.dlq}.
 */
public final class TopicDeserializer<T> implements KafkaRecordDeserializationSchema<TopicInput<T>> {
    private static final long serialVersionUID = 1L;

    private final Codec<T> codec;
    private final TypeInformation<TopicInput<T>> producedType;

    /**
     * @param codec the topic's value codec; must be serializable, as the registry's codecs are
     * @param producedType the type of the inputs, for example {@code new
     *     TypeHint<TopicInput<CanonicalEvent>>() {}.getTypeInfo()}
     */
    public TopicDeserializer(Codec<T> codec, TypeInformation<TopicInput<T>> producedType) {
        if (!(codec instanceof Serializable)) {
            throw new IllegalArgumentException("the codec must be serializable");
        }
        this.codec = codec;
        this.producedType = producedType;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TopicInput<T>> out) {
        Decoded<T> decoded =
                codec.decode(
                        record.value(),
                        Origin.of(record.topic(), record.partition(), record.offset()));
        if (decoded.isValid()) {
            out.collect(new TopicInput<>(decoded.value(), null));
        } else {
            out.collect(
                    new TopicInput<>(
                            null,
                            DeadLetter.of(
                                    decoded.error(),
                                    null,
                                    record.value(),
                                    DeadLetter.DEFAULT_MAX_PAYLOAD_BYTES,
                                    System.currentTimeMillis())));
        }
    }

    @Override
    public TypeInformation<TopicInput<T>> getProducedType() {
        return producedType;
    }
}
