package io.eventml.common.event;

import java.util.Map;
import java.util.Objects;

/**
 * The one event shape every job after ingestion works on. See docs/events.md for the wire format.
 *
 * @param schemaVersion the version of this shape, {@link #SCHEMA_VERSION} for events written by
 *     this build
 * @param eventId deterministic id: {@code <source>:<source's own id>}, or {@code <source>:h<content
 *     hash>} where the source has none, so a re-sent record gets the same id
 * @param type what happened
 * @param source which raw source it came from
 * @param userId the user, for every type but {@link EventType#SENSOR_READING}
 * @param itemId the item (SKU), where there is one
 * @param storeId the store, where there is one
 * @param eventTime when it happened, epoch milliseconds UTC
 * @param ingestTime when ingestion normalised it, epoch milliseconds UTC
 * @param value the event's amount: spend for a purchase, points delta, sentiment, sensor reading; 0
 *     otherwise
 * @param quantity items bought or added to the cart; 0 otherwise
 * @param attributes a few extra string attributes (session, currency, tier, metric)
 */
public record CanonicalEvent(
        int schemaVersion,
        String eventId,
        EventType type,
        EventSource source,
        String userId,
        String itemId,
        String storeId,
        long eventTime,
        long ingestTime,
        double value,
        long quantity,
        Map<String, String> attributes) {

    public static final int SCHEMA_VERSION = 1;

    /** At most this many attributes, so an event stays small in state. */
    public static final int MAX_ATTRIBUTES = 16;

    public CanonicalEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        if (type.hasUser() && userId == null) {
            throw new IllegalArgumentException(type + " event " + eventId + " needs a userId");
        }
        if (!type.hasUser() && storeId == null) {
            throw new IllegalArgumentException(type + " event " + eventId + " needs a storeId");
        }
    }

    /**
     * The Kafka key of this event on {@code events.canonical}: the user, or the store for sensor
     * readings.
     */
    public String partitionKey() {
        return type.hasUser() ? userId : storeId;
    }
}
