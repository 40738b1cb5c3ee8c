package io.eventml.learning;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Covariate drift: the population stability index (PSI) of each feature between the views the
 * serving version learned last before its cut and each block of recent views. PSI sums {@code (p -
 * q) ln(p / q)} over a histogram's bins ({@code p}, {@code q} the two windows' shares of a bin); by
 * the usual rule of thumb below 0.1 is no shift, 0.1-0.25 a moderate one, above 0.25 a large one.
 *
 * <p>Each feature's values are binned on a fixed scale, {@code v / (1 + |v|)} cut in {@link #BINS}
 * equal bins over (-1, 1): the features are counts on a log scale, rates, one-hots and means in
 * [-1, 1], all of which spread over several bins of that scale, and fixed bins need no sample of
 * the reference kept. A value counts into the two bins whose centres it lies between, in proportion
 * to how near it is to each (linear binning, in {@link #WEIGHT}ths of a view), so that the
 * histogram moves as little as the values do: with hard bins, values that sit on a bin edge
 * (in-store footfall at {@code ln(1 + x)} about 4, exactly the edge 0.8 of the scale) flipped from
 * one bin to the next on a move of a few percent and read as a large shift. Shares are smoothed by
 * half a view per bin, so that an empty bin does not make the index infinite.
 *
 * <p>Views are counted in blocks of {@code window}. The reference follows the gate: a candidate's
 * is the last full block before its cut (views it learned last), and becomes the reference when the
 * candidate is promoted. Each full block is compared with the reference; a feature fires once per
 * reference. A Flink POJO in the trainer's state: four windows of {@code BINS x features} counts.
 */
public class FeatureDrift {
    public static final int BINS = 20;

    /** What one view adds to a feature's histogram, split between two neighbouring bins. */
    public static final int WEIGHT = 16;

    // A large shift by the rule of thumb; a block of 2,000 views against a reference of as many
    // from the same population gives about (BINS - 1) x (1/2000 + 1/2000) = 0.02 by chance.
    public static final double DEFAULT_THRESHOLD = 0.25;
    public static final int DEFAULT_WINDOW = 2_000;

    /**
     * @param threshold the PSI from which a feature has drifted
     * @param window views per recent block, and the fewest a reference may have
     */
    public record Settings(double threshold, int window) implements Serializable {
        public Settings {
            if (!(threshold > 0) || window < BINS) {
                throw new IllegalArgumentException(
                        "feature drift needs a threshold above 0 and a window of at least "
                                + BINS
                                + " views, got "
                                + threshold
                                + " and "
                                + window);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_THRESHOLD, DEFAULT_WINDOW);
        }
    }

    /** A feature that drifted: its index, its PSI, and its mean in both windows. */
    public record Shift(int feature, double psi, double referenceMean, double recentMean) {}

    /** The serving version's reference; empty (count 0) before a first promotion. */
    public Window reference;

    /** The candidate's reference, while one is judged. */
    public Window candidate;

    /** The last full block. */
    public Window last;

    /** The block being filled. */
    public Window recent;

    /** Features that fired against this reference, one bit each. */
    public long[] fired;

    /** The largest PSI of the last block compared, and of which feature. */
    public double lastMaxPsi;

    public int lastMaxFeature = -1;

    /** A POJO's constructor; {@link #of} makes a usable one. */
    public FeatureDrift() {}

    /** For vectors of {@code features} values. */
    public static FeatureDrift of(int features) {
        FeatureDrift d = new FeatureDrift();
        d.reference = Window.of(features);
        d.candidate = Window.of(features);
        d.last = Window.of(features);
        d.recent = Window.of(features);
        d.fired = new long[(features + 63) / 64];
        return d;
    }

    /** Counts a learned view; returns the features that drifted if it completed a block. */
    public List<Shift> observe(double[] x, Settings settings) {
        recent.add(x);
        if (recent.count < settings.window()) {
            return List.of();
        }
        List<Shift> shifts = new ArrayList<>();
        if (!reference.isLinear()) {
            // Counted one per view in one bin (before linear binning, restored from a savepoint):
            // it reads values on bin edges as shifted. Unknown until the next promotion.
            reference.clear();
            Arrays.fill(fired, 0);
        }
        if (reference.count >= settings.window() && recent.isLinear()) {
            lastMaxPsi = 0;
            lastMaxFeature = -1;
            for (int f = 0; f < x.length; f++) {
                double psi = psi(reference, recent, f);
                if (psi > lastMaxPsi) {
                    lastMaxPsi = psi;
                    lastMaxFeature = f;
                }
                long bit = 1L << (f % 64);
                if (psi >= settings.threshold() && (fired[f / 64] & bit) == 0) {
                    fired[f / 64] |= bit;
                    shifts.add(new Shift(f, psi, reference.mean(f), recent.mean(f)));
                }
            }
        }
        Window w = last;
        last = recent;
        recent = w;
        recent.clear();
        return shifts;
    }

    /**
     * A candidate was cut, or replaced by fresher weights: the last full block is its reference
     * (none before the first block is full).
     */
    public void cut() {
        candidate.clear();
        if (last.isLinear()) {
            candidate.addAll(last);
        }
    }

    /** The candidate was decided: promoted, its reference is the serving version's. */
    public void decided(boolean promoted) {
        if (promoted && candidate.count > 0) {
            Window w = reference;
            reference = candidate;
            candidate = w;
            Arrays.fill(fired, 0);
        }
        candidate.clear();
    }

    /**
     * The serving version changed without a promotion here (one found on {@code ml.models} after a
     * restore): its reference is unknown, so nothing is compared until the next promotion.
     */
    public void servingReplaced() {
        reference.clear();
        Arrays.fill(fired, 0);
    }

    /** The PSI of feature {@code f} between two windows' histograms. */
    static double psi(Window reference, Window recent, int f) {
        double psi = 0;
        double[] p = reference.shares(f);
        double[] q = recent.shares(f);
        for (int b = 0; b < BINS; b++) {
            psi += (q[b] - p[b]) * Math.log(q[b] / p[b]);
        }
        return psi;
    }

    /**
     * Where value {@code v} lies on the scale {@code v / (1 + |v|)}, in bins: {@code b} is the
     * centre of bin {@code b}, from 0 to {@code BINS - 1} (values beyond the outer centres count
     * whole into the outer bins).
     */
    static double position(double v) {
        if (Double.isNaN(v)) {
            return 0;
        }
        double s = Double.isInfinite(v) ? Math.signum(v) : v / (1 + Math.abs(v));
        return Math.min(BINS - 1, Math.max(0, (s + 1) / 2 * BINS - 0.5));
    }

    /** A histogram per feature and each feature's sum, over {@code count} views. A Flink POJO. */
    public static class Window {
        public long count;
        public int[] bins;
        public double[] sums;

        public Window() {}

        static Window of(int features) {
            Window w = new Window();
            w.bins = new int[features * BINS];
            w.sums = new double[features];
            return w;
        }

        void add(double[] x) {
            for (int f = 0; f < x.length && f < sums.length; f++) {
                double at = position(x[f]);
                int low = (int) at;
                int high = Math.min(low + 1, BINS - 1);
                int toHigh = (int) Math.round((at - low) * WEIGHT);
                bins[f * BINS + low] += WEIGHT - toHigh;
                bins[f * BINS + high] += toHigh;
                sums[f] += x[f];
            }
            count++;
        }

        /** Feature {@code f}'s share of each bin, smoothed by half a view per bin. */
        double[] shares(int f) {
            double[] shares = new double[BINS];
            for (int b = 0; b < BINS; b++) {
                shares[b] = (bins[f * BINS + b] + 0.5 * WEIGHT) / ((count + 0.5 * BINS) * WEIGHT);
            }
            return shares;
        }

        /**
         * Whether every view here was counted by linear binning ({@link #WEIGHT} per feature), not
         * one in one bin as before it (a window restored from a savepoint of that time, or a block
         * that was being filled when it was taken).
         */
        boolean isLinear() {
            long total = 0;
            for (int b = 0; b < BINS && b < bins.length; b++) {
                total += bins[b];
            }
            return count == 0 || total == count * WEIGHT;
        }

        void addAll(Window other) {
            for (int i = 0; i < bins.length; i++) {
                bins[i] += other.bins[i];
            }
            for (int f = 0; f < sums.length; f++) {
                sums[f] += other.sums[f];
            }
            count += other.count;
        }

        void clear() {
            Arrays.fill(bins, 0);
            Arrays.fill(sums, 0);
            count = 0;
        }

        double mean(int f) {
            return count == 0 ? Double.NaN : sums[f] / count;
        }
    }
}
