package io.eventml.common.state;

import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

import java.util.stream.Stream;

/**
 * The operators that run keyed process functions which keep state per event-time slot ({@link
 * SlotStates}): Flink's own keyed process operators, which also hand the function its slot states
 * before it opens. Use with {@code KeyedStream#transform} or {@code ConnectedStreams#transform}.
 */
public final class SlottedOperators {
    private SlottedOperators() {}

    public static <K, IN, OUT, F extends KeyedProcessFunction<K, IN, OUT> & SlotStates.User>
            OneInputStreamOperator<IN, OUT> process(F function) {
        return new Process<>(function);
    }

    public static <
                    K,
                    IN1,
                    IN2,
                    OUT,
                    F extends KeyedCoProcessFunction<K, IN1, IN2, OUT> & SlotStates.User>
            TwoInputStreamOperator<IN1, IN2, OUT> coProcess(F function) {
        return new CoProcess<>(function);
    }

    /** Whether a key holds the function's state {@code name} (in the void namespace). */
    private static boolean anyKeyHolds(KeyedStateBackend<?> backend, String name) {
        try (Stream<?> keys = backend.getKeys(name, VoidNamespace.INSTANCE)) {
            return keys.findAny().isPresent();
        }
    }

    /** Hands the function its slots; the function's open, which builds on them, comes next. */
    private static void handOver(Object function, SlotStates slots) {
        ((SlotStates.User) function).useSlotStates(slots);
    }

    private static final class Process<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT>
            implements SlotStates {
        private static final long serialVersionUID = 1L;

        Process(KeyedProcessFunction<K, IN, OUT> function) {
            super(function);
        }

        @Override
        public void open() throws Exception {
            handOver(userFunction, this);
            super.open();
        }

        @Override
        public <S extends State> S inSlot(long slot, StateDescriptor<S, ?> descriptor)
                throws Exception {
            return getPartitionedState(slot, LongSerializer.INSTANCE, descriptor);
        }

        @Override
        public boolean anyKeyHolds(String name) {
            return SlottedOperators.anyKeyHolds(getKeyedStateBackend(), name);
        }
    }

    private static final class CoProcess<K, IN1, IN2, OUT>
            extends KeyedCoProcessOperator<K, IN1, IN2, OUT> implements SlotStates {
        private static final long serialVersionUID = 1L;

        /** Not part of a checkpoint, like every watermark: after a restore it starts again. */
        private transient long secondInputWatermark = Long.MIN_VALUE;

        CoProcess(KeyedCoProcessFunction<K, IN1, IN2, OUT> function) {
            super(function);
        }

        @Override
        public void open() throws Exception {
            handOver(userFunction, this);
            super.open();
        }

        @Override
        public <S extends State> S inSlot(long slot, StateDescriptor<S, ?> descriptor)
                throws Exception {
            return getPartitionedState(slot, LongSerializer.INSTANCE, descriptor);
        }

        @Override
        public boolean anyKeyHolds(String name) {
            return SlottedOperators.anyKeyHolds(getKeyedStateBackend(), name);
        }

        @Override
        public void processWatermark2(Watermark mark) throws Exception {
            secondInputWatermark = Math.max(secondInputWatermark, mark.getTimestamp());
            super.processWatermark2(mark);
        }

        @Override
        public long secondInputWatermark() {
            return secondInputWatermark;
        }
    }
}
