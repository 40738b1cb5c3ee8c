package io.eventml.common.raw;

import java.util.List;
import java.util.Objects;

/**
 * One record of {@code raw.orders}, as the order system sends it; {@code createdAt} is epoch
 * seconds on the wire.
 *
 * @param orderId the order system's id
 * @param customerId the buying user
 * @param storeId the store, for store orders
 * @param channel where the order was placed
 * @param currency ISO-4217 code, three upper-case letters
 * @param createdAt when the order was placed, epoch seconds
 * @param lines one or more order lines
 */
public record OrderEvent(
        String orderId,
        String customerId,
        String storeId,
        OrderChannel channel,
        String currency,
        long createdAt,
        List<OrderLine> lines) {

    public OrderEvent {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(currency, "currency");
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("an order needs at least one line");
        }
    }
}
