package io.eventml.common.raw;

/** What a store sensor measures; lower-case on the wire. */
public enum SensorMetric {
    /** People entering the store since the previous reading; never negative. */
    FOOTFALL("footfall", 0, 100_000),
    /** Average dwell time of people in the store, in seconds; never negative. */
    DWELL_SECONDS("dwell_seconds", 0, 86_400),
    /** Temperature in degrees Celsius. */
    TEMPERATURE_C("temperature_c", -60, 80);

    private final String wireName;
    private final double min;
    private final double max;

    SensorMetric(String wireName, double min, double max) {
        this.wireName = wireName;
        this.min = min;
        this.max = max;
    }

    public String wireName() {
        return wireName;
    }

    /** The smallest plausible reading. */
    public double min() {
        return min;
    }

    /** The largest plausible reading. */
    public double max() {
        return max;
    }
}
