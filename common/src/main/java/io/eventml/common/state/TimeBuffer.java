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
 * Holds a key's inputs until the watermark passes their event time, so that a keyed function
 * handles them in event time order whatever order they arrived in (within the watermark's
 * out-of-orderness bound). One event-time timer per distinct timestamp; the entry is removed when
 * it is released.
 */
public final class TimeBuffer<T> {
    private final MapState<Long, List<T>> held;

    public TimeBuffer(RuntimeContext context, String name, TypeInformation<T> type) {
        held = context.getMapState(new MapStateDescriptor<>(name, Types.LONG, Types.LIST(type)));
    }

    /**
     * Holds {@code value} until the watermark reaches {@code time}. Returns false, holding nothing,
     * when the watermark is already there: the value is late and the caller handles it at once.
     */
    public boolean hold(long time, T value, TimerService timers) throws Exception {
        if (time <= timers.currentWatermark()) {
            return false;
        }
        List<T> values = held.get(time);
        if (values == null) {
            values = new ArrayList<>(2);
            timers.registerEventTimeTimer(time);
        }
        values.add(value);
        held.put(time, values);
        return true;
    }

    /** The values held for {@code time}, now removed; empty when there are none. */
    public List<T> release(long time) throws Exception {
        List<T> values = held.get(time);
        if (values == null) {
            return List.of();
        }
        held.remove(time);
        return values;
    }
}
