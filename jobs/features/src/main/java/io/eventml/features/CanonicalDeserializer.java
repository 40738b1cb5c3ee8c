package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.DeadLetter;
import io.eventml.common.serde.Codec;
import io.eventml.common.serde.Decoded;
import io.eventml.common.serde.Origin;
import io.eventml.common.topic.Topics;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes {@code events.canonical}; a record that cannot be read becomes a dead letter instead of
 * failing the job.
 */
final class CanonicalDeserializer implements KafkaRecordDeserializationSchema<CanonicalInput> {
    private static final long serialVersionUID = 1L;

    private final Codec<CanonicalEvent> codec = Topics.EVENTS_CANONICAL.valueCodec();

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CanonicalInput> out) {
        Decoded<CanonicalEvent> decoded =
                codec.decode(
                        record.value(),
                        Origin.of(record.topic(), record.partition(), record.offset()));
        if (decoded.isValid()) {
            out.collect(new CanonicalInput(decoded.value(), null));
        } else {
            out.collect(
                    new CanonicalInput(
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
    public TypeInformation<CanonicalInput> getProducedType() {
        return TypeInformation.of(CanonicalInput.class);
    }
}
