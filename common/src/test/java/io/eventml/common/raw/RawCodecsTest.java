package io.eventml.common.raw;

import io.eventml.common.serde.Decoded;
import io.eventml.common.serde.FieldRepair;
import io.eventml.common.serde.Origin;
import io.eventml.common.serde.ReasonCode;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import static io.eventml.common.raw.RawFixtures.CLICKSTREAM;
import static io.eventml.common.raw.RawFixtures.CLICK_JSON;
import static io.eventml.common.raw.RawFixtures.LOYALTY;
import static io.eventml.common.raw.RawFixtures.LOYALTY_JSON;
import static io.eventml.common.raw.RawFixtures.ORDERS;
import static io.eventml.common.raw.RawFixtures.ORDER_JSON;
import static io.eventml.common.raw.RawFixtures.SENSORS;
import static io.eventml.common.raw.RawFixtures.SENSOR_JSON;
import static io.eventml.common.raw.RawFixtures.SOCIAL;
import static io.eventml.common.raw.RawFixtures.SOCIAL_JSON;
import static io.eventml.common.raw.RawFixtures.utf8;
import static io.eventml.common.testkit.DecodedAssertions.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

/** Each raw shape decodes field by field, round-trips, and enforces its source's own rules. */
class RawCodecsTest {
    private static final Origin ORIGIN = Origin.of("raw.clickstream", 0, 1L);

    @Test
    void clickstreamDecodesFieldByField() {
        ClickstreamEvent e = CLICKSTREAM.decode(utf8(CLICK_JSON)).value();
        assertThat(e)
                .isEqualTo(
                        new ClickstreamEvent(
                                "c-000001",
                                "s-42",
                                "u-17",
                                ClickAction.PRODUCT_VIEW,
                                "sku-0042",
                                "/p/sku-0042",
                                "/c/shoes",
                                "mobile",
                                null,
                                Instant.parse("2026-11-24T10:15:30.123Z"),
                                null));
        assertThat(CLICKSTREAM.decode(CLICKSTREAM.encode(e)).value()).isEqualTo(e);
    }

    @Test
    void blankOrOverlongDescriptiveFieldsAreDroppedOrCutAndTheHitIsKept() {
        String blankDevice = CLICK_JSON.replace("\"device\":\"mobile\"", "\"device\":\"  \"");
        Decoded<ClickstreamEvent> blank = CLICKSTREAM.decode(utf8(blankDevice), ORIGIN);
        assertThat(blank.value().device()).isNull();
        assertThat(blank.repairs())
                .containsExactly(new FieldRepair("device", FieldRepair.Kind.BLANK_DROPPED));

        String device = "Mozilla/5.0 ".repeat(14); // 168 characters, a user agent
        String withCategory =
                CLICK_JSON
                        .replace("\"device\":\"mobile\"", "\"device\":\"" + device + "\"")
                        .replace("/c/shoes", "/c/" + "r".repeat(3000))
                        .replace("/p/sku-0042", "/p/" + "q".repeat(3000))
                        .replace(
                                "\"timestamp\"",
                                "\"category\":\"" + "c".repeat(129) + "\",\"timestamp\"");
        Decoded<ClickstreamEvent> cut = CLICKSTREAM.decode(utf8(withCategory), ORIGIN);
        ClickstreamEvent e = cut.value();
        assertThat(e.device()).isEqualTo(device.substring(0, 128));
        assertThat(e.page()).hasSize(ClickstreamEventCodec.MAX_PAGE_LENGTH).startsWith("/p/qqq");
        assertThat(e.referrer()).hasSize(ClickstreamEventCodec.MAX_PAGE_LENGTH);
        assertThat(e.category()).as("a cut category would name another one").isNull();
        assertThat(cut.repairs())
                .containsExactlyInAnyOrder(
                        new FieldRepair("page", FieldRepair.Kind.CUT),
                        new FieldRepair("referrer", FieldRepair.Kind.CUT),
                        new FieldRepair("device", FieldRepair.Kind.CUT),
                        new FieldRepair("category", FieldRepair.Kind.TOO_LONG_DROPPED));

        // A surrogate pair is not split at the limit.
        String emoji = "a".repeat(127) + "\uD83D\uDE00";
        String withEmoji =
                CLICK_JSON.replace("\"device\":\"mobile\"", "\"device\":\"" + emoji + "\"");
        assertThat(CLICKSTREAM.decode(utf8(withEmoji), ORIGIN).value().device())
                .isEqualTo("a".repeat(127));

        Decoded<LoyaltyEvent> reason =
                LOYALTY.decode(utf8(LOYALTY_JSON.replace("\"purchase\"", "\"\"")), ORIGIN);
        assertThat(reason.value().reason()).isNull();
        assertThat(reason.repairs())
                .containsExactly(new FieldRepair("reason", FieldRepair.Kind.BLANK_DROPPED));

        // Still rejected: a required page that is blank, a descriptive field that is not a string.
        assertRejected(
                CLICKSTREAM.decode(utf8(CLICK_JSON.replace("/p/sku-0042", " "))),
                ReasonCode.INVALID_VALUE,
                "'page' must not be blank");
        assertRejected(
                CLICKSTREAM.decode(utf8(CLICK_JSON.replace("\"mobile\"", "42"))),
                ReasonCode.WRONG_TYPE,
                "'device'");
        assertThat(CLICKSTREAM.decode(utf8(CLICK_JSON), ORIGIN).repairs()).isEmpty();
    }

