package io.eventml.common.ml;

import org.apache.flink.ml.classification.logisticregression.LogisticRegressionModelData;
import org.apache.flink.ml.classification.logisticregression.LogisticRegressionModelServable;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.ml.servable.api.DataFrame;
import org.apache.flink.ml.servable.api.Row;
import org.apache.flink.ml.servable.types.BasicType;
import org.apache.flink.ml.servable.types.DataType;
import org.apache.flink.ml.servable.types.DataTypes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge between our online trainer and Flink ML's logistic regression: model bytes in Flink
 * ML's {@link LogisticRegressionModelData} encoding, loaded and applied by Flink ML's own {@link
 * LogisticRegressionModelServable}.
 */
public final class LogisticRegressionModels {
    /** The servable's default column names. */
    public static final String FEATURES_COLUMN = "features";

    public static final String PREDICTION_COLUMN = "prediction";
    public static final String RAW_PREDICTION_COLUMN = "rawPrediction";

    private LogisticRegressionModels() {}

    /** The model's bytes in Flink ML's encoding (coefficients, then the model version). */
    public static byte[] encode(DenseVector coefficients, long modelVersion) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 8 * coefficients.size());
        try {
            new LogisticRegressionModelData(coefficients, modelVersion).encode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode model version " + modelVersion, e);
        }
        return bytes.toByteArray();
    }

    /** A Flink ML servable holding the model encoded in {@code modelData}. */
    public static LogisticRegressionModelServable servable(byte[] modelData) {
        try {
            return new LogisticRegressionModelServable()
                    .setModelData(new ByteArrayInputStream(modelData));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "not a Flink ML LogisticRegressionModelData encoding ("
                            + modelData.length
                            + " bytes)",
                    e);
        }
    }

    /**
     * The probability of the positive class for each feature vector, as computed by the servable
     * (the second entry of its {@code rawPrediction} column).
     */
    public static double[] probabilities(
            LogisticRegressionModelServable servable, List<DenseVector> features) {
        // The servable appends output columns to the lists it is given: they must be mutable.
        List<String> names = new ArrayList<>(List.of(FEATURES_COLUMN));
        List<DataType> types = new ArrayList<>(List.of(DataTypes.VECTOR(BasicType.DOUBLE)));
        List<Row> rows = new ArrayList<>(features.size());
        for (DenseVector vector : features) {
            rows.add(new Row(new ArrayList<>(List.of(vector))));
        }
        DataFrame output = servable.transform(new DataFrame(names, types, rows));
        int raw = output.getIndex(RAW_PREDICTION_COLUMN);
        double[] result = new double[features.size()];
        List<Row> outputRows = output.collect();
        for (int i = 0; i < result.length; i++) {
            DenseVector rawPrediction = outputRows.get(i).getAs(raw);
            result[i] = rawPrediction.get(1);
        }
        return result;
    }
}
