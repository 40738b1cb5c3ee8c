package io.eventml.common.state;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds a key's records until the watermark passes their event time, in slots of {@code slotMillis}
 * event time: a record of time {@code t} waits in the slot ending at the first multiple of the slot
 * size at or after {@code t}, and one event-time timer per key and slot releases them all. A slot
 * of one millisecond holds each timestamp apart (one timer per distinct time); a slot of a second
 * coalesces the timers of a busy key at the price of up to a second of extra delay.
 */
public final class TimeBuffer<T> {
    private final MapState<Long, List<T>> held;
    private final long slotMillis;

    public TimeBuffer(
            RuntimeContext context, String name, TypeInformation<T> type, long slotMillis) {
        if (slotMillis < 1) {
            throw new IllegalArgumentException("slots must be at least 1 ms, got " + slotMillis);
        }
        held = context.getMapState(new MapStateDescriptor<>(name, Types.LONG, Types.LIST(type)));
        this.slotMillis = slotMillis;
    }

    /** The end of the slot that holds records of {@code time}: the timer that releases them. */
    public long slotOf(long time) {
        return Math.floorDiv(time + slotMillis - 1, slotMillis) * slotMillis;
    }

    /**
     * Holds {@code value} until the watermark reaches the end of its slot. Returns false, holding
     * nothing, when the watermark has already passed {@code time}: the value is behind the
     * watermark and the caller decides what to do with it.
     */
    public boolean hold(long time, T value, TimerService timers) throws Exception {
        if (time <= timers.currentWatermark()) {
            return false;
        }
        long slot = slotOf(time);
        List<T> values = held.get(slot);
        if (values == null) {
            values = new ArrayList<>(2);
            timers.registerEventTimeTimer(slot);
        }
        values.add(value);
        held.put(slot, values);
        return true;
    }

    /**
     * The values held in the slot ending at {@code slot}, now removed; empty when there are none.
     */
    public List<T> release(long slot) throws Exception {
        List<T> values = held.get(slot);
        if (values == null) {
            return List.of();
        }
        held.remove(slot);
        return values;
    }
}
