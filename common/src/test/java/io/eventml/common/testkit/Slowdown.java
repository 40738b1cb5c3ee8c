package io.eventml.common.testkit;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * A pass-through map that sleeps before each record. Chained right after a bounded source it
 * spreads the input over several checkpoint intervals, so checkpoints complete while records are
 * still flowing.
 */
public final class Slowdown<T> implements MapFunction<T, T> {
    private static final long serialVersionUID = 1L;

    private final long millisPerRecord;

    public Slowdown(long millisPerRecord) {
        this.millisPerRecord = millisPerRecord;
    }

    @Override
    public T map(T value) throws InterruptedException {
        Thread.sleep(millisPerRecord);
        return value;
    }
}
