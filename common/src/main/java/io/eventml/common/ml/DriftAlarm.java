package io.eventml.common.ml;

/**
 * A drift detector fired. Either the served predictions' log loss rose, against the base rate's,
 * beyond what the detector tolerates (its input is each labelled prediction's log loss minus the
 * log loss of the recent positive rate on the same label: below zero while the model beats the base
 * rate); or a feature's distribution in recent views moved away from the one the serving version
 * learned on ({@code feature} names it; the fields then speak of views and of the feature's mean).
 *
 * @param modelName the model's name
 * @param detector which detector fired, e.g. {@code page-hinkley-served-log-loss}
 * @param servingVersion the newest version among the outcomes the detector saw
 * @param outcomes labelled predictions the detector saw since it started (or last fired)
 * @param statistic the detector's statistic when it fired
 * @param threshold the threshold the statistic passed
 * @param baseline the input's running mean the detector compared against
 * @param recent the input's mean over the outcomes since the statistic's low point
 * @param recentOutcomes how many outcomes that mean is of
 * @param labelTime event time of the outcome that made it fire
 * @param detectedAt when it fired, epoch ms
 * @param feature the feature that drifted, for a detector on features; null for one on the loss
 */
public record DriftAlarm(
        String modelName,
        String detector,
        long servingVersion,
        long outcomes,
        double statistic,
        double threshold,
        double baseline,
        double recent,
        long recentOutcomes,
        long labelTime,
        long detectedAt,
        String feature) {}
