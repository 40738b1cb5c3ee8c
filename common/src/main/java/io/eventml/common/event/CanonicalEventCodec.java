package io.eventml.common.event;

import io.eventml.common.serde.DecodeException;
import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.serde.TimeBounds;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** JSON codec of {@link CanonicalEvent} on {@code events.canonical}; see docs/events.md. */
public final class CanonicalEventCodec extends JsonCodec<CanonicalEvent> {
    private static final long serialVersionUID = 1L;

    /** Longest accepted eventId: a source prefix plus a raw id. */
    public static final int MAX_EVENT_ID_LENGTH = 160;

    public static final int MAX_ATTRIBUTE_LENGTH = 256;
    public static final double MAX_ABS_VALUE = 1e12;
    public static final long MAX_QUANTITY = 1_000_000;

    private static final Map<String, EventType> TYPES = byName(EventType.values());
    private static final Map<String, EventSource> SOURCES = byName(EventSource.values());

    private final TimeBounds timeBounds;

    public CanonicalEventCodec() {
        this(JsonLimits.DEFAULT, TimeBounds.DEFAULT);
    }

    public CanonicalEventCodec(JsonLimits limits, TimeBounds timeBounds) {
        super(limits);
        this.timeBounds = timeBounds;
    }

    @Override
    protected CanonicalEvent read(JsonFields f) {
        int version = f.requiredInt("schemaVersion", 1, Integer.MAX_VALUE);
        if (version > CanonicalEvent.SCHEMA_VERSION) {
            throw new DecodeException(
                    ReasonCode.UNSUPPORTED_VERSION,
                    "schemaVersion "
                            + version
                            + " is newer than the newest this build reads ("
                            + CanonicalEvent.SCHEMA_VERSION
                            + ")");
        }
        String eventId = f.requiredId("eventId", MAX_EVENT_ID_LENGTH);
        EventType type = f.requiredEnum("type", TYPES);
        EventSource source = f.requiredEnum("source", SOURCES);
        String userId = type.hasUser() ? f.requiredId("userId") : f.optionalId("userId");
        String itemId = f.optionalId("itemId");
        String storeId = type.hasUser() ? f.optionalId("storeId") : f.requiredId("storeId");
        long eventTime = f.requiredEpochMillis("eventTime", timeBounds);
        long ingestTime = f.requiredLong("ingestTime", 0, Long.MAX_VALUE);
        double value = f.requiredDouble("value", -MAX_ABS_VALUE, MAX_ABS_VALUE);
        long quantity = f.requiredLong("quantity", 0, MAX_QUANTITY);
        Map<String, String> attributes =
                f.optionalStringMap(
                        "attributes", CanonicalEvent.MAX_ATTRIBUTES, MAX_ATTRIBUTE_LENGTH);
        return new CanonicalEvent(
                version,
                eventId,
                type,
                source,
                userId,
                itemId,
                storeId,
                eventTime,
                ingestTime,
                value,
                quantity,
                attributes);
    }

    @Override
    protected void write(CanonicalEvent e, JsonGenerator out) throws IOException {
        out.writeNumberField("schemaVersion", e.schemaVersion());
        out.writeStringField("eventId", e.eventId());
        out.writeStringField("type", e.type().name());
        out.writeStringField("source", e.source().name());
        writeOptional(out, "userId", e.userId());
        writeOptional(out, "itemId", e.itemId());
        writeOptional(out, "storeId", e.storeId());
        out.writeNumberField("eventTime", e.eventTime());
        out.writeNumberField("ingestTime", e.ingestTime());
        out.writeNumberField("value", e.value());
        out.writeNumberField("quantity", e.quantity());
        if (!e.attributes().isEmpty()) {
            out.writeObjectFieldStart("attributes");
            for (Map.Entry<String, String> a : new java.util.TreeMap<>(e.attributes()).entrySet()) {
                out.writeStringField(a.getKey(), a.getValue());
            }
            out.writeEndObject();
        }
    }

    /** A lookup table from constant name to constant. */
    public static <E extends Enum<E>> Map<String, E> byName(E[] values) {
        return Arrays.stream(values)
                .collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));
    }
}
