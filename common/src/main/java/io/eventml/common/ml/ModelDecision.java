package io.eventml.common.ml;

/**
 * What the promotion gate decided about a candidate model version, with the figures it decided on:
 * the candidate's and the serving version's log loss on the same examples, which neither had
 * learned from (the examples that arrived after the candidate was cut), and the log loss of always
 * predicting those examples' own positive rate.
 *
 * @param model the candidate, as it would be (or was) written to {@code ml.models}
 * @param verdict promoted (served from now on) or rejected (never served)
 * @param reason the comparison that decided it, in words
 * @param holdoutExamples examples the candidate was evaluated on
 * @param holdoutPositives how many of them were positive
 * @param candidateLogLoss the candidate's mean log loss on them
 * @param candidateAuc its AUC on them (binned); NaN with one class only
 * @param servingVersion the version served when the candidate was decided; 0 when none was
 * @param servingLogLoss that version's mean log loss on the same examples; NaN when none
 * @param decidedAt when the gate decided, epoch ms
 */
public record ModelDecision(
        ModelUpdate model,
        Verdict verdict,
        String reason,
        long holdoutExamples,
        long holdoutPositives,
        double candidateLogLoss,
        double candidateAuc,
        long servingVersion,
        double servingLogLoss,
        long decidedAt) {

    /** The gate's two outcomes. */
    public enum Verdict {
        PROMOTED,
        REJECTED
    }

    public String modelName() {
        return model.modelName();
    }

    public long version() {
        return model.version();
    }

    public boolean promoted() {
        return verdict == Verdict.PROMOTED;
    }

    /** The holdout's positive rate. */
    public double baseRate() {
        return holdoutExamples == 0 ? Double.NaN : holdoutPositives / (double) holdoutExamples;
    }

    /**
     * The log loss of always predicting the holdout's own positive rate (its entropy): what a model
     * that knows nothing but the rate scores. Zero when the holdout has one class only.
     */
    public double baseLogLoss() {
        return entropy(baseRate());
    }

    /** The log loss of always predicting {@code rate} on examples whose positive rate it is. */
    public static double entropy(double rate) {
        if (!(rate > 0 && rate < 1)) {
            return 0;
        }
        return -(rate * Math.log(rate) + (1 - rate) * Math.log(1 - rate));
    }
}
