package io.eventml.common.raw;

import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.TimeBounds;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Well-formed raw payloads and codecs on a fixed clock (2026-11-24T12:00:00Z), for serde tests. */
public final class RawFixtures {
    private RawFixtures() {}

    public static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    public static final TimeBounds BOUNDS =
            new TimeBounds(
                    Instant.parse("2000-01-01T00:00:00Z"),
                    Duration.ofDays(1),
                    Clock.fixed(NOW, ZoneOffset.UTC));

    public static final ClickstreamEventCodec CLICKSTREAM =
            new ClickstreamEventCodec(JsonLimits.DEFAULT, BOUNDS);
    public static final OrderEventCodec ORDERS = new OrderEventCodec(JsonLimits.DEFAULT, BOUNDS);
    public static final LoyaltyEventCodec LOYALTY =
            new LoyaltyEventCodec(JsonLimits.DEFAULT, BOUNDS);
    public static final SocialPostCodec SOCIAL = new SocialPostCodec(JsonLimits.DEFAULT, BOUNDS);
    public static final SensorReadingCodec SENSORS =
            new SensorReadingCodec(JsonLimits.DEFAULT, BOUNDS);

    public static final String CLICK_JSON =
            "{\"eventId\":\"c-000001\",\"sessionId\":\"s-42\",\"userId\":\"u-17\",\"action\":\"product_view\","
                    + "\"itemId\":\"sku-0042\",\"page\":\"/p/sku-0042\",\"referrer\":\"/c/shoes\",\"device\":\"mobile\","
                    + "\"timestamp\":\"2026-11-24T10:15:30.123Z\"}";

    public static final String ORDER_JSON =
            "{\"orderId\":\"o-100\",\"customerId\":\"u-17\",\"storeId\":\"store-3\",\"channel\":\"store\","
                    + "\"currency\":\"EUR\",\"createdAt\":1763979330,"
                    + "\"lines\":[{\"sku\":\"sku-0042\",\"qty\":2,\"unitPrice\":19.99},"
                    + "{\"sku\":\"sku-0007\",\"qty\":1,\"unitPrice\":5.0}]}";

    public static final String LOYALTY_JSON =
            "{\"memberId\":\"u-17\",\"tier\":\"GOLD\",\"pointsDelta\":120,\"balance\":3400,"
                    + "\"reason\":\"purchase\",\"ts\":1763979330123}";

    public static final String SOCIAL_JSON =
            "{\"postId\":\"p-9\",\"handle\":\"@shoefan\",\"userId\":\"u-17\",\"sentiment\":0.62,"
                    + "\"mentions\":[\"sku-0042\"],\"postedAt\":\"2026-11-24T11:15:30+01:00\"}";

    public static final String SENSOR_JSON =
            "{\"deviceId\":\"dev-3-1\",\"storeId\":\"store-3\",\"metric\":\"footfall\",\"value\":12,"
                    + "\"readingTime\":1763979330123}";

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
