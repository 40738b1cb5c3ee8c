package io.eventml.common.topic;

import io.eventml.common.config.SourceOptions;
import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.serde.Codec;
import io.eventml.common.serde.ReasonCode;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The type header of {@code events.canonical}: written on every record, and a reader that wants
 * only purchases skips the rest undecoded, while the skipped records still move its watermark.
 */
class EventTypeHeaderTest {
    private static final String TOPIC = "events.canonical";
    private static final byte[] PURCHASE =
            EventType.PURCHASE.name().getBytes(StandardCharsets.UTF_8);

    private static final TopicSerializer<CanonicalEvent> WRITER =
            new TopicSerializer<>(
                    TOPIC,
                    Topics.EVENTS_CANONICAL.valueCodec(),
                    CanonicalEvent::partitionKey,
                    CanonicalEvent::eventTime,
                    Topics.EVENT_TYPE_HEADER,
                    e -> e.type().name());

    private static final TopicDeserializer<CanonicalEvent> PURCHASES_ONLY =
            new TopicDeserializer<>(
                            Topics.EVENTS_CANONICAL.valueCodec(), TopicInput.CANONICAL_EVENTS)
                    .skipping(Topics.EVENT_TYPE_HEADER, h -> Arrays.equals(h, PURCHASE));

    private static final long T = 1_763_979_330_123L;

    private static CanonicalEvent event(EventType type, long time) {
        return new CanonicalEvent(
                1,
                "orders:" + type + time,
                type,
                EventSource.ORDERS,
                type.hasUser() ? "u-7" : null,
                type.hasUser() ? "sku-0001" : null,
                type.hasUser() ? null : "store-3",
                time,
                time + 1_000,
                type == EventType.PURCHASE ? 19.5 : 0.0,
                type == EventType.PURCHASE ? 1 : 0,
                Map.of());
    }

    /** What a consumer would read back of a record the writer made. */
    private static ConsumerRecord<byte[], byte[]> readBack(ProducerRecord<byte[], byte[]> r) {
        return new ConsumerRecord<>(
                r.topic(),
                0,
                42L,
                r.timestamp(),
                TimestampType.CREATE_TIME,
                r.key().length,
                r.value().length,
                r.key(),
                r.value(),
                new RecordHeaders(r.headers().toArray()),
                Optional.empty());
    }

    private static List<TopicInput<CanonicalEvent>> read(ConsumerRecord<byte[], byte[]> record) {
        List<TopicInput<CanonicalEvent>> out = new ArrayList<>();
        PURCHASES_ONLY.deserialize(
                record,
                new Collector<>() {
                    @Override
                    public void collect(TopicInput<CanonicalEvent> in) {
                        out.add(in);
                    }

                    @Override
                    public void close() {}
                });
        return out;
    }

    @Test
    void everyRecordNamesItsEventTypeInAHeader() {
        for (EventType type : EventType.values()) {
            ProducerRecord<byte[], byte[]> record = WRITER.serialize(event(type, T), null, null);
            Header[] headers = record.headers().toArray();
            assertThat(headers).hasSize(1);
            assertThat(headers[0].key()).isEqualTo("eventml.type");
            assertThat(new String(headers[0].value(), StandardCharsets.UTF_8))
                    .isEqualTo(type.name());
            assertThat(record.timestamp()).isEqualTo(T);
        }
    }

    @Test
    void otherTypesAreSkippedUndecodedKeepingOnlyTheirTimestamp() {
        CanonicalEvent purchase = event(EventType.PURCHASE, T + 1_000L);
        assertThat(read(readBack(WRITER.serialize(purchase, null, null))))
                .containsExactly(TopicInput.of(purchase));

        TopicInput<CanonicalEvent> view =
                read(readBack(
                                WRITER.serialize(
                                        event(EventType.PRODUCT_VIEW, T + 2_000L), null, null)))
                        .get(0);
        assertThat(view.isSkipped()).isTrue();
        assertThat(view.isValid()).isFalse();
        assertThat(view.isDeadLetter()).isFalse();
        assertThat(view.skippedTime()).isEqualTo(T + 2_000L);

        // A skipped record is not decoded at all: even an unreadable one is only skipped.
        ProducerRecord<byte[], byte[]> garbled =
                WRITER.serialize(event(EventType.CLICK, T + 3_000L), null, null);
        ConsumerRecord<byte[], byte[]> garbledBack =
                readBack(
                        new ProducerRecord<>(
                                TOPIC,
                                null,
                                garbled.timestamp(),
                                garbled.key(),
                                Codec.utf8().encode("{not json"),
                                garbled.headers()));
        assertThat(read(garbledBack)).containsExactly(TopicInput.skipped(T + 3_000L));
    }

    @Test
    void recordsWithoutTheHeaderAreDecodedAsBefore() {
        CanonicalEvent view = event(EventType.PRODUCT_VIEW, T + 4_000L);
        ProducerRecord<byte[], byte[]> plain =
                new TopicSerializer<>(
                                TOPIC,
                                Topics.EVENTS_CANONICAL.valueCodec(),
                                CanonicalEvent::partitionKey,
                                CanonicalEvent::eventTime)
                        .serialize(view, null, null);
        assertThat(plain.headers().toArray()).isEmpty();
        assertThat(read(readBack(plain))).containsExactly(TopicInput.of(view));

        TopicInput<CanonicalEvent> letter = unreadableWithoutHeader();
        assertThat(letter.isDeadLetter()).isTrue();
        assertThat(letter.isSkipped()).isFalse();
        assertThat(letter.deadLetter().originOffset()).isEqualTo(42L);
        assertThat(letter.deadLetter().reason()).isEqualTo(ReasonCode.MALFORMED_JSON);
    }

    private static TopicInput<CanonicalEvent> unreadableWithoutHeader() {
        return read(readBack(
                        new ProducerRecord<>(
                                TOPIC,
                                null,
                                T + 5_000L,
                                Codec.utf8().encode("u-7"),
                                Codec.utf8().encode("{not json"),
                                List.of())))
                .get(0);
    }

    @Test
    void skippedRecordsMoveTheWatermarkByTheirTimestampAndDeadLettersDoNot() {
        TimestampAssigner<TopicInput<CanonicalEvent>> time =
                new SourceOptions(
                                "g",
                                "earliest",
                                true,
                                1,
                                null,
                                Duration.ofSeconds(10),
                                Duration.ofSeconds(30))
                        .inputWatermarks(CanonicalEvent::eventTime)
                        .createTimestampAssigner(null);
        CanonicalEvent purchase = event(EventType.PURCHASE, T + 6_000L);
        assertThat(time.extractTimestamp(TopicInput.of(purchase), -1)).isEqualTo(T + 6_000L);
        assertThat(time.extractTimestamp(TopicInput.skipped(T + 7_000L), -1)).isEqualTo(T + 7_000L);
        assertThat(time.extractTimestamp(unreadableWithoutHeader(), -1)).isEqualTo(Long.MIN_VALUE);
    }
}
