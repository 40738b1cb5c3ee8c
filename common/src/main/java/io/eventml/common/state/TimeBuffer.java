package io.eventml.common.state;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
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
 *
 * <p>Each slot is a list in a state namespace of its own ({@link SlotStates}): holding a record is
 * an append and a timer registration, neither of which reads state (on RocksDB a merge and a put),
 * and releasing a slot reads and clears its list once.
 *
 * <p>Version 0.1.0 kept the slots as entries of one map state, {@code name}; a savepoint of it is
 * restored into that map and its slots are released from there by their restored timers. Nothing
 * else writes that map, so a buffer that opens with no key holding it never reads it (on RocksDB a
 * get per release, almost always a miss).
 */
public final class TimeBuffer<T> {
    private final SlotStates slots;
    private final ListStateDescriptor<T> slot;
    private final MapState<Long, List<T>> held010;
    private final boolean restored010;
    private final long slotMillis;

    public TimeBuffer(
            SlotStates slots,
            RuntimeContext context,
            String name,
            TypeInformation<T> type,
            long slotMillis) {
        if (slotMillis < 1) {
            throw new IllegalArgumentException("slots must be at least 1 ms, got " + slotMillis);
        }
        if (slots == null) {
            throw new IllegalStateException(
                    "a TimeBuffer needs the slot states of its operator: run the function with"
                            + " SlottedOperators.process or SlottedOperators.coProcess");
        }
        this.slots = slots;
        this.slot = new ListStateDescriptor<>(name + "-by-slot", type);
        this.held010 =
                context.getMapState(new MapStateDescriptor<>(name, Types.LONG, Types.LIST(type)));
        try {
            this.restored010 = slots.anyKeyHolds(name);
        } catch (Exception e) {
            throw new IllegalStateException("could not look for restored state '" + name + "'", e);
        }
        this.slotMillis = slotMillis;
    }

    /** Whether this buffer holds slots restored from version 0.1.0's layout. */
    public boolean holdsRestored010() {
        return restored010;
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
        long end = slotOf(time);
        slots.inSlot(end, slot).add(value);
        // Registering a timer that exists already changes nothing.
        timers.registerEventTimeTimer(end);
        return true;
    }

    /** The values held in the slot that holds records of {@code time}, left there. */
    public List<T> peek(long time) throws Exception {
        long end = slotOf(time);
        List<T> values = new ArrayList<>();
        Iterable<T> held = slots.inSlot(end, slot).get();
        if (held != null) {
            held.forEach(values::add);
        }
        List<T> restored = restored010 ? held010.get(end) : null;
        if (restored != null) {
            values.addAll(restored);
        }
        return values;
    }

    /**
     * The values held in the slot ending at {@code end}, now removed; empty when there are none.
     */
    public List<T> release(long end) throws Exception {
        ListState<T> list = slots.inSlot(end, slot);
        List<T> values = new ArrayList<>();
        Iterable<T> held = list.get();
        if (held != null) {
            held.forEach(values::add);
            list.clear();
        }
        List<T> restored = restored010 ? held010.get(end) : null;
        if (restored != null) {
            values.addAll(restored);
            held010.remove(end);
        }
        return values;
    }
}
