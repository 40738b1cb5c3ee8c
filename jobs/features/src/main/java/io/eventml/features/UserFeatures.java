package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.raw.LoyaltyTier;
import io.eventml.features.state.UserDelta;
import io.eventml.features.state.UserItemState;
import io.eventml.features.state.UserProfile;
import io.eventml.features.state.UserState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The user's part of a feature vector, computed from values alone: no Flink state, no timers.
 * {@link UserFeatureFunction} reads and writes the state and calls these.
 */
final class UserFeatures {
    private UserFeatures() {}

    /** The recent events split at a frontier: those to settle (before it) and those to keep. */
    record Split(List<UserDelta> settle, List<UserDelta> keep, long oldestSettled) {}

    /**
     * The vector of a view as of its time: the settled state (any of it may be null: nothing
     * settled yet), copied, plus the recent events strictly before the view. The settled values are
     * not changed.
     */
    static double[] asOf(
            PendingVector pending,
            UserState settledActivity,
            UserProfile settledProfile,
            UserItemState settledItem,
            List<UserDelta> recent) {
        CanonicalEvent view = pending.view();
        long t = view.eventTime();
        UserState a = settledActivity == null ? new UserState() : settledActivity.copy();
        UserProfile p = settledProfile == null ? new UserProfile() : settledProfile.copy();
        UserItemState ui = settledItem == null ? new UserItemState() : settledItem.copy();
        for (UserDelta d : inTimeOrder(recent)) {
            if (d.time < t) {
                d.applyTo(a, p);
                if (d.touchesItem() && d.itemId.equals(view.itemId())) {
                    d.applyTo(ui);
                }
            }
        }
        return vector(pending, a, p, ui);
    }

    /**
     * The events in time order, as the profile's lifetime needs them (a stable sort: the list is
     * usually in order already).
     */
    static List<UserDelta> inTimeOrder(List<UserDelta> deltas) {
        List<UserDelta> sorted = new ArrayList<>(deltas);
        sorted.sort(Comparator.comparingLong(d -> d.time));
        return sorted;
    }

    /** Splits recent events at {@code frontier}, keeping their order. */
    static Split split(List<UserDelta> recent, long frontier) {
        List<UserDelta> keep = new ArrayList<>();
        List<UserDelta> settle = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (UserDelta d : recent) {
            if (d.time < frontier) {
                settle.add(d);
                oldest = Math.min(oldest, d.time);
            } else {
                keep.add(d);
            }
        }
        return new Split(settle, keep, oldest);
    }

