package io.eventml.common.ml;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.ml.linalg.DenseVector;

/**
 * A published model version: its coefficients (Flink ML's logistic regression, no separate
 * intercept: the spec's {@code bias} feature carries it) and how it was doing when it was
 * published.
 *
 * @param modelName the model's name
 * @param version increases by one per publication of the model's line ({@link ModelLines}) and
 *     survives restarts
 * @param coefficients one weight per feature of {@code specVersion}
 * @param examples examples learned so far
 * @param logLoss progressive log loss over the recent window
 * @param auc progressive AUC over the recent window
 * @param positiveRate fraction of positives over the recent window
 * @param specVersion the feature spec the model was trained on
 * @param createdAt when it was published, epoch ms
 */
public record ModelUpdate(
        String modelName,
        long version,
        @TypeInfo(DenseVectorTypeInformation.Factory.class) DenseVector coefficients,
        long examples,
        double logLoss,
        double auc,
        double positiveRate,
        int specVersion,
        long createdAt) {

    /** The key of its line: of its trainer state and on {@code ml.models}. */
    public String lineKey() {
        return ModelLines.key(modelName, specVersion);
    }

    /** The model in Flink ML's {@code LogisticRegressionModelData} encoding. */
    public byte[] modelData() {
        return LogisticRegressionModels.encode(coefficients, version);
    }
}
