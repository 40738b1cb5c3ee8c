package io.eventml.common.ml;

import io.eventml.common.features.FeatureVectorCodec;
import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/**
 * JSON codec of {@link TrainingExample} on {@code ml.training-examples}: the feature vector's
 * fields as on {@code features.user}, plus {@code label} and {@code labelTime}; see docs/events.md.
 */
public final class TrainingExampleCodec extends JsonCodec<TrainingExample> {
    private static final long serialVersionUID = 1L;

    public TrainingExampleCodec() {
        super(JsonLimits.DEFAULT);
    }

    @Override
    protected TrainingExample read(JsonFields f) {
        return new TrainingExample(
                FeatureVectorCodec.readFields(f),
                f.requiredBoolean("label"),
                f.requiredLong("labelTime", 0, Long.MAX_VALUE));
    }

    @Override
    protected void write(TrainingExample example, JsonGenerator out) throws IOException {
        FeatureVectorCodec.writeFields(example.features(), out);
        out.writeBooleanField("label", example.label());
        out.writeNumberField("labelTime", example.labelTime());
    }
}
