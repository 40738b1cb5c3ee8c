package io.eventml.common.ml;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/** JSON codec of {@link DriftAlarm} on {@code ml.drift}; see docs/events.md. */
public final class DriftAlarmCodec extends JsonCodec<DriftAlarm> {
    private static final long serialVersionUID = 1L;

    public DriftAlarmCodec() {
        super(JsonLimits.DEFAULT);
    }

    @Override
    protected DriftAlarm read(JsonFields f) {
        long outcomes = f.requiredLong("outcomes", 1, Long.MAX_VALUE);
        return new DriftAlarm(
                f.requiredId("modelName"),
                f.requiredId("detector"),
                f.requiredLong("servingVersion", 0, Long.MAX_VALUE),
                outcomes,
                f.requiredDouble("statistic", 0, Double.MAX_VALUE),
                f.requiredDouble("threshold", 0, Double.MAX_VALUE),
                f.requiredDouble("baseline", -Double.MAX_VALUE, Double.MAX_VALUE),
                f.requiredDouble("recent", -Double.MAX_VALUE, Double.MAX_VALUE),
                f.requiredLong("recentOutcomes", 0, outcomes),
                f.requiredLong("labelTime", 0, Long.MAX_VALUE),
                f.requiredLong("detectedAt", 0, Long.MAX_VALUE),
                f.optionalId("feature"));
    }

    @Override
    protected void write(DriftAlarm a, JsonGenerator out) throws IOException {
        out.writeStringField("modelName", a.modelName());
        out.writeStringField("detector", a.detector());
        out.writeNumberField("servingVersion", a.servingVersion());
        out.writeNumberField("outcomes", a.outcomes());
        out.writeNumberField("statistic", a.statistic());
        out.writeNumberField("threshold", a.threshold());
        out.writeNumberField("baseline", a.baseline());
        out.writeNumberField("recent", a.recent());
        out.writeNumberField("recentOutcomes", a.recentOutcomes());
        out.writeNumberField("labelTime", a.labelTime());
        out.writeNumberField("detectedAt", a.detectedAt());
        if (a.feature() != null) {
            out.writeStringField("feature", a.feature());
        }
    }
}
