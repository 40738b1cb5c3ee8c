package io.eventml.learning;

import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.ServedQuality;

import java.io.Serializable;
import java.util.Locale;

/**
 * Decides whether a candidate version may be served. A candidate is frozen when the trainer cuts it
 * and is then evaluated, beside the serving version, on the next {@link Settings#examples}
 * examples: examples neither has learned from. It is promoted if its log loss on them is below the
 * base rate's (always predicting their own positive rate) and at most {@link Settings#tolerance}
 * (relative) above the serving version's; otherwise rejected. A Flink POJO, kept in the trainer's
 * state.
 */
public class PromotionGate {
    public static final long DEFAULT_EXAMPLES = 1_000;
    public static final double DEFAULT_TOLERANCE = 0.01;

    /** AUC bins of the candidate's predictions. */
    static final int BINS = 100;

    /**
     * @param examples how many examples a candidate is evaluated on before it is decided
     * @param tolerance how far (relative log loss) a candidate may fall behind the serving version
     *     and still be promoted
     */
    public record Settings(long examples, double tolerance) implements Serializable {
        public Settings {
            if (examples < 1) {
                throw new IllegalArgumentException(
                        "the gate must evaluate at least 1 example, got " + examples);
            }
            if (!(tolerance >= 0 && tolerance < 1)) {
                throw new IllegalArgumentException(
                        "the gate's tolerance must be in [0, 1), got " + tolerance);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_EXAMPLES, DEFAULT_TOLERANCE);
        }
    }

    /** The candidate under evaluation; null when none is. */
    public ModelUpdate candidate;

    /** The version served (the newest promoted); null when none is. */
    public ModelUpdate serving;

    public long evaluated;
    public long positives;
    public double candidateLogLossSum;
    public double servingLogLossSum;
    public long[] candidatePositives = new long[BINS];
    public long[] candidateNegatives = new long[BINS];

    /** Starts evaluating {@code model}; there must be no candidate under evaluation. */
    public void cut(ModelUpdate model) {
        if (candidate != null) {
            throw new IllegalStateException(
                    "version " + candidate.version() + " is still being evaluated");
        }
        candidate = model;
        evaluated = 0;
        positives = 0;
        candidateLogLossSum = 0;
        servingLogLossSum = 0;
        java.util.Arrays.fill(candidatePositives, 0);
        java.util.Arrays.fill(candidateNegatives, 0);
    }

    /**
     * Replaces the candidate by {@code fresher}, of the same version, before any example has been
     * scored: the gate judges the freshest weights it can.
     */
    public void recut(ModelUpdate fresher) {
        if (candidate == null || evaluated > 0 || fresher.version() != candidate.version()) {
            throw new IllegalStateException(
                    "only a candidate not yet scored can be replaced, by one of its version");
        }
        candidate = fresher;
    }

    public boolean evaluating() {
        return candidate != null;
    }

    /** Scores an example the candidate has not learned from with the candidate and the serving. */
    public void evaluate(double[] x, boolean label) {
        double p = probability(candidate, x);
        evaluated++;
        positives += label ? 1 : 0;
        candidateLogLossSum += ServedQuality.logLoss(p, label);
        int bin = Math.min(BINS - 1, (int) (p * BINS));
        (label ? candidatePositives : candidateNegatives)[bin]++;
        if (serving != null) {
            servingLogLossSum += ServedQuality.logLoss(probability(serving, x), label);
        }
    }

    public boolean due(Settings settings) {
        return candidate != null && evaluated >= settings.examples();
    }

    /**
     * Decides the candidate: promoted, it becomes the serving version. Either way the gate is then
     * free for the next candidate.
     */
    public ModelDecision decide(Settings settings, long now) {
        double candidateLogLoss = candidateLogLossSum / evaluated;
        double servingLogLoss = serving == null ? Double.NaN : servingLogLossSum / evaluated;
        double base = ModelDecision.entropy(positives / (double) evaluated);
        ModelDecision.Verdict verdict;
        String reason;
        if (!(candidateLogLoss < base)) {
            verdict = ModelDecision.Verdict.REJECTED;
            reason =
                    format(
                            "log loss %.4f on the %d examples labelled after its cut is not below"
                                    + " the base rate's %.4f",
                            candidateLogLoss, evaluated, base);
        } else if (serving != null
                && candidateLogLoss > servingLogLoss * (1 + settings.tolerance())) {
            verdict = ModelDecision.Verdict.REJECTED;
            reason =
                    format(
                            "log loss %.4f on the %d examples labelled after its cut is more than"
                                    + " %.1f%% above serving version %d's %.4f",
                            candidateLogLoss,
                            evaluated,
                            100 * settings.tolerance(),
                            serving.version(),
                            servingLogLoss);
        } else {
            verdict = ModelDecision.Verdict.PROMOTED;
            reason =
                    serving == null
                            ? format(
                                    "log loss %.4f on the %d examples labelled after its cut is"
                                            + " below the base rate's %.4f; nothing was served",
                                    candidateLogLoss, evaluated, base)
                            : format(
                                    "log loss %.4f on the %d examples labelled after its cut is"
                                            + " below the base rate's %.4f and within %.1f%% of"
                                            + " serving version %d's %.4f",
                                    candidateLogLoss,
                                    evaluated,
                                    base,
                                    100 * settings.tolerance(),
                                    serving.version(),
                                    servingLogLoss);
        }
        ModelDecision decision =
                new ModelDecision(
                        candidate,
                        verdict,
                        reason,
                        evaluated,
                        positives,
                        candidateLogLoss,
                        ProgressiveMetrics.auc(candidatePositives, candidateNegatives),
                        serving == null ? 0 : serving.version(),
                        servingLogLoss,
                        now);
        if (decision.promoted()) {
            serving = candidate;
        }
        candidate = null;
        return decision;
    }

    /** P(y = 1 | x) as the scorer serves it: sigmoid of the coefficients times the features. */
    static double probability(ModelUpdate model, double[] x) {
        double[] w = model.coefficients().values;
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
            dot += w[i] * x[i];
        }
        return FtrlProximal.sigmoid(dot);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
