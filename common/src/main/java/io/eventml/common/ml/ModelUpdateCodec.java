package io.eventml.common.ml;

import io.eventml.common.features.FeatureVectorCodec;
import io.eventml.common.serde.DecodeException;
import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;

import org.apache.flink.ml.linalg.DenseVector;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;

/**
 * JSON codec of {@link ModelUpdate} on {@code ml.models}. Besides the metadata and the readable
 * {@code coefficients}, every record carries {@code modelData}: the base64 of the model in Flink
 * ML's {@code LogisticRegressionModelData} encoding, which Flink ML's {@code
 * LogisticRegressionModelServable.setModelData} loads as is. A record whose two forms disagree is
 * refused. Metrics not known yet (AUC before both classes were seen) are {@code null}. See
 * docs/events.md.
 */
public final class ModelUpdateCodec extends JsonCodec<ModelUpdate> {
    private static final long serialVersionUID = 1L;

    public ModelUpdateCodec() {
        super(JsonLimits.DEFAULT);
    }

    @Override
    protected ModelUpdate read(JsonFields f) {
        return readModel(f);
    }

    @Override
    protected void write(ModelUpdate m, JsonGenerator out) throws IOException {
        writeModel(m, out);
    }

    /** A model's fields, also the first fields of a {@link ModelDecision}. */
    static ModelUpdate readModel(JsonFields f) {
        String name = f.requiredId("modelName");
        long version = f.requiredLong("version", 1, Long.MAX_VALUE);
        double[] coefficients = f.requiredDoubles("coefficients", 1, FeatureVectorCodec.MAX_VALUES);
        byte[] modelData;
        try {
            modelData = Base64.getDecoder().decode(f.requiredText("modelData"));
        } catch (IllegalArgumentException e) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE, "field 'modelData' is not base64: " + e.getMessage());
        }
        DenseVector vector = new DenseVector(coefficients);
        if (!Arrays.equals(modelData, LogisticRegressionModels.encode(vector, version))) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE,
                    "field 'modelData' is not the Flink ML encoding of 'coefficients' and"
                            + " 'version'");
        }
        return new ModelUpdate(
                name,
                version,
                vector,
                f.requiredLong("examples", 0, Long.MAX_VALUE),
                f.optionalDouble("logLoss", 0, Double.MAX_VALUE),
                f.optionalDouble("auc", 0, 1),
                f.optionalDouble("positiveRate", 0, 1),
                f.requiredInt("specVersion", 1, Integer.MAX_VALUE),
                f.requiredLong("createdAt", 0, Long.MAX_VALUE));
    }

    static void writeModel(ModelUpdate m, JsonGenerator out) throws IOException {
        out.writeStringField("modelName", m.modelName());
        out.writeNumberField("version", m.version());
        out.writeNumberField("specVersion", m.specVersion());
        out.writeNumberField("examples", m.examples());
        writeMetric("logLoss", m.logLoss(), out);
        writeMetric("auc", m.auc(), out);
        writeMetric("positiveRate", m.positiveRate(), out);
        out.writeNumberField("createdAt", m.createdAt());
        out.writeFieldName("coefficients");
        out.writeArray(m.coefficients().values, 0, m.coefficients().size());
        out.writeStringField("modelData", Base64.getEncoder().encodeToString(m.modelData()));
    }

    static void writeMetric(String name, double value, JsonGenerator out) throws IOException {
        if (Double.isFinite(value)) {
            out.writeNumberField(name, value);
        } else {
            out.writeNullField(name);
        }
    }
}
