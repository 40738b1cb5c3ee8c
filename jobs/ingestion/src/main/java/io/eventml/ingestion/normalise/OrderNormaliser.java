package io.eventml.ingestion.normalise;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.raw.OrderEvent;
import io.eventml.common.raw.OrderLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An order becomes one {@link EventType#PURCHASE} per line, with id {@code orders:<orderId>:<line
 * index>}, the line's quantity and its total (quantity times unit price, rounded to cents) as
 * value. Order id, currency and channel travel as attributes. The order's time is in seconds, so
 * its events are at whole seconds.
 */
public final class OrderNormaliser implements Normaliser<OrderEvent> {

    @Override
    public List<CanonicalEvent> normalise(OrderEvent o, long ingestTime) {
        Map<String, String> attributes =
                Map.of(
                        "orderId",
                        o.orderId(),
                        "currency",
                        o.currency(),
                        "channel",
                        o.channel().wireName());
        List<CanonicalEvent> events = new ArrayList<>(o.lines().size());
        for (int i = 0; i < o.lines().size(); i++) {
            OrderLine line = o.lines().get(i);
            events.add(
                    new CanonicalEvent(
                            CanonicalEvent.SCHEMA_VERSION,
                            "orders:" + o.orderId() + ":" + i,
                            EventType.PURCHASE,
                            EventSource.ORDERS,
                            o.customerId(),
                            line.sku(),
                            o.storeId(),
                            o.createdAt() * 1000,
                            ingestTime,
                            Math.round(line.total() * 100) / 100.0,
                            line.qty(),
                            attributes));
        }
        return events;
    }
}