    @Test
    void clickstreamHitsFromInStoreDevicesNameTheStore() {
        String kiosk =
                CLICK_JSON.replace(
                        "\"device\":\"mobile\"",
                        "\"device\":\"store-kiosk\",\"storeId\":\"store-3\"");
        ClickstreamEvent e = CLICKSTREAM.decode(utf8(kiosk)).value();
        assertThat(e.storeId()).isEqualTo("store-3");
        assertThat(CLICKSTREAM.decode(CLICKSTREAM.encode(e)).value()).isEqualTo(e);
    }

    @Test
    void clickstreamNeedsAnItemForProductViewsButNotForPageViews() {
        String noItem = CLICK_JSON.replace("\"itemId\":\"sku-0042\",", "");
        assertRejected(CLICKSTREAM.decode(utf8(noItem)), ReasonCode.MISSING_FIELD, "'itemId'");
        ClickstreamEvent pageView =
                CLICKSTREAM.decode(utf8(noItem.replace("product_view", "page_view"))).value();
        assertThat(pageView.itemId()).isNull();
        assertThat(pageView.action()).isEqualTo(ClickAction.PAGE_VIEW);
    }

    @Test
    void clickstreamRejectsUnknownActionsAndTimestampsWithoutOffset() {
        assertRejected(
                CLICKSTREAM.decode(utf8(CLICK_JSON.replace("product_view", "PRODUCT_VIEW"))),
                ReasonCode.INVALID_VALUE,
                "'action'");
        assertRejected(
                CLICKSTREAM.decode(utf8(CLICK_JSON.replace("10:15:30.123Z", "10:15:30.123"))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "ISO-8601");
    }

    @Test
    void ordersDecodeWithEveryLine() {
        OrderEvent o = ORDERS.decode(utf8(ORDER_JSON)).value();
        assertThat(o.orderId()).isEqualTo("o-100");
        assertThat(o.customerId()).isEqualTo("u-17");
        assertThat(o.storeId()).isEqualTo("store-3");
        assertThat(o.channel()).isEqualTo(OrderChannel.STORE);
        assertThat(o.currency()).isEqualTo("EUR");
        assertThat(o.createdAt()).isEqualTo(1763979330L);
        assertThat(o.lines())
                .containsExactly(
                        new OrderLine("sku-0042", 2, 19.99), new OrderLine("sku-0007", 1, 5.0));
        assertThat(o.lines().get(0).total()).isEqualTo(39.98);
        assertThat(ORDERS.decode(ORDERS.encode(o)).value()).isEqualTo(o);
    }

    @Test
    void ordersRejectBadLinesWithTheirPath() {
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"qty\":1", "\"qty\":-1"))),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "'lines[1].qty' is -1");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"unitPrice\":5.0", "\"unitPrice\":-5.0"))),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "'lines[1].unitPrice'");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"qty\":2", "\"qty\":2.5"))),
                ReasonCode.WRONG_TYPE,
                "'lines[0].qty' must be an integer, got the number 2.5");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replaceAll("\\[\\{.*\\}\\]", "[]"))),
                ReasonCode.INVALID_VALUE,
                "'lines' has 0 elements");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"EUR\"", "\"euro\""))),
                ReasonCode.INVALID_VALUE,
                "ISO-4217");
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("\"storeId\":\"store-3\",", ""))),
                ReasonCode.MISSING_FIELD,
                "'storeId'");
    }

    @Test
    void ordersTakeEpochSecondsNotMilliseconds() {
        // A producer that sends milliseconds by mistake lands ~55,000 years in the future.
        assertRejected(
                ORDERS.decode(utf8(ORDER_JSON.replace("1763979330", "1763979330123"))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                "ahead of now");
    }

    @Test
    void loyaltyDecodesNegativeDeltasButNotNegativeBalances() {
        LoyaltyEvent l = LOYALTY.decode(utf8(LOYALTY_JSON)).value();
        assertThat(l)
                .isEqualTo(
                        new LoyaltyEvent(
                                "u-17", LoyaltyTier.GOLD, 120, 3400, "purchase", 1763979330123L));
        assertThat(LOYALTY.decode(LOYALTY.encode(l)).value()).isEqualTo(l);
        assertThat(LOYALTY.decode(utf8(LOYALTY_JSON.replace("120", "-300"))).value().pointsDelta())
                .isEqualTo(-300);
        assertRejected(
                LOYALTY.decode(utf8(LOYALTY_JSON.replace("3400", "-1"))),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "'balance'");
    }

    @Test
    void socialKeepsThePostersOffsetAndChecksSentimentRange() {
        SocialPost p = SOCIAL.decode(utf8(SOCIAL_JSON)).value();
        assertThat(p)
                .isEqualTo(
                        new SocialPost(
                                "p-9",
                                "@shoefan",
                                "u-17",
                                0.62,
                                List.of("sku-0042"),
                                OffsetDateTime.parse("2026-11-24T11:15:30+01:00")));
        assertThat(SOCIAL.decode(SOCIAL.encode(p)).value()).isEqualTo(p);
        assertRejected(
                SOCIAL.decode(utf8(SOCIAL_JSON.replace("0.62", "1.5"))),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "'sentiment'");
        assertThat(
                        SOCIAL.decode(utf8(SOCIAL_JSON.replace("\"mentions\":[\"sku-0042\"],", "")))
                                .value()
                                .mentions())
                .isEmpty();
    }

    @Test
    void sensorsCheckTheRangeOfTheirMetric() {
        SensorReading r = SENSORS.decode(utf8(SENSOR_JSON)).value();
        assertThat(r)
                .isEqualTo(
                        new SensorReading(
                                "dev-3-1", "store-3", SensorMetric.FOOTFALL, 12, 1763979330123L));
        assertThat(SENSORS.decode(SENSORS.encode(r)).value()).isEqualTo(r);
        assertRejected(
                SENSORS.decode(utf8(SENSOR_JSON.replace("\"value\":12", "\"value\":-3"))),
                ReasonCode.VALUE_OUT_OF_RANGE,
                "'value'");
        assertThat(
                        SENSORS.decode(
                                        utf8(
                                                SENSOR_JSON
                                                        .replace("footfall", "temperature_c")
                                                        .replace("\"value\":12", "\"value\":-3")))
                                .value()
                                .value())
                .isEqualTo(-3.0);
    }
}
