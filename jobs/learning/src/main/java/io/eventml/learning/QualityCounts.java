package io.eventml.learning;

import io.eventml.common.ml.ServedQuality;

import java.util.ArrayList;
import java.util.List;

/**
 * Sums of served outcomes from which {@link ServedQuality}'s figures follow: counts, log loss and
 * predictions, in total and per probability bin. A Flink POJO.
 */
public class QualityCounts {
    public long outcomes;
    public long positives;
    public double logLossSum;
    public double predictedSum;
    public long[] positivesByBin = new long[ServedQuality.BINS];
    public long[] negativesByBin = new long[ServedQuality.BINS];
    public double[] predictedByBin = new double[ServedQuality.BINS];

    /** The latest label time added, epoch ms. */
    public long lastLabelTime = Long.MIN_VALUE;

    public void add(ServedOutcome o) {
        int bin = ServedQuality.binOf(o.probability());
        outcomes++;
        logLossSum += ServedQuality.logLoss(o.probability(), o.label());
        predictedSum += o.probability();
        predictedByBin[bin] += o.probability();
        if (o.label()) {
            positives++;
            positivesByBin[bin]++;
        } else {
            negativesByBin[bin]++;
        }
        lastLabelTime = Math.max(lastLabelTime, o.labelTime());
    }

    public void addAll(QualityCounts other) {
        outcomes += other.outcomes;
        positives += other.positives;
        logLossSum += other.logLossSum;
        predictedSum += other.predictedSum;
        for (int b = 0; b < ServedQuality.BINS; b++) {
            positivesByBin[b] += other.positivesByBin[b];
            negativesByBin[b] += other.negativesByBin[b];
            predictedByBin[b] += other.predictedByBin[b];
        }
        lastLabelTime = Math.max(lastLabelTime, other.lastLabelTime);
    }

    public ServedQuality toRecord(String modelName, long version, long now) {
        List<ServedQuality.Bin> bins = new ArrayList<>();
        for (int b = 0; b < ServedQuality.BINS; b++) {
            if (positivesByBin[b] + negativesByBin[b] > 0) {
                bins.add(
                        new ServedQuality.Bin(
                                b, positivesByBin[b], negativesByBin[b], predictedByBin[b]));
            }
        }
        return new ServedQuality(
                modelName,
                version,
                outcomes,
                positives,
                logLossSum,
                predictedSum,
                bins,
                Math.max(0, lastLabelTime),
                now);
    }
}
