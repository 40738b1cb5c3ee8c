package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;

import java.util.List;

/**
 * Features recomputed for one view by a plain scan over all canonical events, written from the
 * definitions in docs/features.md and independent of the job's code: no rings, no state, just
 * filters and sums over events strictly before the view.
 */
final class FeatureRescan {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 3_600_000L;
    private static final long FIVE_MINUTES = 5 * MINUTE;

    private final List<CanonicalEvent> all;

    FeatureRescan(List<CanonicalEvent> all) {
        this.all = all;
    }

    /**
     * Events strictly before {@code t} whose bucket (of {@code bucketMillis}) is one of the last
     * {@code n} as of t.
     */
    private static boolean inWindow(CanonicalEvent e, long t, long bucketMillis, int n) {
        long newest = Math.floorDiv(t, bucketMillis);
        long b = Math.floorDiv(e.eventTime(), bucketMillis);
        return e.eventTime() < t && b >= newest - n + 1 && b <= newest;
    }

    double userCount(CanonicalEvent view, EventType type, long bucketMillis, int n) {
        return all.stream()
                .filter(
                        e ->
                                view.userId().equals(e.userId())
                                        && e.type() == type
                                        && inWindow(e, view.eventTime(), bucketMillis, n))
                .count();
    }

    double userSpend(CanonicalEvent view, long bucketMillis, int n) {
        return all.stream()
                .filter(
                        e ->
                                view.userId().equals(e.userId())
                                        && e.type() == EventType.PURCHASE
                                        && inWindow(e, view.eventTime(), bucketMillis, n))
                .mapToDouble(CanonicalEvent::value)
                .sum();
    }

    /** 1 h: the last 12 five-minute buckets; 24 h: the last 24 one-hour buckets. */
    double itemCount(CanonicalEvent view, EventType type, boolean day) {
        return all.stream()
                .filter(e -> view.itemId().equals(e.itemId()) && e.type() == type)
                .filter(
                        e ->
                                day
                                        ? inWindow(e, view.eventTime(), HOUR, 24)
                                        : inWindow(e, view.eventTime(), FIVE_MINUTES, 12))
                .count();
    }

    double userItemViews24h(CanonicalEvent view) {
        return all.stream()
                .filter(
                        e ->
                                view.userId().equals(e.userId())
                                        && view.itemId().equals(e.itemId())
                                        && e.type() == EventType.PRODUCT_VIEW
                                        && inWindow(e, view.eventTime(), HOUR, 24))
                .count();
    }

    double footfall15m(CanonicalEvent view) {
        if (view.storeId() == null) {
            return 0;
        }
        return all.stream()
                .filter(
                        e ->
                                e.type() == EventType.SENSOR_READING
                                        && view.storeId().equals(e.storeId())
                                        && "footfall".equals(e.attributes().get("metric"))
                                        && inWindow(e, view.eventTime(), MINUTE, 15))
                .mapToDouble(CanonicalEvent::value)
                .sum();
    }

    /**
     * Hours since the user's last purchase before the view, capped; the cap when there was none.
     */
    double hoursSincePurchase(CanonicalEvent view) {
        long last =
                all.stream()
                        .filter(
                                e ->
                                        view.userId().equals(e.userId())
                                                && e.type() == EventType.PURCHASE
                                                && e.eventTime() < view.eventTime())
                        .mapToLong(CanonicalEvent::eventTime)
                        .max()
                        .orElse(Long.MIN_VALUE);
        return last == Long.MIN_VALUE
                ? FeatureSpec.MAX_HOURS_SINCE_PURCHASE
                : Math.min(
                        FeatureSpec.MAX_HOURS_SINCE_PURCHASE,
                        (view.eventTime() - last) / (double) HOUR);
    }

    private java.util.stream.Stream<CanonicalEvent> userBefore(
            CanonicalEvent view, EventType type) {
        return all.stream()
                .filter(
                        e ->
                                view.userId().equals(e.userId())
                                        && e.type() == type
                                        && e.eventTime() < view.eventTime());
    }

    /**
     * The tier rank of the user's latest loyalty update before the view (ties: the larger eventId),
     * or -1.
     */
    int loyaltyTier(CanonicalEvent view) {
        return userBefore(view, EventType.LOYALTY_UPDATE)
                .max(
                        java.util.Comparator.comparingLong(CanonicalEvent::eventTime)
                                .thenComparing(CanonicalEvent::eventId))
                .map(
                        e ->
                                io.eventml.common.raw.LoyaltyTier.valueOf(
                                                e.attributes().get("tier"))
                                        .ordinal())
                .orElse(-1);
    }

    /** Mean sentiment of the user's posts in the last 24 one-hour buckets, 0 without posts. */
    double sentiment24h(CanonicalEvent view) {
        return userBefore(view, EventType.SOCIAL_POST)
                .filter(e -> inWindow(e, view.eventTime(), HOUR, 24))
                .mapToDouble(CanonicalEvent::value)
                .average()
                .orElse(0);
    }

    /** Added to the cart within 24 h before the view and not bought since. */
    boolean inCart(CanonicalEvent view) {
        long added = latest(view, EventType.ADD_TO_CART);
        long bought = latest(view, EventType.PURCHASE);
        return added != Long.MIN_VALUE && added > bought && view.eventTime() - added < 24 * HOUR;
    }

    private long latest(CanonicalEvent view, EventType type) {
        return userBefore(view, type)
                .filter(e -> view.itemId().equals(e.itemId()))
                .mapToLong(CanonicalEvent::eventTime)
                .max()
                .orElse(Long.MIN_VALUE);
    }
}