    /** The feature vector of a view from the state as it is (events strictly before the view). */
    static double[] vector(PendingVector pending, UserState a, UserProfile p, UserItemState ui) {
        CanonicalEvent view = pending.view();
        long t = view.eventTime();
        double[] v = new double[FeatureSpec.SIZE];
        v[FeatureSpec.BIAS] = 1;
        if (a != null) {
            windows(v, a, t, UserState.VIEWS, FeatureSpec.USER_VIEWS_10M);
            windows(v, a, t, UserState.CLICKS, FeatureSpec.USER_CLICKS_10M);
            windows(v, a, t, UserState.CART_ADDS, FeatureSpec.USER_CART_ADDS_10M);
            windows(v, a, t, UserState.PURCHASES, FeatureSpec.USER_PURCHASES_10M);
            windows(v, a, t, UserState.SPEND, FeatureSpec.USER_SPEND_10M);
            double posts24h = a.hours(t, UserState.POSTS, 24);
            double mean24h = posts24h > 0 ? a.hours(t, UserState.SENTIMENT_SUM, 24) / posts24h : 0;
            double posts1h = a.minutes(t, UserState.POSTS, 60);
            double mean1h = posts1h > 0 ? a.minutes(t, UserState.SENTIMENT_SUM, 60) / posts1h : 0;
            v[FeatureSpec.SENTIMENT_24H] = mean24h;
            v[FeatureSpec.SENTIMENT_TREND] = posts1h > 0 ? mean1h - mean24h : 0;
            v[FeatureSpec.SOCIAL_POSTS_24H] = FeatureSpec.log1p(posts24h);
        }
        // The profile's features are of the user's lifetime, as its state is (docs/features.md).
        boolean inLifetime = p != null && !p.lifetimeOver(t);
        if (inLifetime && p.lastPurchase != Long.MIN_VALUE) {
            double hours =
                    Math.min(
                            FeatureSpec.MAX_HOURS_SINCE_PURCHASE,
                            (t - p.lastPurchase) / (double) Retention.HOUR);
            v[FeatureSpec.USER_HOURS_SINCE_PURCHASE] = FeatureSpec.log1p(hours);
        } else {
            v[FeatureSpec.USER_HOURS_SINCE_PURCHASE] =
                    FeatureSpec.log1p(FeatureSpec.MAX_HOURS_SINCE_PURCHASE);
            v[FeatureSpec.USER_NEVER_PURCHASED] = 1;
        }
        if (inLifetime && p.tier >= 0) {
            v[FeatureSpec.LOYALTY_TIER] = p.tier / (double) (LoyaltyTier.values().length - 1);
            v[FeatureSpec.LOYALTY_POINTS] = FeatureSpec.log1p(p.points);
            v[FeatureSpec.LOYALTY_KNOWN] = 1;
        }
        v[FeatureSpec.ITEM_VIEWS_1H] = FeatureSpec.log1p(pending.itemViews1h());
        v[FeatureSpec.ITEM_VIEWS_24H] = FeatureSpec.log1p(pending.itemViews24h());
        v[FeatureSpec.ITEM_PURCHASES_1H] = FeatureSpec.log1p(pending.itemPurchases1h());
        v[FeatureSpec.ITEM_PURCHASES_24H] = FeatureSpec.log1p(pending.itemPurchases24h());
        v[FeatureSpec.ITEM_CONVERSION_24H] =
                FeatureSpec.conversion(pending.itemPurchases24h(), pending.itemViews24h());
        if (ui != null) {
            v[FeatureSpec.USER_ITEM_VIEWS_24H] = FeatureSpec.log1p(ui.views24h(t));
            v[FeatureSpec.USER_ITEM_IN_CART] = ui.inCart(t) ? 1 : 0;
        }
        v[FeatureSpec.STORE_FOOTFALL_15M] = FeatureSpec.log1p(pending.storeFootfall15m());
        v[FeatureSpec.IN_STORE] = view.storeId() != null ? 1 : 0;
        String category = view.attributes().get("category");
        if (category != null) {
            v[FeatureSpec.CATEGORY_HASH_0 + FeatureSpec.categoryBucket(category)] = 1;
        }
        spec2(v, pending, p, category, t);
        return v;
    }

    /** Spec 2's appended features: the item's price and lifetime, the user's lifetime. */
    private static void spec2(
            double[] v, PendingVector pending, UserProfile p, String category, long t) {
        if (pending.itemPrice() > 0) {
            v[FeatureSpec.ITEM_LOG_PRICE] = FeatureSpec.logPrice(pending.itemPrice());
            v[FeatureSpec.ITEM_PRICE_KNOWN] = 1;
        }
        v[FeatureSpec.ITEM_LOG_CONVERSION] =
                FeatureSpec.logConversion(
                        pending.itemLifetimePurchases(), pending.itemLifetimeViews());
        boolean known = p != null && !p.lifetimeOver(t);
        long inCategory = known ? p.viewsOf(category) : 0;
        long categorised = known ? p.categorisedViews() : 0;
        v[FeatureSpec.USER_CATEGORY_SHARE] =
                categorised > 0 ? inCategory / (double) categorised : 0;
        v[FeatureSpec.USER_TOP_CATEGORY] =
                inCategory > 0 && inCategory == p.mostViewsOfACategory() ? 1 : 0;
        v[FeatureSpec.USER_BOUGHT_LOG_PRICE] = known ? p.logPriceSum / (p.pricedPurchases + 1) : 0;
        v[FeatureSpec.USER_PRICE_AFFINITY] =
                v[FeatureSpec.USER_BOUGHT_LOG_PRICE] * v[FeatureSpec.ITEM_LOG_PRICE];
        v[FeatureSpec.USER_LOG_CONVERSION] =
                known
                        ? FeatureSpec.logConversion(p.lifetimePurchases, p.lifetimeViews)
                        : FeatureSpec.logConversion(0, 0);
    }

    /**
     * Writes the 10 min, 1 h and 24 h sums of a channel, log-transformed, at {@code first}, +1, +2.
     */
    private static void windows(double[] v, UserState a, long t, int channel, int first) {
        v[first] = FeatureSpec.log1p(a.minutes(t, channel, 10));
        v[first + 1] = FeatureSpec.log1p(a.minutes(t, channel, 60));
        v[first + 2] = FeatureSpec.log1p(a.hours(t, channel, 24));
    }
}
