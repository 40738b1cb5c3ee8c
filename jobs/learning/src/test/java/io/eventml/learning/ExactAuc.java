package io.eventml.learning;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** The exact AUC of scored items, for the learning tests and the quality benchmark. */
final class ExactAuc {
    private ExactAuc() {}

    /** The exact AUC (Mann-Whitney; ties get their mean rank). */
    static <T> double of(List<T> items, ToDoubleFunction<T> score, Function<T, Boolean> label) {
        double[][] scored = new double[items.size()][];
        for (int i = 0; i < scored.length; i++) {
            T item = items.get(i);
            scored[i] = new double[] {score.applyAsDouble(item), label.apply(item) ? 1 : 0};
        }
        Arrays.sort(scored, Comparator.comparingDouble(s -> s[0]));
        double rankSum = 0;
        long positives = 0;
        for (int i = 0; i < scored.length; ) {
            int j = i;
            while (j < scored.length && scored[j][0] == scored[i][0]) {
                j++;
            }
            double meanRank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++) {
                if (scored[k][1] == 1) {
                    rankSum += meanRank;
                    positives++;
                }
            }
            i = j;
        }
        long negatives = scored.length - positives;
        return (rankSum - positives * (positives + 1) / 2.0) / (positives * (double) negatives);
    }
}
