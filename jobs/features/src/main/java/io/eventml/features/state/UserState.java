package io.eventml.features.state;

/**
 * The user's recent activity: counters in a ring of 60 one-minute buckets and a ring of 24 one-hour
 * buckets, both kept sparsely (only the buckets with counts: {@link BucketRing#entry}; a state of
 * version 0.1.0 or 0.2 holds them densely, which reads the same). A Flink POJO of primitive arrays;
 * cleared 25 h after the user's last event, when every window is empty.
 */
public class UserState {
    public static final int VIEWS = 0;
    public static final int CLICKS = 1;
    public static final int CART_ADDS = 2;
    public static final int PURCHASES = 3;
    public static final int SPEND = 4;
    public static final int SENTIMENT_SUM = 5;
    public static final int POSTS = 6;
    public static final int CHANNELS = 7;

    public static final long MINUTE = 60_000L;
    public static final long HOUR = 3_600_000L;
    public static final int MINUTE_SLOTS = 60;
    public static final int HOUR_SLOTS = 24;

    public long[] minuteIds = new long[0];
    public double[] minuteSums = new double[0];
    public long[] hourIds = new long[0];
    public double[] hourSums = new double[0];

    /** Event time of the newest event applied. */
    public long lastEventTime = Long.MIN_VALUE;

    /** A copy to apply recent events to without touching this one. */
    public UserState copy() {
        UserState c = new UserState();
        c.minuteIds = minuteIds.clone();
        c.minuteSums = minuteSums.clone();
        c.hourIds = hourIds.clone();
        c.hourSums = hourSums.clone();
        c.lastEventTime = lastEventTime;
        return c;
    }

    public void add(long time, int channel, double amount) {
        addTo(true, time, channel, amount);
        addTo(false, time, channel, amount);
    }

    /** Adds to the minute ring or the hour ring, growing it by an entry when the bucket is new. */
    private void addTo(boolean minutes, long time, int channel, double amount) {
        long bucket = BucketRing.bucketOf(time, minutes ? MINUTE : HOUR);
        long[] ids = minutes ? minuteIds : hourIds;
        double[] sums = minutes ? minuteSums : hourSums;
        int i = BucketRing.entry(ids, sums, CHANNELS, bucket, minutes ? MINUTE_SLOTS : HOUR_SLOTS);
        if (i == BucketRing.NEW_ENTRY) {
            ids = BucketRing.grow(ids, bucket);
            sums = BucketRing.grow(sums, CHANNELS);
            i = ids.length - 1;
            if (minutes) {
                minuteIds = ids;
                minuteSums = sums;
            } else {
                hourIds = ids;
                hourSums = sums;
            }
        }
        if (i >= 0) {
            sums[i * CHANNELS + channel] += amount;
        }
    }

    /**
     * Drops the buckets no window can reach any more (and the free slots of a dense ring), before
     * the state is written: a user's rings hold only the minutes and hours with counts.
     */
    public void compact() {
        minuteSums = BucketRing.liveSums(minuteIds, minuteSums, CHANNELS, MINUTE_SLOTS);
        minuteIds = BucketRing.liveIds(minuteIds, MINUTE_SLOTS);
        hourSums = BucketRing.liveSums(hourIds, hourSums, CHANNELS, HOUR_SLOTS);
        hourIds = BucketRing.liveIds(hourIds, HOUR_SLOTS);
    }

    /** Sum over the last {@code minutes} one-minute buckets as of {@code time}. */
    public double minutes(long time, int channel, int minutes) {
        return BucketRing.sum(minuteIds, minuteSums, CHANNELS, MINUTE, time, channel, minutes);
    }

    /** Sum over the last {@code hours} one-hour buckets as of {@code time}. */
    public double hours(long time, int channel, int hours) {
        return BucketRing.sum(hourIds, hourSums, CHANNELS, HOUR, time, channel, hours);
    }
}
