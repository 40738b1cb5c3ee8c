package io.eventml.ops;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.raw.LoyaltyTier;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Features recomputed for one view by a plain scan over canonical events, written from the
 * definitions in docs/features.md and independent of the feature job's code (the oracle of its
 * tests and of {@code SuiteCheck rescan}): no rings, no state, just filters and sums over events
 * strictly before the view. Events are only grouped by user, item and store so that every vector of
 * a test run can be recomputed.
 */
public final class FeatureRescan {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 3_600_000L;
    private static final long FIVE_MINUTES = 5 * MINUTE;

    private final Map<String, List<CanonicalEvent>> byUser = new HashMap<>();
    private final Map<String, List<CanonicalEvent>> byItem = new HashMap<>();
    private final Map<String, List<CanonicalEvent>> footfallByStore = new HashMap<>();

    public FeatureRescan(List<CanonicalEvent> all) {
        for (CanonicalEvent e : all) {
            if (e.userId() != null) {
                byUser.computeIfAbsent(e.userId(), k -> new java.util.ArrayList<>()).add(e);
            }
            if (e.itemId() != null) {
                byItem.computeIfAbsent(e.itemId(), k -> new java.util.ArrayList<>()).add(e);
            }
            if (e.type() == EventType.SENSOR_READING
                    && "footfall".equals(e.attributes().get("metric"))) {
                footfallByStore
                        .computeIfAbsent(e.storeId(), k -> new java.util.ArrayList<>())
                        .add(e);
            }
        }
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

    private Stream<CanonicalEvent> user(CanonicalEvent view) {
        return byUser.getOrDefault(view.userId(), List.of()).stream();
    }

    public double userCount(CanonicalEvent view, EventType type, long bucketMillis, int n) {
        return user(view)
                .filter(e -> e.type() == type && inWindow(e, view.eventTime(), bucketMillis, n))
                .count();
    }

    public double userSum(CanonicalEvent view, EventType type, long bucketMillis, int n) {
        return user(view)
                .filter(e -> e.type() == type && inWindow(e, view.eventTime(), bucketMillis, n))
                .mapToDouble(CanonicalEvent::value)
                .sum();
    }

    public double userSpend(CanonicalEvent view, long bucketMillis, int n) {
        return userSum(view, EventType.PURCHASE, bucketMillis, n);
    }

    /** 1 h: the last 12 five-minute buckets; 24 h: the last 24 one-hour buckets. */
    public double itemCount(CanonicalEvent view, EventType type, boolean day) {
        return byItem.getOrDefault(view.itemId(), List.of()).stream()
                .filter(e -> e.type() == type)
                .filter(
                        e ->
                                day
                                        ? inWindow(e, view.eventTime(), HOUR, 24)
                                        : inWindow(e, view.eventTime(), FIVE_MINUTES, 12))
                .count();
    }

    public double userItemViews24h(CanonicalEvent view) {
        return user(view)
                .filter(
                        e ->
                                view.itemId().equals(e.itemId())
                                        && e.type() == EventType.PRODUCT_VIEW
                                        && inWindow(e, view.eventTime(), HOUR, 24))
                .count();
    }

    public double footfall15m(CanonicalEvent view) {
        if (view.storeId() == null) {
            return 0;
        }
        return footfallByStore.getOrDefault(view.storeId(), List.of()).stream()
                .filter(e -> inWindow(e, view.eventTime(), MINUTE, 15))
                .mapToDouble(CanonicalEvent::value)
                .sum();
    }

    private Stream<CanonicalEvent> userBefore(CanonicalEvent view, EventType type) {
        return user(view).filter(e -> e.type() == type && e.eventTime() < view.eventTime());
    }

    /**
     * Hours since the user's last purchase before the view, capped; the cap when there was none.
     */
    public double hoursSincePurchase(CanonicalEvent view) {
        long last =
                userBefore(view, EventType.PURCHASE)
                        .mapToLong(CanonicalEvent::eventTime)
                        .max()
                        .orElse(Long.MIN_VALUE);
        return last == Long.MIN_VALUE
                ? FeatureSpec.MAX_HOURS_SINCE_PURCHASE
                : Math.min(
                        FeatureSpec.MAX_HOURS_SINCE_PURCHASE,
                        (view.eventTime() - last) / (double) HOUR);
    }

    /**
     * The user's latest loyalty update before the view in their lifetime (ties: the larger
     * eventId), if any.
     */
    private java.util.Optional<CanonicalEvent> latestLoyalty(CanonicalEvent view) {
        return userLifetime(view).stream()
                .filter(e -> e.type() == EventType.LOYALTY_UPDATE)
                .max(
                        Comparator.comparingLong(CanonicalEvent::eventTime)
                                .thenComparing(CanonicalEvent::eventId));
    }

    /** The tier rank of the latest loyalty update before the view in the lifetime, or -1. */
    public int loyaltyTier(CanonicalEvent view) {
        return latestLoyalty(view)
                .map(e -> LoyaltyTier.valueOf(e.attributes().get("tier")).ordinal())
                .orElse(-1);
    }

    /** Mean sentiment of the user's posts in the last 24 one-hour buckets, 0 without posts. */
    public double sentiment24h(CanonicalEvent view) {
        return userBefore(view, EventType.SOCIAL_POST)
                .filter(e -> inWindow(e, view.eventTime(), HOUR, 24))
                .mapToDouble(CanonicalEvent::value)
                .average()
                .orElse(0);
    }

    /** Added to the cart within 24 h before the view and not bought since. */
    public boolean inCart(CanonicalEvent view) {
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

    /**
     * The key's events strictly before the view back to the first gap of {@code gap} or more
     * (between two of them, or between the newest and the view), oldest first: the "lifetime" of
     * spec 2's lifetime features.
     */
    private static List<CanonicalEvent> lifetime(
            List<CanonicalEvent> events, CanonicalEvent view, long gap) {
        List<CanonicalEvent> before =
                events.stream()
                        .filter(e -> e.eventTime() < view.eventTime())
                        .sorted(Comparator.comparingLong(CanonicalEvent::eventTime))
                        .toList();
        long next = view.eventTime();
        int first = before.size();
        while (first > 0 && next - before.get(first - 1).eventTime() < gap) {
            first--;
            next = before.get(first).eventTime();
        }
        return before.subList(first, before.size());
    }

    /** The user's events strictly before the view in their lifetime, oldest first. */
    private List<CanonicalEvent> userLifetime(CanonicalEvent view) {
        return lifetime(
                user(view).filter(e -> movesUser(e.type())).toList(),
                view,
                FeatureSpec.USER_LIFETIME_GAP_MILLIS);
    }

    private static boolean movesUser(EventType type) {
        return switch (type) {
            case PRODUCT_VIEW, CLICK, ADD_TO_CART, PURCHASE, SOCIAL_POST, LOYALTY_UPDATE -> true;
            default -> false;
        };
    }

    /** A purchase line's unit price, or NaN when it has none (no quantity or no amount). */
    private static double unitPrice(CanonicalEvent purchase) {
        return purchase.quantity() > 0 && purchase.value() > 0
                ? purchase.value() / purchase.quantity()
                : Double.NaN;
    }

    /** The view's vector of spec {@code version}, from the definitions in docs/features.md. */
    public double[] vector(CanonicalEvent view, int version) {
        return FeatureSpec.asVersion(vector(view), version);
    }

    /** All positions of the view's vector of the newest spec, from docs/features.md. */
    public double[] vector(CanonicalEvent view) {
        double[] v = new double[FeatureSpec.SIZE];
        v[FeatureSpec.BIAS] = 1;
        EventType[] channels = {
            EventType.PRODUCT_VIEW, EventType.CLICK, EventType.ADD_TO_CART, EventType.PURCHASE
        };
        int[] firsts = {
            FeatureSpec.USER_VIEWS_10M,
            FeatureSpec.USER_CLICKS_10M,
            FeatureSpec.USER_CART_ADDS_10M,
            FeatureSpec.USER_PURCHASES_10M
        };
        for (int c = 0; c < channels.length; c++) {
            v[firsts[c]] = Math.log1p(userCount(view, channels[c], MINUTE, 10));
            v[firsts[c] + 1] = Math.log1p(userCount(view, channels[c], MINUTE, 60));
            v[firsts[c] + 2] = Math.log1p(userCount(view, channels[c], HOUR, 24));
        }
        v[FeatureSpec.USER_SPEND_10M] = Math.log1p(userSpend(view, MINUTE, 10));
        v[FeatureSpec.USER_SPEND_1H] = Math.log1p(userSpend(view, MINUTE, 60));
        v[FeatureSpec.USER_SPEND_24H] = Math.log1p(userSpend(view, HOUR, 24));
        v[FeatureSpec.USER_HOURS_SINCE_PURCHASE] = Math.log1p(hoursSincePurchase(view));
        v[FeatureSpec.USER_NEVER_PURCHASED] =
                userLifetime(view).stream().anyMatch(e -> e.type() == EventType.PURCHASE) ? 0 : 1;
        latestLoyalty(view)
                .ifPresent(
                        e -> {
                            v[FeatureSpec.LOYALTY_TIER] =
                                    LoyaltyTier.valueOf(e.attributes().get("tier")).ordinal() / 3.0;
                            v[FeatureSpec.LOYALTY_POINTS] =
                                    Math.log1p(Long.parseLong(e.attributes().get("balance")));
                            v[FeatureSpec.LOYALTY_KNOWN] = 1;
                        });
        double posts24h = userCount(view, EventType.SOCIAL_POST, HOUR, 24);
        double posts1h = userCount(view, EventType.SOCIAL_POST, MINUTE, 60);
        double mean24h =
                posts24h > 0 ? userSum(view, EventType.SOCIAL_POST, HOUR, 24) / posts24h : 0;
        double mean1h =
                posts1h > 0 ? userSum(view, EventType.SOCIAL_POST, MINUTE, 60) / posts1h : 0;
        v[FeatureSpec.SENTIMENT_24H] = mean24h;
        v[FeatureSpec.SENTIMENT_TREND] = posts1h > 0 ? mean1h - mean24h : 0;
        v[FeatureSpec.SOCIAL_POSTS_24H] = Math.log1p(posts24h);
        double itemViews24h = itemCount(view, EventType.PRODUCT_VIEW, true);
        double itemPurchases24h = itemCount(view, EventType.PURCHASE, true);
        v[FeatureSpec.ITEM_VIEWS_1H] = Math.log1p(itemCount(view, EventType.PRODUCT_VIEW, false));
        v[FeatureSpec.ITEM_VIEWS_24H] = Math.log1p(itemViews24h);
        v[FeatureSpec.ITEM_PURCHASES_1H] = Math.log1p(itemCount(view, EventType.PURCHASE, false));
        v[FeatureSpec.ITEM_PURCHASES_24H] = Math.log1p(itemPurchases24h);
        v[FeatureSpec.ITEM_CONVERSION_24H] = (itemPurchases24h + 1) / (itemViews24h + 10);
        v[FeatureSpec.USER_ITEM_VIEWS_24H] = Math.log1p(userItemViews24h(view));
        v[FeatureSpec.USER_ITEM_IN_CART] = inCart(view) ? 1 : 0;
        v[FeatureSpec.STORE_FOOTFALL_15M] = Math.log1p(footfall15m(view));
        v[FeatureSpec.IN_STORE] = view.storeId() != null ? 1 : 0;
        String category = view.attributes().get("category");
        if (category != null) {
            v[FeatureSpec.CATEGORY_HASH_0 + Math.floorMod(category.hashCode(), 8)] = 1;
        }
        spec2(view, v);
        return v;
    }

    /**
     * The item's lifetime as of the view: its views, its purchase lines, and the unit price of the
     * newest priced line (of two at the same millisecond, the higher price), NaN without one.
     */
    public double[] itemLifetime(CanonicalEvent view) {
        List<CanonicalEvent> item =
                lifetime(
                        byItem.getOrDefault(view.itemId(), List.of()).stream()
                                .filter(
                                        e ->
                                                e.type() == EventType.PRODUCT_VIEW
                                                        || e.type() == EventType.PURCHASE)
                                .toList(),
                        view,
                        FeatureSpec.ITEM_LIFETIME_GAP_MILLIS);
        double views = item.stream().filter(e -> e.type() == EventType.PRODUCT_VIEW).count();
        double lines = item.stream().filter(e -> e.type() == EventType.PURCHASE).count();
        double price =
                item.stream()
                        .filter(e -> e.type() == EventType.PURCHASE && unitPrice(e) > 0)
                        .max(
                                Comparator.comparingLong(CanonicalEvent::eventTime)
                                        .thenComparingDouble(FeatureRescan::unitPrice))
                        .map(FeatureRescan::unitPrice)
                        .orElse(Double.NaN);
        return new double[] {views, lines, price};
    }

    /** Spec 2's appended features. */
    private void spec2(CanonicalEvent view, double[] v) {
        double[] item = itemLifetime(view);
        v[FeatureSpec.ITEM_LOG_CONVERSION] = Math.log((item[1] + 1) / (item[0] + 10));
        if (!Double.isNaN(item[2])) {
            v[FeatureSpec.ITEM_LOG_PRICE] = Math.log(item[2] / 30);
            v[FeatureSpec.ITEM_PRICE_KNOWN] = 1;
        }

        List<CanonicalEvent> user = userLifetime(view);
        Map<String, Long> byCategory = new HashMap<>();
        long views = 0;
        long lines = 0;
        long priced = 0;
        double logPrices = 0;
        for (CanonicalEvent e : user) {
            if (e.type() == EventType.PRODUCT_VIEW) {
                views++;
                String c = e.attributes().get("category");
                if (c != null) {
                    byCategory.merge(c, 1L, Long::sum);
                }
            } else if (e.type() == EventType.PURCHASE) {
                lines++;
                double p = unitPrice(e);
                if (p > 0) {
                    priced++;
                    logPrices += Math.log(p / 30);
                }
            }
        }
        String category = view.attributes().get("category");
        long inCategory = category == null ? 0 : byCategory.getOrDefault(category, 0L);
        long categorised = byCategory.values().stream().mapToLong(Long::longValue).sum();
        long most = byCategory.values().stream().mapToLong(Long::longValue).max().orElse(0);
        v[FeatureSpec.USER_CATEGORY_SHARE] =
                categorised > 0 ? inCategory / (double) categorised : 0;
        v[FeatureSpec.USER_TOP_CATEGORY] = inCategory > 0 && inCategory == most ? 1 : 0;
        v[FeatureSpec.USER_BOUGHT_LOG_PRICE] = logPrices / (priced + 1);
        v[FeatureSpec.USER_PRICE_AFFINITY] =
                v[FeatureSpec.USER_BOUGHT_LOG_PRICE] * v[FeatureSpec.ITEM_LOG_PRICE];
        v[FeatureSpec.USER_LOG_CONVERSION] = Math.log((lines + 1) / (views + 10.0));
    }

    /**
     * The first position where two vectors differ by more than 1e-9, or -1: counts, flags and times
     * agree exactly, sums of money and sentiment may differ in their last bits (a floating-point
     * sum depends on the order of its terms).
     */
    public static int firstDifference(double[] actual, double[] expected) {
        if (actual.length != expected.length) {
            return Math.min(actual.length, expected.length);
        }
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= 1e-9)) {
                return i;
            }
        }
        return -1;
    }
}
