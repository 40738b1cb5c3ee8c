package io.eventml.common.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The feature vector's contract: names, order and transforms of every feature, under a version. A
 * model is only ever applied to vectors of the version it was trained on. docs/features.md explains
 * each feature and its exact window.
 *
 * <p>Changing a name, the order, a window or a transform means a new {@link #VERSION}. Spec 2 is
 * spec 1 with eight features appended (the item's price, the user's favourite categories and price
 * level, lifetime conversion rates), so a spec 1 vector is the first {@link #V1_SIZE} values of the
 * spec 2 vector of the same view.
 */
public final class FeatureSpec {
    private FeatureSpec() {}

    /** The newest spec, what the feature job emits unless told otherwise. */
    public static final int VERSION = 2;

    /** The oldest spec still understood. */
    public static final int FIRST_VERSION = 1;

    /** Size of the hashed block of the item category. */
    public static final int CATEGORY_BUCKETS = 8;

    /**
     * Hours-since-last-purchase is capped here (30 days), which is also its value when there was
     * none.
     */
    public static final double MAX_HOURS_SINCE_PURCHASE = 720;

    /** Smoothing of the item conversion rate: (purchases + A) / (views + B). */
    public static final double CONVERSION_PRIOR_PURCHASES = 1;

    public static final double CONVERSION_PRIOR_VIEWS = 10;

    /** Prices enter the vector as {@code ln(price / REFERENCE_PRICE)}, in EUR. */
    public static final double REFERENCE_PRICE = 30;

    /**
     * Spec 2's lifetime counts of a user restart after this long without an event of the user (the
     * user's profile is cleared then): 30 days, as hours-since-purchase.
     */
    public static final long USER_LIFETIME_GAP_MILLIS = 720L * 3_600_000L;

    /**
     * Spec 2's lifetime counts and price of an item restart after this long without a view or
     * purchase of the item (the item's state is cleared then): 25 hours.
     */
    public static final long ITEM_LIFETIME_GAP_MILLIS = 25L * 3_600_000L;

    public static final int BIAS = 0;
    public static final int USER_VIEWS_10M = 1;
    public static final int USER_VIEWS_1H = 2;
    public static final int USER_VIEWS_24H = 3;
    public static final int USER_CLICKS_10M = 4;
    public static final int USER_CLICKS_1H = 5;
    public static final int USER_CLICKS_24H = 6;
    public static final int USER_CART_ADDS_10M = 7;
    public static final int USER_CART_ADDS_1H = 8;
    public static final int USER_CART_ADDS_24H = 9;
    public static final int USER_PURCHASES_10M = 10;
    public static final int USER_PURCHASES_1H = 11;
    public static final int USER_PURCHASES_24H = 12;
    public static final int USER_SPEND_10M = 13;
    public static final int USER_SPEND_1H = 14;
    public static final int USER_SPEND_24H = 15;
    public static final int USER_HOURS_SINCE_PURCHASE = 16;
    public static final int USER_NEVER_PURCHASED = 17;
    public static final int LOYALTY_TIER = 18;
    public static final int LOYALTY_POINTS = 19;
    public static final int LOYALTY_KNOWN = 20;
    public static final int SENTIMENT_24H = 21;
    public static final int SENTIMENT_TREND = 22;
    public static final int SOCIAL_POSTS_24H = 23;
    public static final int ITEM_VIEWS_1H = 24;
    public static final int ITEM_VIEWS_24H = 25;
    public static final int ITEM_PURCHASES_1H = 26;
    public static final int ITEM_PURCHASES_24H = 27;
    public static final int ITEM_CONVERSION_24H = 28;
    public static final int USER_ITEM_VIEWS_24H = 29;
    public static final int USER_ITEM_IN_CART = 30;
    public static final int STORE_FOOTFALL_15M = 31;
    public static final int IN_STORE = 32;
    public static final int CATEGORY_HASH_0 = 33;

    /** The size of a spec 1 vector. */
    public static final int V1_SIZE = CATEGORY_HASH_0 + CATEGORY_BUCKETS;

    // Spec 2, appended to spec 1.
    public static final int ITEM_LOG_PRICE = V1_SIZE;
    public static final int ITEM_PRICE_KNOWN = V1_SIZE + 1;
    public static final int ITEM_LOG_CONVERSION = V1_SIZE + 2;
    public static final int USER_CATEGORY_SHARE = V1_SIZE + 3;
    public static final int USER_TOP_CATEGORY = V1_SIZE + 4;
    public static final int USER_BOUGHT_LOG_PRICE = V1_SIZE + 5;
    public static final int USER_PRICE_AFFINITY = V1_SIZE + 6;
    public static final int USER_LOG_CONVERSION = V1_SIZE + 7;

    /** The size of a vector of the newest spec. */
    public static final int SIZE = V1_SIZE + 8;

    private static final List<String> NAMES;

    static {
        List<String> names =
                new ArrayList<>(
                        List.of(
                                "bias",
                                "user_views_10m",
                                "user_views_1h",
                                "user_views_24h",
                                "user_clicks_10m",
                                "user_clicks_1h",
                                "user_clicks_24h",
                                "user_cart_adds_10m",
                                "user_cart_adds_1h",
                                "user_cart_adds_24h",
                                "user_purchases_10m",
                                "user_purchases_1h",
                                "user_purchases_24h",
                                "user_spend_10m",
                                "user_spend_1h",
                                "user_spend_24h",
                                "user_hours_since_purchase",
                                "user_never_purchased",
                                "loyalty_tier",
                                "loyalty_points",
                                "loyalty_known",
                                "sentiment_24h",
                                "sentiment_trend",
                                "social_posts_24h",
                                "item_views_1h",
                                "item_views_24h",
                                "item_purchases_1h",
                                "item_purchases_24h",
                                "item_conversion_24h",
                                "user_item_views_24h",
                                "user_item_in_cart",
                                "store_footfall_15m",
                                "in_store"));
        for (int i = 0; i < CATEGORY_BUCKETS; i++) {
            names.add("category_hash_" + i);
        }
        names.addAll(
                List.of(
                        "item_log_price",
                        "item_price_known",
                        "item_log_conversion",
                        "user_category_share",
                        "user_top_category",
                        "user_bought_log_price",
                        "user_price_affinity",
                        "user_log_conversion"));
        if (names.size() != SIZE) {
            throw new AssertionError("feature names and indices disagree");
        }
        NAMES = Collections.unmodifiableList(names);
    }

    /** The feature names of the newest spec, in vector order. */
    public static List<String> names() {
        return NAMES;
    }

    /** Whether this build knows spec {@code version}. */
    public static boolean isKnown(int version) {
        return version >= FIRST_VERSION && version <= VERSION;
    }

    /** The size of a vector of spec {@code version}. */
    public static int size(int version) {
        return switch (version) {
            case 1 -> V1_SIZE;
            case 2 -> SIZE;
            default ->
                    throw new IllegalArgumentException(
                            "unknown feature spec version "
                                    + version
                                    + "; this build knows "
                                    + FIRST_VERSION
                                    + " to "
                                    + VERSION);
        };
    }

    /** The feature names of spec {@code version}, in vector order. */
    public static List<String> names(int version) {
        return NAMES.subList(0, size(version));
    }

    /**
     * A spec 2 vector cut to spec {@code version}'s features (spec 1 is a prefix of spec 2): what
     * the feature job emits when told to keep emitting an older spec.
     */
    public static double[] asVersion(double[] newest, int version) {
        int n = size(version);
        return n == newest.length ? newest : Arrays.copyOf(newest, n);
    }

    /**
     * A purchase line's unit price, {@code value / quantity}, or 0 when it has none (no quantity or
     * no amount).
     */
    public static double unitPrice(double value, long quantity) {
        return quantity > 0 && value > 0 ? value / quantity : 0;
    }

    /** A price as it enters the vector: {@code ln(price / REFERENCE_PRICE)}. */
    public static double logPrice(double price) {
        return Math.log(price / REFERENCE_PRICE);
    }

    /** A conversion rate over a lifetime, on the log scale: {@code ln(conversion(...))}. */
    public static double logConversion(double purchases, double views) {
        return Math.log(conversion(purchases, views));
    }

    /** Heavy-tailed counts and amounts enter the vector as {@code ln(1 + x)}. */
    public static double log1p(double x) {
        return Math.log1p(Math.max(0, x));
    }

    /**
     * The slot of an item category in the hashed block (String.hashCode is fixed by the Java spec).
     */
    public static int categoryBucket(String category) {
        return Math.floorMod(category.hashCode(), CATEGORY_BUCKETS);
    }

    /** The smoothed conversion rate of an item from its raw 24 h counts. */
    public static double conversion(double purchases, double views) {
        return (purchases + CONVERSION_PRIOR_PURCHASES) / (views + CONVERSION_PRIOR_VIEWS);
    }
}
