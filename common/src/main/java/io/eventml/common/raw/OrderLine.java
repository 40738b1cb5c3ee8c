package io.eventml.common.raw;

import java.util.Objects;

/**
 * One line of an order: {@code qty} units of {@code sku} at {@code unitPrice} each, in the order's
 * currency.
 */
public record OrderLine(String sku, int qty, double unitPrice) {
    public OrderLine {
        Objects.requireNonNull(sku, "sku");
    }

    public double total() {
        return qty * unitPrice;
    }
}
