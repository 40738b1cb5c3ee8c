package io.eventml.features.state;

/**
 * What the feature job keeps per user and item: views in 24 one-hour buckets, the last cart add and
 * purchase.
 */
public class UserItemState {
    public static final int HOUR_SLOTS = 24;

    public long[] hourIds = BucketRing.emptyIds(HOUR_SLOTS);
    public double[] views = new double[HOUR_SLOTS];
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
        BucketRing.add(hourIds, views, 1, UserState.HOUR, time, 0, 1);
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
