package io.eventml.common.raw;

import io.eventml.common.serde.JsonCodec;
import io.eventml.common.serde.JsonFields;
import io.eventml.common.serde.JsonLimits;
import io.eventml.common.serde.TimeBounds;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Map;

/** JSON codec of {@code raw.sensors}; see docs/events.md. */
public final class SensorReadingCodec extends JsonCodec<SensorReading> {
    private static final long serialVersionUID = 1L;

    private static final Map<String, SensorMetric> METRICS =
            WireEnums.byWireName(SensorMetric.values(), SensorMetric::wireName);

    private final TimeBounds timeBounds;

    public SensorReadingCodec() {
        this(JsonLimits.DEFAULT, TimeBounds.DEFAULT);
    }

    public SensorReadingCodec(JsonLimits limits, TimeBounds timeBounds) {
        super(limits);
        this.timeBounds = timeBounds;
    }

    @Override
    protected SensorReading read(JsonFields f) {
        String deviceId = f.requiredId("deviceId");
        String storeId = f.requiredId("storeId");
        SensorMetric metric = f.requiredEnum("metric", METRICS);
        double value = f.requiredDouble("value", metric.min(), metric.max());
        long readingTime = f.requiredEpochMillis("readingTime", timeBounds);
        return new SensorReading(deviceId, storeId, metric, value, readingTime);
    }

    @Override
    protected void write(SensorReading e, JsonGenerator out) throws IOException {
        out.writeStringField("deviceId", e.deviceId());
        out.writeStringField("storeId", e.storeId());
        out.writeStringField("metric", e.metric().wireName());
        out.writeNumberField("value", e.value());
        out.writeNumberField("readingTime", e.readingTime());
    }
}
