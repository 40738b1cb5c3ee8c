package io.eventml.features.state;

/**
 * What the feature job keeps per user and item: views in 24 one-hour buckets, kept sparsely (only
 * the hours with views: {@link BucketRing#entry}; a dense ring of an earlier version reads the
 * same), the last cart add and purchase.
 */
public class UserItemState {
    public static final int HOUR_SLOTS = 24;

    public long[] hourIds = new long[0];
    public double[] views = new double[0];
    public long lastCartAdd = Long.MIN_VALUE;
    public long lastPurchase = Long.MIN_VALUE;
    public long lastEventTime = Long.MIN_VALUE;

    /** A copy to apply recent events to without touching this one. */
    public UserItemState copy() {
        UserItemState c = new UserItemState();
        c.hourIds = hourIds.clone();
        c.views = views.clone();
        c.lastCartAdd = lastCartAdd;
        c.lastPurchase = lastPurchase;
        c.lastEventTime = lastEventTime;
        return c;
    }

    public void view(long time) {
        long hour = BucketRing.bucketOf(time, UserState.HOUR);
        int h = BucketRing.entry(hourIds, views, 1, hour, HOUR_SLOTS);
        if (h == BucketRing.NEW_ENTRY) {
            hourIds = BucketRing.grow(hourIds, hour);
            views = BucketRing.grow(views, 1);
            h = hourIds.length - 1;
        }
        if (h >= 0) {
            views[h] += 1;
        }
    }

    /** Drops the hours no window can reach any more, before the state is written. */
    public void compact() {
        views = BucketRing.liveSums(hourIds, views, 1, HOUR_SLOTS);
        hourIds = BucketRing.liveIds(hourIds, HOUR_SLOTS);
    }

    public double views24h(long time) {
        return BucketRing.sum(hourIds, views, 1, UserState.HOUR, time, 0, HOUR_SLOTS);
    }

    /** In the cart: added within the last 24 h and not bought since. */
    public boolean inCart(long time) {
        return lastCartAdd != Long.MIN_VALUE
                && lastCartAdd > lastPurchase
                && time - lastCartAdd < 24 * UserState.HOUR;
    }
}
