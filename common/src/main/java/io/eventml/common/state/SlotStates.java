package io.eventml.common.state;

import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;

/**
 * Keyed state kept apart per event-time slot, in a state namespace (as Flink's windows keep their
 * contents): appending to a slot's list is a RocksDB merge that reads nothing, and a slot is read
 * and cleared as a whole when its timer fires. A function gets it from the operator that runs it
 * ({@link SlottedOperators}), since the function API offers keyed state in one namespace only.
 */
public interface SlotStates {
    /** The state {@code descriptor} of the current key, in the namespace of {@code slot}. */
    <S extends State> S inSlot(long slot, StateDescriptor<S, ?> descriptor) throws Exception;

    /**
     * Whether any key of this subtask holds the function's (not a slot's) state {@code name}: read
     * once when the function opens, to skip the reads of a state that only a restore can fill.
     */
    boolean anyKeyHolds(String name) throws Exception;

    /**
     * The watermark of the operator's second input alone, which the operator's own watermark (the
     * smaller of its inputs') can trail: {@link Long#MIN_VALUE} before it has one, and always for
     * an operator of one input.
     */
    default long secondInputWatermark() {
        return Long.MIN_VALUE;
    }

    /** A function that keeps state per slot: its operator hands it the slots before it opens. */
    interface User {
        void useSlotStates(SlotStates slots);
    }
}
