package io.eventml.common.topic;

import io.eventml.common.event.DeadLetter;
import io.eventml.common.serde.Codec;
import io.eventml.common.serde.Decoded;
import io.eventml.common.serde.Origin;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.io.Serializable;

/**
 * Decodes the values of one of the suite's topics with its registry codec. A record that cannot be
 * read becomes a {@link TopicInput} holding a dead letter (origin, reason, bounded payload) instead
 * of failing the job, so the job can send it to {@code events.dlq}.
 *
 * <p>A reader that needs only some of a topic's records can skip the others by a header, without
 * decoding them ({@link #skipping}): a record whose header says it is not wanted becomes a {@link
 * TopicInput#skipped} input holding only its Kafka timestamp; a record without that header is
 * decoded as usual.
 */
public final class TopicDeserializer<T> implements KafkaRecordDeserializationSchema<TopicInput<T>> {
    private static final long serialVersionUID = 1L;

    /** Which values of a header are wanted. */
    @FunctionalInterface
    public interface Wanted extends Serializable {
        boolean wanted(byte[] headerValue);
    }

    private final Codec<T> codec;
    private final TypeInformation<TopicInput<T>> producedType;
    private final String headerName;
    private final Wanted wanted;

    /**
     * @param codec the topic's value codec; must be serializable, as the registry's codecs are
     * @param producedType the type of the inputs, for example {@code new
     *     TypeHint<TopicInput<CanonicalEvent>>() {}.getTypeInfo()}
     */
    public TopicDeserializer(Codec<T> codec, TypeInformation<TopicInput<T>> producedType) {
        this(codec, producedType, null, null);
    }

    private TopicDeserializer(
            Codec<T> codec,
            TypeInformation<TopicInput<T>> producedType,
            String headerName,
            Wanted wanted) {
        if (!(codec instanceof Serializable)) {
            throw new IllegalArgumentException("the codec must be serializable");
        }
        this.codec = codec;
        this.producedType = producedType;
        this.headerName = headerName;
        this.wanted = wanted;
    }

    /**
     * This deserializer, but records whose last header {@code headerName} is not {@code wanted} are
     * skipped undecoded. Only for topics whose Kafka record timestamp is the value's event time: a
     * skipped record moves the watermark by it (see {@code SourceOptions#inputWatermarks}), as its
     * decoded value would have.
     */
    public TopicDeserializer<T> skipping(String headerName, Wanted wanted) {
        return new TopicDeserializer<>(codec, producedType, headerName, wanted);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TopicInput<T>> out) {
        if (wanted != null) {
            Header header = record.headers().lastHeader(headerName);
            if (header != null && !wanted.wanted(header.value())) {
                out.collect(TopicInput.skipped(record.timestamp()));
                return;
            }
        }
        Decoded<T> decoded =
                codec.decode(
                        record.value(),
                        Origin.of(record.topic(), record.partition(), record.offset()));
        if (decoded.isValid()) {
            out.collect(TopicInput.of(decoded.value()));
        } else {
            out.collect(
                    TopicInput.unreadable(
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
