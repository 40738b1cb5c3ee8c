package io.eventml.common.ml;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/** JSON codec of {@link Prediction} on {@code ml.predictions}; see docs/events.md. */
public final class PredictionCodec extends JsonCodec<Prediction> {
    private static final long serialVersionUID = 1L;

    public PredictionCodec() {
        super(JsonLimits.DEFAULT);
    }

    @Override
    protected Prediction read(JsonFields f) {
        return new Prediction(
                f.requiredId("eventId", 160),
                f.requiredId("userId"),
                f.requiredId("itemId"),
                f.requiredDouble("probability", 0, 1),
                f.requiredLong("modelVersion", 1, Long.MAX_VALUE),
                f.requiredLong("scoringTime", 0, Long.MAX_VALUE));
    }

    @Override
    protected void write(Prediction p, JsonGenerator out) throws IOException {
        out.writeStringField("eventId", p.eventId());
        out.writeStringField("userId", p.userId());
        out.writeStringField("itemId", p.itemId());
        out.writeNumberField("probability", p.probability());
        out.writeNumberField("modelVersion", p.modelVersion());
        out.writeNumberField("scoringTime", p.scoringTime());
    }
}
