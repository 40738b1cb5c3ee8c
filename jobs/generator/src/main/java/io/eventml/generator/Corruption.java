package io.eventml.generator;

import io.eventml.common.event.EventSource;
import io.eventml.common.serde.ReasonCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;

/**
 * The ways the generator breaks a payload, each with the reason code ingestion must give it. Each
 * mode is a deterministic edit of a well-formed payload.
 */
public enum Corruption {
    TRUNCATED(ReasonCode.MALFORMED_JSON),
    NOT_JSON(ReasonCode.MALFORMED_JSON),
    INVALID_UTF8(ReasonCode.INVALID_ENCODING),
    NOT_AN_OBJECT(ReasonCode.NOT_AN_OBJECT),
    MISSING_FIELD(ReasonCode.MISSING_FIELD),
    WRONG_TYPE(ReasonCode.WRONG_TYPE),
    /**
     * A value outside its allowed set: an unknown action, a negative quantity or balance, sentiment
     * 7.5.
     */
    BAD_VALUE(ReasonCode.VALUE_OUT_OF_RANGE),
    FAR_FUTURE(ReasonCode.TIMESTAMP_OUT_OF_RANGE),
    EMPTY(ReasonCode.EMPTY_PAYLOAD),
    DEEP_NESTING(ReasonCode.LIMIT_EXCEEDED),
    OVERSIZED(ReasonCode.OVERSIZED_PAYLOAD);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Year 3000 in epoch seconds: far beyond any accepted event time. */
    private static final long YEAR_3000_SECONDS = 32_503_680_000L;

    private final ReasonCode expectedReason;

    Corruption(ReasonCode expectedReason) {
        this.expectedReason = expectedReason;
    }

    /** The reason code ingestion must give a payload of {@code source} corrupted this way. */
    public ReasonCode expectedReason(EventSource source) {
        if (this == BAD_VALUE && source == EventSource.CLICKSTREAM) {
            return ReasonCode.INVALID_VALUE;
        }
        return expectedReason;
    }

    /** Picks a mode; oversized payloads are rare because they are big. */
    static Corruption pick(double u) {
        // The first ten modes share 98% evenly, OVERSIZED gets 2%.
        if (u >= 0.98) {
            return OVERSIZED;
        }
        return values()[(int) (u / 0.098)];
    }

    /** Applies this corruption to a well-formed payload of {@code source}. */
    byte[] apply(EventSource source, byte[] payload) {
        return switch (this) {
            case TRUNCATED -> Arrays.copyOf(payload, payload.length / 2);
            case NOT_JSON ->
                    ("source=" + source.name().toLowerCase() + " payload unavailable")
                            .getBytes(StandardCharsets.UTF_8);
            case INVALID_UTF8 -> invalidUtf8(payload);
            case NOT_AN_OBJECT -> concat("[", payload, "]");
            case MISSING_FIELD -> edit(payload, o -> o.remove(firstField(o)));
            case WRONG_TYPE -> edit(payload, o -> o.put(firstField(o), 12345));
            case BAD_VALUE -> edit(payload, o -> badValue(source, o));
            case FAR_FUTURE -> edit(payload, o -> farFuture(source, o));
            case EMPTY -> new byte[0];
            case DEEP_NESTING -> edit(payload, o -> o.set("trace", nested(64)));
            case OVERSIZED -> edit(payload, o -> o.put("padding", "x".repeat(70 * 1024)));
        };
    }

    private static void badValue(EventSource source, ObjectNode o) {
        switch (source) {
            case CLICKSTREAM -> o.put("action", "teleport");
            case ORDERS -> ((ObjectNode) o.get("lines").get(0)).put("qty", -2);
            case LOYALTY -> o.put("balance", -1);
            case SOCIAL -> o.put("sentiment", 7.5);
            case SENSORS -> o.put("value", -1_000_000);
        }
    }

    private static void farFuture(EventSource source, ObjectNode o) {
        switch (source) {
            case CLICKSTREAM -> o.put("timestamp", "2999-01-01T00:00:00Z");
            case ORDERS -> o.put("createdAt", YEAR_3000_SECONDS);
            case LOYALTY -> o.put("ts", YEAR_3000_SECONDS * 1000);
            case SOCIAL -> o.put("postedAt", "2999-01-01T00:00:00+01:00");
            case SENSORS -> o.put("readingTime", YEAR_3000_SECONDS * 1000);
        }
    }

    private static ArrayNode nested(int depth) {
        ArrayNode root = MAPPER.createArrayNode();
        ArrayNode current = root;
        for (int i = 1; i < depth; i++) {
            current = current.addArray();
        }
        return root;
    }

    private static String firstField(ObjectNode o) {
        Iterator<String> names = o.fieldNames();
        return names.next();
    }

    private static byte[] invalidUtf8(byte[] payload) {
        // Replace the first character of the first string value by a lone 0xC3 followed by '(' (not
        // UTF-8).
        byte[] copy = payload.clone();
        int colon = indexOf(copy, (byte) ':');
        int quote = indexOf(copy, (byte) '"', colon + 1);
        copy[quote + 1] = (byte) 0xC3;
        copy[quote + 2] = (byte) '(';
        return copy;
    }

    private static int indexOf(byte[] bytes, byte b) {
        return indexOf(bytes, b, 0);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("no '" + (char) b + "' in payload");
    }

    private static byte[] concat(String before, byte[] payload, String after) {
        byte[] b = before.getBytes(StandardCharsets.UTF_8);
        byte[] a = after.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + payload.length + a.length];
        System.arraycopy(b, 0, out, 0, b.length);
        System.arraycopy(payload, 0, out, b.length, payload.length);
        System.arraycopy(a, 0, out, b.length + payload.length, a.length);
        return out;
    }

    private static byte[] edit(byte[] payload, java.util.function.Consumer<ObjectNode> change) {
        try {
            ObjectNode o = (ObjectNode) MAPPER.readTree(payload);
            change.accept(o);
            return MAPPER.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException("the generator's own payload must parse", e);
        }
    }
}
