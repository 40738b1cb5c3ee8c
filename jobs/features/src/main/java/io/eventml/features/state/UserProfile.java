package io.eventml.features.state;

import io.eventml.common.features.FeatureSpec;

import java.util.Arrays;

/**
 * The user's slow facts over the user's lifetime (the user's events back to the first gap of {@link
 * FeatureSpec#USER_LIFETIME_GAP_MILLIS}): the last purchase and the loyalty status, and for spec 2
 * product views per category, purchase lines and the sum of their log prices. Kept 30 days after
 * the user's last event (the cap of hours-since-purchase, and the lifetime's gap), longer than the
 * activity windows, so that clearing it and restarting the lifetime agree. The last purchase and
 * loyalty are newest-event-time-wins; the lifetime needs the events applied together in time order,
 * so that it restarts where a gap is (an event older than the lifetime's start, one that arrived
 * after its time was settled, joins it unless a whole gap lies between them).
 */
public class UserProfile {
    /** Event time of the last purchase, or {@link Long#MIN_VALUE}. */
    public long lastPurchase = Long.MIN_VALUE;

    /** Loyalty tier rank (BRONZE 0 .. PLATINUM 3), or -1 while unknown. */
    public int tier = -1;

    /** Loyalty points balance. */
    public long points;

    /** Event time of the loyalty update that set {@link #tier} and {@link #points}. */
    public long loyaltyTime = Long.MIN_VALUE;

    /** Its eventId: of two updates at the same time, the larger eventId wins. */
    public String loyaltyEventId = "";

    /** Event time of the newest event applied. */
    public long lastEventTime = Long.MIN_VALUE;

    /**
     * The settled frontier: every event before it has been folded into this state, none after it.
     * Views before it can no longer be scored.
     */
    public long settledBefore = Long.MIN_VALUE;

    /** Time of the first event of the lifetime; {@link Long#MIN_VALUE} before any. */
    public long lifetimeStart = Long.MIN_VALUE;

    /** Categories the user viewed in the lifetime, and the views of each. */
    public String[] categories = new String[0];

    public long[] categoryViews = new long[0];

    public long lifetimeViews;
    public long lifetimePurchases;

    /** Purchase lines with a unit price, and the sum of their {@code ln(price / 30)}. */
    public long pricedPurchases;

    public double logPriceSum;

    /** A copy to apply recent events to without touching this one. */
    public UserProfile copy() {
        UserProfile c = new UserProfile();
        c.lastPurchase = lastPurchase;
        c.tier = tier;
        c.points = points;
        c.loyaltyTime = loyaltyTime;
        c.loyaltyEventId = loyaltyEventId;
        c.lastEventTime = lastEventTime;
        c.settledBefore = settledBefore;
        c.lifetimeStart = lifetimeStart;
        c.categories = categories.clone();
        c.categoryViews = categoryViews.clone();
        c.lifetimeViews = lifetimeViews;
        c.lifetimePurchases = lifetimePurchases;
        c.pricedPurchases = pricedPurchases;
        c.logPriceSum = logPriceSum;
        return c;
    }

    /** Whether the lifetime has ended by {@code time} (the user idle for the whole gap). */
    public boolean lifetimeOver(long time) {
        return Lifetime.over(lastEventTime, time, FeatureSpec.USER_LIFETIME_GAP_MILLIS);
    }

    /**
     * Restarts the lifetime at an event after a gap; whether the event belongs to it. Called before
     * the event moves {@link #lastEventTime}.
     */
    public boolean inLifetime(long time) {
        if (Lifetime.restartsAt(lastEventTime, time, FeatureSpec.USER_LIFETIME_GAP_MILLIS)) {
            lifetimeStart = time;
            lastPurchase = Long.MIN_VALUE;
            tier = -1;
            points = 0;
            loyaltyTime = Long.MIN_VALUE;
            loyaltyEventId = "";
            categories = new String[0];
            categoryViews = new long[0];
            lifetimeViews = 0;
            lifetimePurchases = 0;
            pricedPurchases = 0;
            logPriceSum = 0;
            return true;
        }
        if (!Lifetime.joins(lifetimeStart, time, FeatureSpec.USER_LIFETIME_GAP_MILLIS)) {
            return false;
        }
        lifetimeStart = Math.min(lifetimeStart, time);
        return true;
    }

    /** A product view in the lifetime, of {@code category} (null: none). */
    public void lifetimeView(String category) {
        lifetimeViews++;
        if (category == null) {
            return;
        }
        int i = Arrays.asList(categories).indexOf(category);
        if (i < 0) {
            i = categories.length;
            categories = Arrays.copyOf(categories, i + 1);
            categoryViews = Arrays.copyOf(categoryViews, i + 1);
            categories[i] = category;
        }
        categoryViews[i]++;
    }

    /** A purchase line in the lifetime, of {@code unitPrice} (0: unknown). */
    public void lifetimePurchase(double unitPrice) {
        lifetimePurchases++;
        if (unitPrice > 0) {
            pricedPurchases++;
            logPriceSum += FeatureSpec.logPrice(unitPrice);
        }
    }

    /** Views of {@code category} in the lifetime. */
    public long viewsOf(String category) {
        int i = category == null ? -1 : Arrays.asList(categories).indexOf(category);
        return i < 0 ? 0 : categoryViews[i];
    }

    /** Views with a category in the lifetime. */
    public long categorisedViews() {
        return Arrays.stream(categoryViews).sum();
    }

    /** The views of the user's most viewed category, 0 without any. */
    public long mostViewsOfACategory() {
        return Arrays.stream(categoryViews).max().orElse(0);
    }

    /** Takes a loyalty update unless a newer one (by time, then eventId) is already known. */
    public void loyalty(long time, String eventId, int tier, long points) {
        if (time > loyaltyTime || (time == loyaltyTime && eventId.compareTo(loyaltyEventId) > 0)) {
            this.loyaltyTime = time;
            this.loyaltyEventId = eventId;
            this.tier = tier;
            this.points = points;
        }
    }
}
