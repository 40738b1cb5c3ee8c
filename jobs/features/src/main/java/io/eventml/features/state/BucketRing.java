package io.eventml.features.state;

import java.util.Arrays;

/**
 * Counters over time buckets in a ring: {@code slots} buckets of {@code bucketMillis} event time,
 * each with {@code channels} sums. A slot remembers which bucket it holds, so stale slots count as
 * empty. Windows are whole buckets: "the last n buckets" as of time t are the buckets {@code b(t) -
 * n + 1 .. b(t)}.
 *
 * <p>Operates on plain arrays so that state classes stay Flink POJOs of primitive arrays.
 */
public final class BucketRing {
    private BucketRing() {}

    /** Bucket ids of an empty ring. */
    public static long[] emptyIds(int slots) {
        long[] ids = new long[slots];
        Arrays.fill(ids, Long.MIN_VALUE);
        return ids;
    }

    public static long bucketOf(long time, long bucketMillis) {
        return Math.floorDiv(time, bucketMillis);
    }

    /** Adds {@code amount} to {@code channel} of the bucket of {@code time}. */
    public static void add(
            long[] ids,
            double[] sums,
            int channels,
            long bucketMillis,
            long time,
            int channel,
            double amount) {
        long bucket = bucketOf(time, bucketMillis);
        int slot = (int) Math.floorMod(bucket, (long) ids.length);
        if (ids[slot] != bucket) {
            if (ids[slot] > bucket) {
                return; // older than the ring remembers: outside every window
            }
            ids[slot] = bucket;
            Arrays.fill(sums, slot * channels, slot * channels + channels, 0.0);
        }
        sums[slot * channels + channel] += amount;
    }

    /**
     * The sum of {@code channel} over the {@code buckets} buckets up to and including the bucket of
     * {@code time}.
     */
    public static double sum(
            long[] ids,
            double[] sums,
            int channels,
            long bucketMillis,
            long time,
            int channel,
            int buckets) {
        if (buckets > ids.length) {
            throw new IllegalArgumentException(
                    "a window of " + buckets + " buckets needs a ring that large");
        }
        long newest = bucketOf(time, bucketMillis);
        long oldest = newest - buckets + 1;
        double total = 0;
        for (int slot = 0; slot < ids.length; slot++) {
            if (ids[slot] >= oldest && ids[slot] <= newest) {
                total += sums[slot * channels + channel];
            }
        }
        return total;
    }
}
