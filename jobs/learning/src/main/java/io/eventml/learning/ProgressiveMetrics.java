package io.eventml.learning;

/**
 * Progressive-validation metrics over the most recent examples, each scored before it was learned:
 * log loss, positive rate and AUC. AUC comes from histograms of the predicted probability ({@link
 * #BINS} bins) for positives and negatives, kept for the last {@link #CHUNKS} chunks of {@link
 * #CHUNK} examples, so the window slides in steps of {@link #CHUNK} and the state stays a few KB. A
 * Flink POJO.
 */
public class ProgressiveMetrics {
    public static final int BINS = 50;
    public static final int CHUNK = 1_000;
    public static final int CHUNKS = 10;

    /** Per chunk: BINS positive counts then BINS negative counts. */
    public long[] histograms = new long[CHUNKS * 2 * BINS];

    public double[] logLoss = new double[CHUNKS];
    public long[] counts = new long[CHUNKS];

    /** Examples seen in total; the current chunk is {@code (seen / CHUNK) % CHUNKS}. */
    public long seen;

    public void add(double p, boolean label) {
        int chunk = (int) ((seen / CHUNK) % CHUNKS);
        if (seen % CHUNK == 0) {
            java.util.Arrays.fill(histograms, chunk * 2 * BINS, (chunk + 1) * 2 * BINS, 0);
            logLoss[chunk] = 0;
            counts[chunk] = 0;
        }
        int bin = Math.min(BINS - 1, (int) (p * BINS));
        histograms[chunk * 2 * BINS + (label ? 0 : BINS) + bin]++;
        double q = Math.min(1 - 1e-15, Math.max(1e-15, p));
        logLoss[chunk] += label ? -Math.log(q) : -Math.log(1 - q);
        counts[chunk]++;
        seen++;
    }

    public long windowCount() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** Mean log loss over the window; NaN when empty. */
    public double logLoss() {
        double sum = 0;
        for (double l : logLoss) {
            sum += l;
        }
        long n = windowCount();
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Fraction of positives in the window; NaN when empty. */
    public double positiveRate() {
        long positives = 0;
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            for (int b = 0; b < BINS; b++) {
                positives += histograms[chunk * 2 * BINS + b];
            }
        }
        long n = windowCount();
        return n == 0 ? Double.NaN : positives / (double) n;
    }

    /**
     * Area under the ROC curve over the window from the binned scores (ties within a bin count
     * half); NaN without both classes.
     */
    public double auc() {
        long[] pos = new long[BINS];
        long[] neg = new long[BINS];
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            for (int b = 0; b < BINS; b++) {
                pos[b] += histograms[chunk * 2 * BINS + b];
                neg[b] += histograms[chunk * 2 * BINS + BINS + b];
            }
        }
        return auc(pos, neg);
    }

    /**
     * The AUC of scores binned by probability: {@code positives[b]} and {@code negatives[b]} count
     * the examples of each class in bin {@code b}, bins in increasing order; pairs in one bin count
     * half. NaN without both classes.
     */
    public static double auc(long[] positives, long[] negatives) {
        double pairs = 0;
        double negativesBelow = 0;
        long totalPos = 0;
        long totalNeg = 0;
        for (int b = 0; b < positives.length; b++) {
            pairs += positives[b] * (negativesBelow + negatives[b] / 2.0);
            negativesBelow += negatives[b];
            totalPos += positives[b];
            totalNeg += negatives[b];
        }
        return totalPos == 0 || totalNeg == 0 ? Double.NaN : pairs / ((double) totalPos * totalNeg);
    }
}
