package io.eventml.ingestion;

import io.eventml.common.event.EventSource;
import io.eventml.common.serde.Origin;
import io.eventml.common.serde.ReasonCode;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Turns each raw Kafka record into an {@link Ingested} right in the source, so that watermarks are
 * generated per Kafka partition from real event times. Counts records in, canonical events out and
 * dead letters (per reason) for each source, and the optional descriptive fields dropped or cut per
 * field. Never throws on a bad record.
 */
final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<Ingested> {
    private static final long serialVersionUID = 1L;

    private final Map<String, EventSource> sourceByTopic;
    private final RawIngestor ingestor;

    private transient Map<EventSource, Counter> recordsIn;
    private transient Map<EventSource, Counter> canonicalOut;
    private transient Map<EventSource, Counter> deadLetters;
    private transient Map<EventSource, Map<ReasonCode, Counter>> deadLettersByReason;
    private transient BiConsumer<EventSource, String> repairedFields;

    RawRecordDeserializer(Map<String, EventSource> sourceByTopic, RawIngestor ingestor) {
        this.sourceByTopic = Map.copyOf(sourceByTopic);
        this.ingestor = ingestor;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        IngestMetrics metrics = new IngestMetrics(context.getMetricGroup());
        recordsIn = metrics.counters(IngestMetrics.RECORDS_IN);
        canonicalOut = metrics.counters(IngestMetrics.CANONICAL_OUT);
        deadLetters = metrics.counters(IngestMetrics.DEAD_LETTERS);
        deadLettersByReason = metrics.deadLettersByReason();
        repairedFields = metrics.repairedFields();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) {
        EventSource source = sourceByTopic.get(record.topic());
        if (source == null) {
            throw new IllegalStateException(
                    "subscribed to "
                            + record.topic()
                            + " but it is not a raw topic of "
                            + sourceByTopic.keySet());
        }
        Ingested ingested =
                ingestor.ingest(
                        source,
                        record.value(),
                        Origin.of(record.topic(), record.partition(), record.offset()),
                        System.currentTimeMillis(),
                        repair -> repairedFields.accept(source, repair.field()));
        recordsIn.get(source).inc();
        if (ingested.isDeadLetter()) {
            deadLetters.get(source).inc();
            deadLettersByReason.get(source).get(ingested.deadLetter().reason()).inc();
        } else {
            canonicalOut.get(source).inc(ingested.events().size());
        }
        out.collect(ingested);
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
