package io.eventml.features.state;

/**
 * What the feature job keeps per item: views and purchases in a ring of 12 five-minute buckets (for
 * the 1 h windows) and a ring of 24 one-hour buckets (for the 24 h windows).
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
        return c;
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
