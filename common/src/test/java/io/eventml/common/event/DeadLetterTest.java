package io.eventml.common.event;

import io.eventml.common.serde.DecodeError;
import io.eventml.common.serde.Origin;
import io.eventml.common.serde.ReasonCode;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterTest {

    private static final DecodeError ERROR =
            new DecodeError(
                    ReasonCode.MISSING_FIELD,
                    "required field 'orderId' is missing",
                    Origin.of("raw.orders", 2, 99L));

    @Test
    void keepsOriginReasonAndASmallPayloadWhole() {
        byte[] payload = "{\"customerId\":\"u-1\"}".getBytes(StandardCharsets.UTF_8);
        DeadLetter d = DeadLetter.of(ERROR, EventSource.ORDERS, payload, 4096, 1000L);
        assertThat(d.originTopic()).isEqualTo("raw.orders");
        assertThat(d.originPartition()).isEqualTo(2);
        assertThat(d.originOffset()).isEqualTo(99L);
        assertThat(d.source()).isEqualTo(EventSource.ORDERS);
        assertThat(d.reason()).isEqualTo(ReasonCode.MISSING_FIELD);
        assertThat(d.message()).isEqualTo("required field 'orderId' is missing");
        assertThat(d.payload()).isEqualTo("{\"customerId\":\"u-1\"}");
        assertThat(d.payloadEncoding()).isEqualTo(DeadLetter.PayloadEncoding.UTF8);
        assertThat(d.payloadBytes()).isEqualTo(payload.length);
        assertThat(d.payloadTruncated()).isFalse();
        assertThat(d.failedAt()).isEqualTo(1000L);
    }

    @Test
    void truncatesLargePayloadsOnACharacterBoundary() {
        // "é" is two bytes: a cut at 5 bytes would split the third one.
        byte[] payload = "ééééé".getBytes(StandardCharsets.UTF_8);
        DeadLetter d = DeadLetter.of(ERROR, EventSource.ORDERS, payload, 5, 0L);
        assertThat(d.payload()).isEqualTo("éé");
        assertThat(d.payloadBytes()).isEqualTo(10);
        assertThat(d.payloadTruncated()).isTrue();
    }

    @Test
    void keepsInvalidUtf8AsBase64() {
        byte[] payload = {(byte) 0xFF, (byte) 0xFE, 'a', 'b'};
        DeadLetter d = DeadLetter.of(ERROR, EventSource.ORDERS, payload, 3, 0L);
        assertThat(d.payloadEncoding()).isEqualTo(DeadLetter.PayloadEncoding.BASE64);
        assertThat(d.payloadAsBytes()).isEqualTo(Arrays.copyOf(payload, 3));
        assertThat(d.payloadTruncated()).isTrue();
    }

    @Test
    void aMissingPayloadIsAnEmptyOne() {
        DeadLetter d = DeadLetter.of(ERROR, null, null, 10, 0L);
        assertThat(d.payload()).isEmpty();
        assertThat(d.payloadBytes()).isZero();
        assertThat(d.source()).isNull();
    }

    @Test
    void roundTripsThroughItsCodec() {
        DeadLetterCodec codec = new DeadLetterCodec();
        DeadLetter utf8 =
                DeadLetter.of(
                        ERROR,
                        EventSource.ORDERS,
                        "{\"x\":1}".getBytes(StandardCharsets.UTF_8),
                        64,
                        5L);
        DeadLetter base64 =
                DeadLetter.of(ERROR, null, new byte[] {(byte) 0xC0, (byte) 0xAF}, 64, 6L);
        assertThat(codec.decode(codec.encode(utf8)).value()).isEqualTo(utf8);
        assertThat(codec.decode(codec.encode(base64)).value()).isEqualTo(base64);
    }
}
