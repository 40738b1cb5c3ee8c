package io.eventml.features.state;

/**
 * What the feature job keeps per item: views and purchases in a ring of 288 five-minute buckets (24
 * h).
 */
public class ItemState {
    public static final int VIEWS = 0;
    public static final int PURCHASES = 1;
    public static final int CHANNELS = 2;
    public static final long BUCKET = 5 * 60_000L;
    public static final int SLOTS = 288;
    public static final int BUCKETS_1H = 12;

    public long[] ids = BucketRing.emptyIds(SLOTS);
    public double[] sums = new double[SLOTS * CHANNELS];
    public long lastEventTime = Long.MIN_VALUE;

    public void add(long time, int channel) {
        BucketRing.add(ids, sums, CHANNELS, BUCKET, time, channel, 1);
    }

    public double sum(long time, int channel, int buckets) {
        return BucketRing.sum(ids, sums, CHANNELS, BUCKET, time, channel, buckets);
    }
}
