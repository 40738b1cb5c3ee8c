package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;

import java.util.Map;

/** Hand-made canonical events for harness tests. */
final class Events {
    /** A whole hour: 2025-11-24T10:00:00Z. */
    static final long T = 1_763_978_400_000L;

    static final long MINUTE = 60_000L;
    static final long HOUR = 3_600_000L;

    private Events() {}

    static CanonicalEvent view(String id, String user, String item, long time) {
        return view(id, user, item, time, "cat-1");
    }

    static CanonicalEvent view(String id, String user, String item, long time, String category) {
        return event(
                id,
                EventType.PRODUCT_VIEW,
                user,
                item,
                null,
                time,
                0,
                Map.of("category", category));
    }

    static CanonicalEvent inStoreView(
            String id, String user, String item, String store, long time) {
        return event(
                id,
                EventType.PRODUCT_VIEW,
                user,
                item,
                store,
                time,
                0,
                Map.of("category", "cat-1"));
    }

    static CanonicalEvent pageView(String id, String user, long time) {
        return event(id, EventType.PAGE_VIEW, user, null, null, time, 0, Map.of());
    }

    static CanonicalEvent click(String id, String user, String item, long time) {
        return event(id, EventType.CLICK, user, item, null, time, 0, Map.of());
    }

    static CanonicalEvent cartAdd(String id, String user, String item, long time) {
        return event(id, EventType.ADD_TO_CART, user, item, null, time, 0, Map.of());
    }

    static CanonicalEvent purchase(String id, String user, String item, long time, double spend) {
        return event(id, EventType.PURCHASE, user, item, null, time, spend, Map.of("orderId", "o"));
    }

    static CanonicalEvent loyalty(String id, String user, long time, String tier, long balance) {
        return event(
                id,
                EventType.LOYALTY_UPDATE,
                user,
                null,
                null,
                time,
                10,
                Map.of("tier", tier, "balance", Long.toString(balance)));
    }

    static CanonicalEvent post(String id, String user, long time, double sentiment) {
        return event(
                id,
                EventType.SOCIAL_POST,
                user,
                null,
                null,
                time,
                sentiment,
                Map.of("handle", "@x"));
    }

    static CanonicalEvent footfall(String id, String store, long time, double people) {
        return new CanonicalEvent(
                1,
                id,
                EventType.SENSOR_READING,
                EventSource.SENSORS,
                null,
                null,
                store,
                time,
                time,
                people,
                0,
                Map.of("metric", "footfall", "deviceId", "d"));
    }

    private static CanonicalEvent event(
            String id,
            EventType type,
            String user,
            String item,
            String store,
            long time,
            double value,
            Map<String, String> attributes) {
        EventSource source =
                switch (type) {
                    case PURCHASE -> EventSource.ORDERS;
                    case LOYALTY_UPDATE -> EventSource.LOYALTY;
                    case SOCIAL_POST -> EventSource.SOCIAL;
                    default -> EventSource.CLICKSTREAM;
                };
        return new CanonicalEvent(
                1,
                id,
                type,
                source,
                user,
                item,
                store,
                time,
                time,
                value,
                type == EventType.PURCHASE || type == EventType.ADD_TO_CART ? 1 : 0,
                attributes);
    }
}
