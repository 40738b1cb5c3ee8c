package io.eventml.features.state;

/** What the feature job keeps per store: footfall in a ring of 15 one-minute buckets. */
public class StoreState {
    public static final int SLOTS = 15;

    public long[] ids = BucketRing.emptyIds(SLOTS);
    public double[] footfall = new double[SLOTS];
    public long lastEventTime = Long.MIN_VALUE;

    public void add(long time, double people) {
        BucketRing.add(ids, footfall, 1, UserState.MINUTE, time, 0, people);
    }

    public double footfall15m(long time) {
        return BucketRing.sum(ids, footfall, 1, UserState.MINUTE, time, 0, SLOTS);
    }
}
