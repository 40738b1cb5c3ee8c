package io.eventml.common.features;

import io.eventml.common.serde.DecodeException;
import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;

import org.apache.flink.ml.linalg.DenseVector;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/** JSON codec of {@link FeatureVector} on {@code features.user}; see docs/events.md. */
public final class FeatureVectorCodec extends JsonCodec<FeatureVector> {
    private static final long serialVersionUID = 1L;

    /** Longest vector accepted. */
    public static final int MAX_VALUES = 4096;

    public FeatureVectorCodec() {
        super(JsonLimits.DEFAULT);
    }

    @Override
    protected FeatureVector read(JsonFields f) {
        return readFields(f);
    }

    @Override
    protected void write(FeatureVector v, JsonGenerator out) throws IOException {
        writeFields(v, out);
    }

    /** Reads a vector's fields from an object that may hold more (a training example's). */
    public static FeatureVector readFields(JsonFields f) {
        String eventId = f.requiredId("eventId", 160);
        String userId = f.requiredId("userId");
        String itemId = f.requiredId("itemId");
        long eventTime = f.requiredLong("eventTime", 0, Long.MAX_VALUE);
        int version = f.requiredInt("specVersion", 1, Integer.MAX_VALUE);
        double[] values = f.requiredDoubles("values", 1, MAX_VALUES);
        if (FeatureSpec.isKnown(version) && values.length != FeatureSpec.size(version)) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE,
                    "field 'values' has "
                            + values.length
                            + " features, spec version "
                            + version
                            + " has "
                            + FeatureSpec.size(version));
        }
        return new FeatureVector(
                eventId, userId, itemId, eventTime, version, new DenseVector(values));
    }

    /** Writes a vector's fields into an open object. */
    public static void writeFields(FeatureVector v, JsonGenerator out) throws IOException {
        out.writeStringField("eventId", v.eventId());
        out.writeStringField("userId", v.userId());
        out.writeStringField("itemId", v.itemId());
        out.writeNumberField("eventTime", v.eventTime());
        out.writeNumberField("specVersion", v.specVersion());
        out.writeFieldName("values");
        out.writeArray(v.values().values, 0, v.values().size());
    }
}
