package io.eventml.ingestion.normalise;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;
import io.eventml.common.event.EventType;
import io.eventml.common.raw.SensorReading;

import java.util.List;
import java.util.Map;

/**
 * A reading becomes one {@link EventType#SENSOR_READING} of its store (no user): value is the
 * reading; metric and device travel as attributes. The id hashes the content, since sensors send
 * none.
 */
public final class SensorNormaliser implements Normaliser<SensorReading> {
    private transient ContentHash hash;

    @Override
    public List<CanonicalEvent> normalise(SensorReading r, long ingestTime) {
        if (hash == null) {
            hash = new ContentHash();
        }
        String id = hash.of(r.deviceId(), r.storeId(), r.metric(), r.value(), r.readingTime());
        return List.of(
                new CanonicalEvent(
                        CanonicalEvent.SCHEMA_VERSION,
                        "sensors:" + id,
                        EventType.SENSOR_READING,
                        EventSource.SENSORS,
                        null,
                        null,
                        r.storeId(),
                        r.readingTime(),
                        ingestTime,
                        r.value(),
                        0,
                        Map.of("metric", r.metric().wireName(), "deviceId", r.deviceId())));
    }
}
