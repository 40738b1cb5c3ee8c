package io.eventml.common.ml;

/**
 * A drift detector fired: the served predictions' loss rose beyond what the detector tolerates.
 *
 * @param modelName the model's name
 * @param detector which detector fired, e.g. {@code page-hinkley-served-log-loss}
 * @param servingVersion the newest version among the outcomes the detector saw
 * @param outcomes labelled predictions the detector saw since it started (or last fired)
 * @param statistic the detector's statistic when it fired
 * @param threshold the threshold the statistic passed
 * @param baselineLogLoss the mean served log loss the detector compared against
 * @param recentLogLoss the mean served log loss of the outcomes since the statistic's low point
 * @param recentOutcomes how many outcomes that mean is of
 * @param labelTime event time of the outcome that made it fire
 * @param detectedAt when it fired, epoch ms
 */
public record DriftAlarm(
        String modelName,
        String detector,
        long servingVersion,
        long outcomes,
        double statistic,
        double threshold,
        double baselineLogLoss,
        double recentLogLoss,
        long recentOutcomes,
        long labelTime,
        long detectedAt) {}
