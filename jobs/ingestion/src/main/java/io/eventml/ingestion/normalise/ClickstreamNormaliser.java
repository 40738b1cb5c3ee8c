package io.eventml.ingestion.normalise;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.raw.ClickstreamEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A web hit becomes one event of the matching type. A cart add has quantity 1. The session and
 * device travel as attributes; in-store hits keep their store.
 */
public final class ClickstreamNormaliser implements Normaliser<ClickstreamEvent> {

    @Override
    public List<CanonicalEvent> normalise(ClickstreamEvent e, long ingestTime) {
        EventType type =
                switch (e.action()) {
                    case PAGE_VIEW -> EventType.PAGE_VIEW;
                    case PRODUCT_VIEW -> EventType.PRODUCT_VIEW;
                    case CLICK -> EventType.CLICK;
                    case ADD_TO_CART -> EventType.ADD_TO_CART;
                };
        Map<String, String> attributes = new HashMap<>(4);
        attributes.put("sessionId", e.sessionId());
        if (e.device() != null) {
            attributes.put("device", e.device());
        }
        if (e.category() != null) {
            attributes.put("category", e.category());
        }
        return List.of(
                new CanonicalEvent(
                        CanonicalEvent.SCHEMA_VERSION,
                        "clickstream:" + e.eventId(),
                        type,
                        EventSource.CLICKSTREAM,
                        e.userId(),
                        e.itemId(),
                        e.storeId(),
                        e.timestamp().toEpochMilli(),
                        ingestTime,
                        0.0,
                        type == EventType.ADD_TO_CART ? 1 : 0,
                        attributes));
    }
}
