package io.eventml.common.event;

import io.eventml.common.serde.DecodeError;
import io.eventml.common.serde.Origin;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.serde.Utf8;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A rejected record on {@code events.dlq}: where it came from, why it was rejected, and its payload
 * (truncated to a bound, base64 when it is not valid UTF-8) so an operator can inspect and replay
 * it. See docs/events.md.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param originTopic the topic the record was read from
 * @param originPartition its partition
 * @param originOffset its offset
 * @param source the raw source, or {@code null} when the record did not come from a raw topic
 * @param reason the reason code
 * @param message what exactly was wrong
 * @param payload the payload, possibly truncated, as text or base64
 * @param payloadEncoding how {@code payload} is encoded
 * @param payloadBytes the size of the original payload in bytes
 * @param payloadTruncated whether {@code payload} holds less than the original
 * @param failedAt when the record was rejected, epoch milliseconds
 */
public record DeadLetter(
        int schemaVersion,
        String originTopic,
        int originPartition,
        long originOffset,
        EventSource source,
        ReasonCode reason,
        String message,
        String payload,
        PayloadEncoding payloadEncoding,
        int payloadBytes,
        boolean payloadTruncated,
        long failedAt) {

    public static final int SCHEMA_VERSION = 1;

    /** Default bound on the payload bytes kept in a dead letter. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 4096;

    /** How the payload is written in {@link #payload()}. */
    public enum PayloadEncoding {
        UTF8,
        BASE64
    }

    public DeadLetter {
        Objects.requireNonNull(originTopic, "originTopic");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(payloadEncoding, "payloadEncoding");
    }

    /**
     * A dead letter for {@code payload} rejected with {@code error}, keeping at most {@code
     * maxPayloadBytes} of it.
     */
    public static DeadLetter of(
            DecodeError error,
            EventSource source,
            byte[] payload,
            int maxPayloadBytes,
            long failedAt) {
        if (maxPayloadBytes < 0) {
            throw new IllegalArgumentException("maxPayloadBytes must not be negative");
        }
        byte[] bytes = payload == null ? new byte[0] : payload;
        Origin origin = error.origin();
        String kept;
        PayloadEncoding encoding;
        int keptBytes;
        if (Utf8.isValid(bytes, 0, bytes.length)) {
            keptBytes = Utf8.prefixLength(bytes, maxPayloadBytes);
            kept = new String(bytes, 0, keptBytes, StandardCharsets.UTF_8);
            encoding = PayloadEncoding.UTF8;
        } else {
            keptBytes = Math.min(bytes.length, maxPayloadBytes);
            kept = Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, keptBytes));
            encoding = PayloadEncoding.BASE64;
        }
        return new DeadLetter(
                SCHEMA_VERSION,
                origin.topic(),
                origin.partition(),
                origin.offset(),
                source,
                error.reason(),
                error.message(),
                kept,
                encoding,
                bytes.length,
                keptBytes < bytes.length,
                failedAt);
    }

    /** The kept payload bytes, decoded from {@link #payload()}. */
    public byte[] payloadAsBytes() {
        return payloadEncoding == PayloadEncoding.UTF8
                ? payload.getBytes(StandardCharsets.UTF_8)
                : Base64.getDecoder().decode(payload);
    }
}
