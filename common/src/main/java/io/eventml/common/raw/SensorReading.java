package io.eventml.common.raw;

import java.util.Objects;

/**
 * One record of {@code raw.sensors}: a reading of an in-store sensor. Sensors send no id, so
 * ingestion derives one from the content. {@code readingTime} is epoch milliseconds on the wire.
 *
 * @param deviceId the sensor
 * @param storeId the store it is in
 * @param metric what it measures
 * @param value the reading
 * @param readingTime when, epoch milliseconds
 */
public record SensorReading(
        String deviceId, String storeId, SensorMetric metric, double value, long readingTime) {

    public SensorReading {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(metric, "metric");
    }
}
