package io.eventml.features.state;

/** An amount at an event time: a recent footfall reading, not yet folded into its store's ring. */
public class TimedValue {
    public long time;
    public double value;

    public TimedValue() {}

    public TimedValue(long time, double value) {
        this.time = time;
        this.value = value;
    }
}
