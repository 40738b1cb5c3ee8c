package io.eventml.common.raw;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;
import io.eventml.common.serde.TimeBounds;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** JSON codec of {@code raw.orders}; see docs/events.md. */
public final class OrderEventCodec extends JsonCodec<OrderEvent> {
    private static final long serialVersionUID = 1L;

    public static final int MAX_LINES = 200;
    public static final int MAX_QTY = 10_000;
    public static final double MAX_UNIT_PRICE = 1_000_000;

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Map<String, OrderChannel> CHANNELS =
            WireEnums.byWireName(OrderChannel.values(), OrderChannel::wireName);

    private final TimeBounds timeBounds;

    public OrderEventCodec() {
        this(JsonLimits.DEFAULT, TimeBounds.DEFAULT);
    }

    public OrderEventCodec(JsonLimits limits, TimeBounds timeBounds) {
        super(limits);
        this.timeBounds = timeBounds;
    }

    @Override
    protected OrderEvent read(JsonFields f) {
        String orderId = f.requiredId("orderId");
        String customerId = f.requiredId("customerId");
        OrderChannel channel = f.requiredEnum("channel", CHANNELS);
        String storeId =
                channel == OrderChannel.STORE ? f.requiredId("storeId") : f.optionalId("storeId");
        String currency = f.requiredText("currency");
        if (!CURRENCY.matcher(currency).matches()) {
            throw f.invalid(
                    "currency",
                    ReasonCode.INVALID_VALUE,
                    "is '" + currency + "', expected an ISO-4217 code such as EUR");
        }
        long createdAtMillis = f.requiredEpochSecondsAsMillis("createdAt", timeBounds);
        List<OrderLine> lines = f.requiredObjects("lines", 1, MAX_LINES, OrderEventCodec::readLine);
        return new OrderEvent(
                orderId, customerId, storeId, channel, currency, createdAtMillis / 1000, lines);
    }

    private static OrderLine readLine(JsonFields line) {
        return new OrderLine(
                line.requiredId("sku"),
                line.requiredInt("qty", 1, MAX_QTY),
                line.requiredDouble("unitPrice", 0, MAX_UNIT_PRICE));
    }

    @Override
    protected void write(OrderEvent e, JsonGenerator out) throws IOException {
        out.writeStringField("orderId", e.orderId());
        out.writeStringField("customerId", e.customerId());
        writeOptional(out, "storeId", e.storeId());
        out.writeStringField("channel", e.channel().wireName());
        out.writeStringField("currency", e.currency());
        out.writeNumberField("createdAt", e.createdAt());
        out.writeArrayFieldStart("lines");
        for (OrderLine line : e.lines()) {
            out.writeStartObject();
            out.writeStringField("sku", line.sku());
            out.writeNumberField("qty", line.qty());
            out.writeNumberField("unitPrice", line.unitPrice());
            out.writeEndObject();
        }
        out.writeEndArray();
    }
}
