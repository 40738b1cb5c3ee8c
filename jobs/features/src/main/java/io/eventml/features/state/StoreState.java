package io.eventml.features.state;

/** What the feature job keeps per store: footfall in a ring of 15 one-minute buckets. */
public class StoreState {
    public static final int SLOTS = 15;

    public long[] ids = BucketRing.emptyIds(SLOTS);
    public double[] footfall = new double[SLOTS];
    public long lastEventTime = Long.MIN_VALUE;

    /**
     * The settled frontier: every event before it has been folded into this state, none after it.
     * Views before it can no longer be scored.
     */
    public long settledBefore = Long.MIN_VALUE;

    /** A copy to apply recent readings to without touching this one. */
    public StoreState copy() {
        StoreState c = new StoreState();
        c.ids = ids.clone();
        c.footfall = footfall.clone();
        c.lastEventTime = lastEventTime;
        c.settledBefore = settledBefore;
        return c;
    }

    public void add(long time, double people) {
        BucketRing.add(ids, footfall, 1, UserState.MINUTE, time, 0, people);
    }

    public double footfall15m(long time) {
        return BucketRing.sum(ids, footfall, 1, UserState.MINUTE, time, 0, SLOTS);
    }
}
