package io.eventml.ingestion.normalise;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.raw.ClickAction;
import io.eventml.common.raw.ClickstreamEvent;
import io.eventml.common.raw.LoyaltyEvent;
import io.eventml.common.raw.LoyaltyTier;
import io.eventml.common.raw.OrderChannel;
import io.eventml.common.raw.OrderEvent;
import io.eventml.common.raw.OrderLine;
import io.eventml.common.raw.SensorMetric;
import io.eventml.common.raw.SensorReading;
import io.eventml.common.raw.SocialPost;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each source's raw shape maps to the canonical event field by field. */
class NormalisersTest {
    private static final long INGEST = 1_800_000_000_000L;

    @Test
    void productViewKeepsUserItemSessionAndDevice() {
        ClickstreamEvent e =
                new ClickstreamEvent(
                        "c-1",
                        "s-9",
                        "u-1",
                        ClickAction.PRODUCT_VIEW,
                        "sku-1",
                        "/p/sku-1",
                        null,
                        "mobile",
                        null,
                        Instant.ofEpochMilli(1_763_979_330_123L),
                        "shoes");
        assertThat(new ClickstreamNormaliser().normalise(e, INGEST))
                .containsExactly(
                        new CanonicalEvent(
                                1,
                                "clickstream:c-1",
                                EventType.PRODUCT_VIEW,
                                EventSource.CLICKSTREAM,
                                "u-1",
                                "sku-1",
                                null,
                                1_763_979_330_123L,
                                INGEST,
                                0.0,
                                0,
                                Map.of(
                                        "sessionId",
                                        "s-9",
                                        "device",
                                        "mobile",
                                        "category",
                                        "shoes")));
    }

    @Test
    void cartAddsCountOneAndInStoreHitsKeepTheirStoreAndPageViewsHaveNoItem() {
        ClickstreamEvent cart =
                new ClickstreamEvent(
                        "c-2",
                        "s-9",
                        "u-1",
                        ClickAction.ADD_TO_CART,
                        "sku-1",
                        "/cart",
                        "/p/sku-1",
                        null,
                        "store-2",
                        Instant.ofEpochMilli(5_000_000_000_000L / 3),
                        null);
        CanonicalEvent c = new ClickstreamNormaliser().normalise(cart, INGEST).get(0);
        assertThat(c.type()).isEqualTo(EventType.ADD_TO_CART);
        assertThat(c.quantity()).isEqualTo(1);
        assertThat(c.storeId()).isEqualTo("store-2");
        assertThat(c.attributes()).isEqualTo(Map.of("sessionId", "s-9"));

        ClickstreamEvent page =
                new ClickstreamEvent(
                        "c-3",
                        "s-9",
                        "u-1",
                        ClickAction.PAGE_VIEW,
                        null,
                        "/c/3",
                        null,
                        null,
                        null,
                        Instant.ofEpochMilli(1_763_979_330_000L),
                        null);
        CanonicalEvent p = new ClickstreamNormaliser().normalise(page, INGEST).get(0);
        assertThat(p.type()).isEqualTo(EventType.PAGE_VIEW);
        assertThat(p.itemId()).isNull();
        assertThat(p.partitionKey()).isEqualTo("u-1");
    }

    @Test
    void anOrderBecomesOnePurchasePerLineWithTotalsInCents() {
        OrderEvent o =
                new OrderEvent(
                        "o-7",
                        "u-3",
                        "store-1",
                        OrderChannel.STORE,
                        "EUR",
                        1_763_979_330L,
                        List.of(
                                new OrderLine("sku-1", 3, 19.99),
                                new OrderLine("sku-2", 1, 0.1),
                                new OrderLine("sku-1", 1, 19.99)));
        List<CanonicalEvent> events = new OrderNormaliser().normalise(o, INGEST);
        Map<String, String> attributes =
                Map.of("orderId", "o-7", "currency", "EUR", "channel", "store");
        assertThat(events)
                .containsExactly(
                        new CanonicalEvent(
                                1,
                                "orders:o-7:0",
                                EventType.PURCHASE,
                                EventSource.ORDERS,
                                "u-3",
                                "sku-1",
                                "store-1",
                                1_763_979_330_000L,
                                INGEST,
                                59.97,
                                3,
                                attributes),
                        new CanonicalEvent(
                                1,
                                "orders:o-7:1",
                                EventType.PURCHASE,
                                EventSource.ORDERS,
                                "u-3",
                                "sku-2",
                                "store-1",
                                1_763_979_330_000L,
                                INGEST,
                                0.1,
                                1,
                                attributes),
                        new CanonicalEvent(
                                1,
                                "orders:o-7:2",
                                EventType.PURCHASE,
                                EventSource.ORDERS,
                                "u-3",
                                "sku-1",
                                "store-1",
                                1_763_979_330_000L,
                                INGEST,
                                19.99,
                                1,
                                attributes));
    }

