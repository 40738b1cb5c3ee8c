package io.eventml.features.state;

import io.eventml.common.features.FeatureSpec;

/**
 * What the feature job keeps per item: views and purchases in a ring of 12 five-minute buckets (for
 * the 1 h windows) and a ring of 24 one-hour buckets (for the 24 h windows); for spec 2, the views
 * and purchases of the item's lifetime (its events back to the first gap of {@link
 * FeatureSpec#ITEM_LIFETIME_GAP_MILLIS}) and the unit price of its newest purchase in it.
 *
 * <p>The events applied together are applied in time order ({@link #apply}), so that the lifetime
 * restarts where a gap is; an event older than the lifetime's start (one that arrived after its
 * time was settled) joins it unless a whole gap lies between them.
 */
public class ItemState {
    public static final int VIEWS = 0;
    public static final int PURCHASES = 1;
    public static final int CHANNELS = 2;
    public static final long FIVE_MINUTES = 5 * 60_000L;
    public static final int FIVE_MINUTE_SLOTS = 12;
    public static final int HOUR_SLOTS = 24;

    public long[] fiveMinuteIds = BucketRing.emptyIds(FIVE_MINUTE_SLOTS);
    public double[] fiveMinuteSums = new double[FIVE_MINUTE_SLOTS * CHANNELS];
    public long[] hourIds = BucketRing.emptyIds(HOUR_SLOTS);
    public double[] hourSums = new double[HOUR_SLOTS * CHANNELS];
    public long lastEventTime = Long.MIN_VALUE;

    /** Time of the first event of the lifetime; {@link Long#MIN_VALUE} before any. */
    public long lifetimeStart = Long.MIN_VALUE;

    public long lifetimeViews;
    public long lifetimePurchases;

    /** Unit price of the newest priced purchase in the lifetime, or NaN. */
    public double price = Double.NaN;

    /** Its time (of two at the same time, the higher price wins). */
    public long priceTime = Long.MIN_VALUE;

    /**
     * The settled frontier: every event before it has been folded into this state, none after it.
     * Views before it can no longer be scored.
     */
    public long settledBefore = Long.MIN_VALUE;

    /** A copy to apply recent events to without touching this one. */
    public ItemState copy() {
        ItemState c = new ItemState();
        c.fiveMinuteIds = fiveMinuteIds.clone();
        c.fiveMinuteSums = fiveMinuteSums.clone();
        c.hourIds = hourIds.clone();
        c.hourSums = hourSums.clone();
        c.lastEventTime = lastEventTime;
        c.settledBefore = settledBefore;
        c.lifetimeStart = lifetimeStart;
        c.lifetimeViews = lifetimeViews;
        c.lifetimePurchases = lifetimePurchases;
        c.price = price;
        c.priceTime = priceTime;
        return c;
    }

    /**
     * Applies a view or purchase, in time order among the events applied together: its windows, its
     * lifetime (restarted after a gap) and the last event time.
     */
    public void apply(long time, int channel) {
        add(time, channel);
        if (inLifetime(time)) {
            if (channel == VIEWS) {
                lifetimeViews++;
            } else {
                lifetimePurchases++;
            }
        }
        lastEventTime = Math.max(lastEventTime, time);
    }

    /**
     * Takes a purchase's unit price if it is the newest in the lifetime; applied after the events
     * of the same batch, so that the lifetime's start is known.
     */
    public void price(long time, double unitPrice) {
        if (time >= lifetimeStart
                && (time > priceTime || (time == priceTime && unitPrice > price))) {
            price = unitPrice;
            priceTime = time;
        }
    }

    /** Whether the lifetime has ended by {@code time} (the item idle for the whole gap). */
    public boolean lifetimeOver(long time) {
        return Lifetime.over(lastEventTime, time, FeatureSpec.ITEM_LIFETIME_GAP_MILLIS);
    }

    /**
     * Restarts the lifetime at an event after a gap; whether the event belongs to it. Called before
     * the event moves {@link #lastEventTime}.
     */
    private boolean inLifetime(long time) {
        if (Lifetime.restartsAt(lastEventTime, time, FeatureSpec.ITEM_LIFETIME_GAP_MILLIS)) {
            lifetimeStart = time;
            lifetimeViews = 0;
            lifetimePurchases = 0;
            price = Double.NaN;
            priceTime = Long.MIN_VALUE;
            return true;
        }
        if (!Lifetime.joins(lifetimeStart, time, FeatureSpec.ITEM_LIFETIME_GAP_MILLIS)) {
            return false;
        }
        lifetimeStart = Math.min(lifetimeStart, time);
        return true;
    }

    public void add(long time, int channel) {
        BucketRing.add(fiveMinuteIds, fiveMinuteSums, CHANNELS, FIVE_MINUTES, time, channel, 1);
        BucketRing.add(hourIds, hourSums, CHANNELS, UserState.HOUR, time, channel, 1);
    }

    /** The last 12 five-minute buckets as of {@code time}. */
    public double lastHour(long time, int channel) {
        return BucketRing.sum(
                fiveMinuteIds,
                fiveMinuteSums,
                CHANNELS,
                FIVE_MINUTES,
                time,
                channel,
                FIVE_MINUTE_SLOTS);
    }

    /** The last 24 one-hour buckets as of {@code time}. */
    public double lastDay(long time, int channel) {
        return BucketRing.sum(
                hourIds, hourSums, CHANNELS, UserState.HOUR, time, channel, HOUR_SLOTS);
    }
}
