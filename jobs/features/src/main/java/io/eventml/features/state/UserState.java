package io.eventml.features.state;

/**
 * The user's recent activity: counters in a ring of 60 one-minute buckets and a ring of 24 one-hour
 * buckets. A Flink POJO of primitive arrays; cleared 25 h after the user's last event, when every
 * window is empty.
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

    public long[] minuteIds = BucketRing.emptyIds(MINUTE_SLOTS);
    public double[] minuteSums = new double[MINUTE_SLOTS * CHANNELS];
    public long[] hourIds = BucketRing.emptyIds(HOUR_SLOTS);
    public double[] hourSums = new double[HOUR_SLOTS * CHANNELS];

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
        BucketRing.add(minuteIds, minuteSums, CHANNELS, MINUTE, time, channel, amount);
        BucketRing.add(hourIds, hourSums, CHANNELS, HOUR, time, channel, amount);
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