    @Test
    void loyaltyIdsHashTheContent() {
        LoyaltyEvent e =
                new LoyaltyEvent("u-5", LoyaltyTier.GOLD, -250, 1200, "redeem", 1_763_979_330_123L);
        CanonicalEvent c = new LoyaltyNormaliser().normalise(e, INGEST).get(0);
        assertThat(c.eventId()).matches("loyalty:h[0-9a-f]{32}");
        assertThat(c.type()).isEqualTo(EventType.LOYALTY_UPDATE);
        assertThat(c.userId()).isEqualTo("u-5");
        assertThat(c.value()).isEqualTo(-250.0);
        assertThat(c.eventTime()).isEqualTo(1_763_979_330_123L);
        assertThat(c.attributes())
                .isEqualTo(Map.of("tier", "GOLD", "balance", "1200", "reason", "redeem"));
        // Same content, same id (a re-sent record); any change, another id.
        assertThat(new LoyaltyNormaliser().normalise(e, INGEST + 5).get(0).eventId())
                .isEqualTo(c.eventId());
        LoyaltyEvent other =
                new LoyaltyEvent("u-5", LoyaltyTier.GOLD, -250, 1200, "redeem", 1_763_979_330_124L);
        assertThat(new LoyaltyNormaliser().normalise(other, INGEST).get(0).eventId())
                .isNotEqualTo(c.eventId());
        LoyaltyEvent noReason =
                new LoyaltyEvent("u-5", LoyaltyTier.GOLD, -250, 1200, null, 1_763_979_330_123L);
        assertThat(new LoyaltyNormaliser().normalise(noReason, INGEST).get(0).attributes())
                .doesNotContainKey("reason");
    }

    @Test
    void socialPostsUseTheFirstMentionAndKeepTheInstantOfTheOffsetTime() {
        SocialPost p =
                new SocialPost(
                        "p-1",
                        "@a",
                        "u-8",
                        -0.4,
                        List.of("sku-3", "sku-4"),
                        OffsetDateTime.parse("2026-11-24T11:00:00+01:00"));
        CanonicalEvent c = new SocialNormaliser().normalise(p, INGEST).get(0);
        assertThat(c)
                .isEqualTo(
                        new CanonicalEvent(
                                1,
                                "social:p-1",
                                EventType.SOCIAL_POST,
                                EventSource.SOCIAL,
                                "u-8",
                                "sku-3",
                                null,
                                Instant.parse("2026-11-24T10:00:00Z").toEpochMilli(),
                                INGEST,
                                -0.4,
                                0,
                                Map.of("handle", "@a", "mentions", "sku-3,sku-4")));
        SocialPost silent =
                new SocialPost(
                        "p-2",
                        "@a",
                        "u-8",
                        0.1,
                        List.of(),
                        OffsetDateTime.parse("2026-11-24T11:00:00Z"));
        CanonicalEvent s = new SocialNormaliser().normalise(silent, INGEST).get(0);
        assertThat(s.itemId()).isNull();
        assertThat(s.attributes()).isEqualTo(Map.of("handle", "@a"));
    }

    @Test
    void manyMentionsAreCutAtAWholeMentionWithinTheAttributeLimit() {
        List<String> mentions = Collections.nCopies(20, "sku-0123456789012"); // 17 characters each
        String joined = SocialNormaliser.joinWithin(mentions, 256);
        assertThat(joined.length()).isLessThanOrEqualTo(256);
        assertThat(joined.split(",")).hasSize(14).allMatch("sku-0123456789012"::equals);
    }

    @Test
    void sensorReadingsBelongToTheirStoreNotToAUser() {
        SensorReading r =
                new SensorReading(
                        "dev-1-door", "store-1", SensorMetric.FOOTFALL, 17, 1_763_979_330_000L);
        CanonicalEvent c = new SensorNormaliser().normalise(r, INGEST).get(0);
        assertThat(c.eventId()).matches("sensors:h[0-9a-f]{32}");
        assertThat(c.type()).isEqualTo(EventType.SENSOR_READING);
        assertThat(c.userId()).isNull();
        assertThat(c.storeId()).isEqualTo("store-1");
        assertThat(c.partitionKey()).isEqualTo("store-1");
        assertThat(c.value()).isEqualTo(17.0);
        assertThat(c.attributes())
                .isEqualTo(Map.of("metric", "footfall", "deviceId", "dev-1-door"));
        SensorReading next =
                new SensorReading(
                        "dev-1-door", "store-1", SensorMetric.FOOTFALL, 17, 1_763_979_340_000L);
        assertThat(new SensorNormaliser().normalise(next, INGEST).get(0).eventId())
                .isNotEqualTo(c.eventId());
    }
}
