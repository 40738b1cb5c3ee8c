package io.eventml.learning;

import java.io.Serializable;

/**
 * The Page-Hinkley test for a rise in the mean of a stream (E. S. Page, "Continuous Inspection
 * Schemes", Biometrika 1954; the form used in stream learning, e.g. by River's {@code
 * drift.PageHinkley}): the cumulative sum {@code m} of each value's excess over the running mean,
 * less a tolerated {@code delta}, is compared with its lowest point so far; when it has risen more
 * than {@code threshold} above it, the mean has risen. The running mean is of the last {@code
 * window} values (an exponential average once that many have been seen), so that a model that
 * improved long ago does not hide a later rise. After it fires, it starts again from nothing. A
 * Flink POJO, kept in keyed state.
 */
public class PageHinkley {
    // Chosen by measurement (docs/learning.md, "Drift"): no alarm in 6 unshifted hours of the
    // served quality benchmark, a shifted world found 38 minutes of event time after its shift.
    public static final double DEFAULT_DELTA = 0.005;
    public static final double DEFAULT_THRESHOLD = 200;
    public static final long DEFAULT_WINDOW = 10_000;

    /**
     * @param delta the rise per value tolerated (in the stream's units)
     * @param threshold how far the cumulative excess must rise above its low point to fire
     * @param window the running mean's span, in values; also how many values it sees before it may
     *     fire
     */
    public record Settings(double delta, double threshold, long window) implements Serializable {
        public Settings {
            if (!(delta >= 0) || !(threshold > 0) || window < 1) {
                throw new IllegalArgumentException(
                        "Page-Hinkley needs delta >= 0, threshold > 0 and a window of at least 1,"
                                + " got "
                                + delta
                                + ", "
                                + threshold
                                + ", "
                                + window);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_DELTA, DEFAULT_THRESHOLD, DEFAULT_WINDOW);
        }
    }

    /** Values seen since the start or the last alarm. */
    public long seen;

    public double mean;
    public double sum;
    public double low;

    /** The values since the low point: their count and sum. */
    public long sinceLow;

    public double sumSinceLow;

    /** Adds {@code x}; true when the test fires (it has then started again). */
    public boolean add(double x, Settings settings) {
        seen++;
        mean += (x - mean) / Math.min(seen, settings.window());
        sum += x - mean - settings.delta();
        if (sum <= low) {
            low = sum;
            sinceLow = 0;
            sumSinceLow = 0;
        } else {
            sinceLow++;
            sumSinceLow += x;
        }
        return seen >= settings.window() && statistic() > settings.threshold();
    }

    /** How far the cumulative excess is above its low point. */
    public double statistic() {
        return sum - low;
    }

    /** The mean of the values since the low point (NaN if none). */
    public double recentMean() {
        return sinceLow == 0 ? Double.NaN : sumSinceLow / sinceLow;
    }

    /** Starts again from nothing. */
    public void reset() {
        seen = 0;
        mean = 0;
        sum = 0;
        low = 0;
        sinceLow = 0;
        sumSinceLow = 0;
    }
}
