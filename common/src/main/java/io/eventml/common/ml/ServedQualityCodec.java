package io.eventml.common.ml;

import io.eventml.common.serde.DecodeException;
import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.ReasonCode;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/** JSON codec of {@link ServedQuality} on {@code ml.served-quality}; see docs/events.md. */
public final class ServedQualityCodec extends JsonCodec<ServedQuality> {
    private static final long serialVersionUID = 1L;

    public ServedQualityCodec() {
        super(JsonLimits.DEFAULT);
    }

    @Override
    protected ServedQuality read(JsonFields f) {
        long outcomes = f.requiredLong("outcomes", 0, Long.MAX_VALUE);
        long positives = f.requiredLong("positives", 0, outcomes);
        List<ServedQuality.Bin> bins =
                f.requiredObjects(
                        "bins",
                        0,
                        ServedQuality.BINS,
                        b ->
                                new ServedQuality.Bin(
                                        b.requiredInt("bin", 0, ServedQuality.BINS - 1),
                                        b.requiredLong("positives", 0, Long.MAX_VALUE),
                                        b.requiredLong("negatives", 0, Long.MAX_VALUE),
                                        b.requiredDouble("predictedSum", 0, Double.MAX_VALUE)));
        long inBins = 0;
        int previous = -1;
        for (ServedQuality.Bin b : bins) {
            if (b.index() <= previous) {
                throw new DecodeException(
                        ReasonCode.INVALID_VALUE, "field 'bins' must be in increasing bin order");
            }
            previous = b.index();
            inBins += b.count();
        }
        if (inBins != outcomes) {
            throw new DecodeException(
                    ReasonCode.INVALID_VALUE,
                    "field 'bins' holds " + inBins + " predictions, 'outcomes' says " + outcomes);
        }
        return new ServedQuality(
                f.requiredId("modelName"),
                f.requiredLong("version", 1, Long.MAX_VALUE),
                outcomes,
                positives,
                f.requiredDouble("logLossSum", 0, Double.MAX_VALUE),
                f.requiredDouble("predictedSum", 0, Double.MAX_VALUE),
                bins,
                f.requiredLong("lastLabelTime", 0, Long.MAX_VALUE),
                f.requiredLong("updatedAt", 0, Long.MAX_VALUE));
    }

    @Override
    protected void write(ServedQuality q, JsonGenerator out) throws IOException {
        out.writeStringField("modelName", q.modelName());
        out.writeNumberField("version", q.version());
        out.writeNumberField("outcomes", q.outcomes());
        out.writeNumberField("positives", q.positives());
        out.writeNumberField("logLossSum", q.logLossSum());
        out.writeNumberField("predictedSum", q.predictedSum());
        out.writeNumberField("lastLabelTime", q.lastLabelTime());
        out.writeNumberField("updatedAt", q.updatedAt());
        out.writeArrayFieldStart("bins");
        for (ServedQuality.Bin b : q.bins()) {
            out.writeStartObject();
            out.writeNumberField("bin", b.index());
            out.writeNumberField("positives", b.positives());
            out.writeNumberField("negatives", b.negatives());
            out.writeNumberField("predictedSum", b.predictedSum());
            out.writeEndObject();
        }
        out.writeEndArray();
    }
}
