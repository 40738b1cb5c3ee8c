package io.eventml.common.ml;

import java.util.ArrayList;
import java.util.List;

/**
 * How the predictions one model version served turned out, once their labels were known: the
 * quality users got, as opposed to the trainer's progressive validation. Cumulative: a version's
 * later record includes everything of its earlier ones.
 *
 * @param modelName the model
 * @param version the version that served the predictions
 * @param outcomes predictions of the version whose label is known
 * @param positives of those, the ones whose view led to a purchase within the horizon
 * @param logLossSum the sum of the predictions' log losses (mean: {@link #logLoss()})
 * @param predictedSum the sum of the predicted probabilities
 * @param bins the predictions by probability, in {@link #BINS} bins of equal width; only non-empty
 *     bins, by index
 * @param lastLabelTime the latest label time among the outcomes, epoch ms (event time)
 * @param updatedAt when this record was made, epoch ms (processing time)
 */
public record ServedQuality(
        String modelName,
        long version,
        long outcomes,
        long positives,
        double logLossSum,
        double predictedSum,
        List<Bin> bins,
        long lastLabelTime,
        long updatedAt) {

    /** Probability bins: bin {@code i} holds predictions in {@code [i / BINS, (i + 1) / BINS)}. */
    public static final int BINS = 100;

    /** The predictions of one probability bin. */
    public record Bin(int index, long positives, long negatives, double predictedSum) {
        public long count() {
            return positives + negatives;
        }
    }

    /** The probability ranges that calibration is reported in (metrics, status). */
    public static final double[] CALIBRATION_EDGES = {0, 0.05, 0.1, 0.2, 0.4, 1};

    /**
     * Calibration in a range of predicted probabilities: how many predictions fell in it, their
     * mean, and how often their views led to a purchase. A calibrated model has the two close.
     */
    public record Calibration(
            double from, double to, long count, double meanPredicted, double observedRate) {}

    /**
     * The figures of several records together (of different versions: a record is cumulative, so
     * two records of one version must not be summed), as a record of version 0.
     */
    public static ServedQuality sum(String modelName, List<ServedQuality> records) {
        long outcomes = 0;
        long positives = 0;
        double logLossSum = 0;
        double predictedSum = 0;
        long lastLabelTime = 0;
        long updatedAt = 0;
        long[] pos = new long[BINS];
        long[] neg = new long[BINS];
        double[] predicted = new double[BINS];
        for (ServedQuality q : records) {
            outcomes += q.outcomes();
            positives += q.positives();
            logLossSum += q.logLossSum();
            predictedSum += q.predictedSum();
            lastLabelTime = Math.max(lastLabelTime, q.lastLabelTime());
            updatedAt = Math.max(updatedAt, q.updatedAt());
            for (Bin b : q.bins()) {
                pos[b.index()] += b.positives();
                neg[b.index()] += b.negatives();
                predicted[b.index()] += b.predictedSum();
            }
        }
        List<Bin> bins = new ArrayList<>();
        for (int i = 0; i < BINS; i++) {
            if (pos[i] + neg[i] > 0) {
                bins.add(new Bin(i, pos[i], neg[i], predicted[i]));
            }
        }
        return new ServedQuality(
                modelName,
                0,
                outcomes,
                positives,
                logLossSum,
                predictedSum,
                bins,
                lastLabelTime,
                updatedAt);
    }

    /** The bin of a probability. */
    public static int binOf(double probability) {
        return Math.max(0, Math.min(BINS - 1, (int) (probability * BINS)));
    }

    /** The log loss of one prediction, its probability kept 1e-15 away from 0 and 1. */
    public static double logLoss(double probability, boolean label) {
        double q = Math.min(1 - 1e-15, Math.max(1e-15, probability));
        return label ? -Math.log(q) : -Math.log(1 - q);
    }

    /** Mean log loss; NaN without outcomes. */
    public double logLoss() {
        return outcomes == 0 ? Double.NaN : logLossSum / outcomes;
    }

    /** The observed positive rate (the base rate); NaN without outcomes. */
    public double positiveRate() {
        return outcomes == 0 ? Double.NaN : positives / (double) outcomes;
    }

    /** Mean predicted probability; NaN without outcomes. */
    public double meanPredicted() {
        return outcomes == 0 ? Double.NaN : predictedSum / outcomes;
    }

    /**
     * The log loss of always predicting the observed positive rate: what a model must beat to be
     * worth serving. NaN without outcomes.
     */
    public double baseRateLogLoss() {
        return baseRateLogLoss(positiveRate());
    }

    /** The log loss of always predicting {@code rate} where the positive rate is {@code rate}. */
    public static double baseRateLogLoss(double rate) {
        if (Double.isNaN(rate)) {
            return Double.NaN;
        }
        return -(rate * Math.log(Math.max(rate, 1e-15))
                + (1 - rate) * Math.log(Math.max(1 - rate, 1e-15)));
    }

    /**
     * Calibration per range between consecutive {@code edges} (multiples of 1 / {@link #BINS}, from
     * 0 to 1, increasing); a range without predictions has NaN means.
     */
    public List<Calibration> calibration(double... edges) {
        int ranges = edges.length - 1;
        long[] counts = new long[ranges];
        long[] positiveCounts = new long[ranges];
        double[] predicted = new double[ranges];
        for (Bin b : bins) {
            double lower = b.index() / (double) BINS;
            int r = 0;
            while (r < ranges - 1 && edges[r + 1] <= lower + 1e-9) {
                r++;
            }
            counts[r] += b.count();
            positiveCounts[r] += b.positives();
            predicted[r] += b.predictedSum();
        }
        List<Calibration> out = new ArrayList<>(ranges);
        for (int r = 0; r < ranges; r++) {
            out.add(
                    new Calibration(
                            edges[r],
                            edges[r + 1],
                            counts[r],
                            counts[r] == 0 ? Double.NaN : predicted[r] / counts[r],
                            counts[r] == 0 ? Double.NaN : positiveCounts[r] / (double) counts[r]));
        }
        return out;
    }

    /**
     * Area under the ROC curve from the bins (pairs within a bin count half: at most half a bin's
     * share below the exact value); NaN without both classes.
     */
    public double auc() {
        double pairs = 0;
        double negativesBelow = 0;
        long totalPositives = 0;
        long totalNegatives = 0;
        for (Bin b : bins) {
            pairs += b.positives() * (negativesBelow + b.negatives() / 2.0);
            negativesBelow += b.negatives();
            totalPositives += b.positives();
            totalNegatives += b.negatives();
        }
        return totalPositives == 0 || totalNegatives == 0
                ? Double.NaN
                : pairs / ((double) totalPositives * totalNegatives);
    }
}
