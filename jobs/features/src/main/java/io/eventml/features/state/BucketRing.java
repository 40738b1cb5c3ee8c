package io.eventml.features.state;

import java.util.Arrays;

/**
 * Counters over time buckets in a ring: {@code slots} buckets of {@code bucketMillis} event time,
 * each with {@code channels} sums. A slot remembers which bucket it holds, so stale slots count as
 * empty. Windows are whole buckets: "the last n buckets" as of time t are the buckets {@code b(t) -
 * n + 1 .. b(t)}.
 *
 * <p>A dense ring is an array of all {@code slots}, bucket {@code b} in slot {@code b mod slots}
 * ({@link #add}); a sparse ring holds only the buckets that have counts, as entries in any order
 * ({@link #entry}), and sums the same: most users are active in a few minutes of the last hour, so
 * their rings are mostly empty, and on RocksDB every byte is read and deserialised whole.
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

    /** {@link #entry}: the bucket is older than the ring remembers, outside every window. */
    public static final int TOO_OLD = -1;

    /** {@link #entry}: the bucket needs an entry of its own, appended with {@link #grow}. */
    public static final int NEW_ENTRY = -2;

    /**
     * A ring of {@code slots} buckets kept sparsely, as entries in any order ({@code ids[i]} and
     * {@code sums[i * channels ..]}), at most one per bucket modulo {@code slots}, as in the dense
     * ring (so the sums are the dense ring's): the index of the entry of {@code bucket}, after
     * resetting an entry of an older bucket of the same residue or a free one ({@link
     * Long#MIN_VALUE}, as in a dense ring of an earlier version) to hold it; {@link #TOO_OLD} when
     * the entry of its residue holds a newer bucket; {@link #NEW_ENTRY} otherwise.
     */
    public static int entry(long[] ids, double[] sums, int channels, long bucket, int slots) {
        long residue = Math.floorMod(bucket, (long) slots);
        int free = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == Long.MIN_VALUE) {
                free = free < 0 ? i : free;
            } else if (Math.floorMod(ids[i], (long) slots) == residue) {
                if (ids[i] > bucket) {
                    return TOO_OLD;
                }
                if (ids[i] < bucket) {
                    ids[i] = bucket;
                    Arrays.fill(sums, i * channels, i * channels + channels, 0.0);
                }
                return i;
            }
        }
        if (free >= 0) {
            ids[free] = bucket;
            Arrays.fill(sums, free * channels, free * channels + channels, 0.0);
        }
        return free >= 0 ? free : NEW_ENTRY;
    }

    /** {@code ids} with {@code bucket} appended, for a {@link #NEW_ENTRY}. */
    public static long[] grow(long[] ids, long bucket) {
        long[] grown = Arrays.copyOf(ids, ids.length + 1);
        grown[ids.length] = bucket;
        return grown;
    }

    /** {@code sums} with an entry of zeros appended, for a {@link #NEW_ENTRY}. */
    public static double[] grow(double[] sums, int channels) {
        return Arrays.copyOf(sums, sums.length + channels);
    }

    /**
     * Whether entry {@code i} of a sparse ring can still be in a window: a bucket, and not older
     * than the ring's newest bucket {@code newest} by {@code slots} or more. Every window ends at a
     * time after every event applied, so a dropped entry would never be summed again.
     */
    public static boolean live(long[] ids, int i, long newest, int slots) {
        return ids[i] != Long.MIN_VALUE && ids[i] > newest - slots;
    }

    /** The newest bucket of a ring, {@link Long#MIN_VALUE} for an empty one. */
    public static long newest(long[] ids) {
        long newest = Long.MIN_VALUE;
        for (long id : ids) {
            newest = Math.max(newest, id);
        }
        return newest;
    }

    /** The ids of the {@link #live} entries of a sparse ring. */
    public static long[] liveIds(long[] ids, int slots) {
        long newest = newest(ids);
        int n = 0;
        long[] kept = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (live(ids, i, newest, slots)) {
                kept[n++] = ids[i];
            }
        }
        return n == ids.length ? ids : Arrays.copyOf(kept, n);
    }

    /** The sums of the {@link #live} entries of a sparse ring, in the order of {@link #liveIds}. */
    public static double[] liveSums(long[] ids, double[] sums, int channels, int slots) {
        long newest = newest(ids);
        int n = 0;
        double[] kept = new double[sums.length];
        for (int i = 0; i < ids.length; i++) {
            if (live(ids, i, newest, slots)) {
                System.arraycopy(sums, i * channels, kept, n * channels, channels);
                n++;
            }
        }
        return n == ids.length ? sums : Arrays.copyOf(kept, n * channels);
    }

    /**
     * The sum of {@code channel} over the {@code buckets} buckets up to and including the bucket of
     * {@code time}, in a dense or a sparse ring (of at least {@code buckets} slots).
     */
    public static double sum(
            long[] ids,
            double[] sums,
            int channels,
            long bucketMillis,
            long time,
            int channel,
            int buckets) {
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
