package io.eventml.learning;

import io.eventml.common.ml.ServedQuality;

/**
 * The drift test's input: each labelled prediction's log loss minus the log loss the recent
 * positive rate (of the last {@code window} labels, an exponential average once that many were
 * seen) would have had on the same label. Below zero while the model beats the base rate; it rises
 * whenever the model loses its edge, also when the world buys less (which lowers the log loss of
 * any model). A Flink POJO, kept in keyed state.
 */
public class ExcessLogLoss {
    public double rate = Double.NaN;
    public long seen;

    /** The input for this outcome; then the rate learns its label. */
    public double next(double probability, boolean label, long window) {
        double base = Double.isNaN(rate) ? 0.5 : Math.min(0.999, Math.max(0.001, rate));
        double excess =
                ServedQuality.logLoss(probability, label) - ServedQuality.logLoss(base, label);
        seen++;
        double r = Double.isNaN(rate) ? 0 : rate;
        rate = r + ((label ? 1 : 0) - r) / Math.min(seen, window);
        return excess;
    }
}
