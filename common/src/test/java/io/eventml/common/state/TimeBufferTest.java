package io.eventml.common.state;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TimeBuffer}: records held per key in one-second slots of their own state namespace,
 * released once each when the watermark passes their slot, across a snapshot and restore; and the
 * slots of version 0.1.0's layout (one map state) released from a restored snapshot.
 */
class TimeBufferTest {
    private static final long T = 1_764_000_000_000L;

    /** Holds "key:time" records until their slot ends; says what it released and when. */
    static final class Holder extends KeyedProcessFunction<String, Long, String>
            implements SlotStates.User {
        private transient SlotStates slots;
        private transient TimeBuffer<String> buffer;

        @Override
        public void useSlotStates(SlotStates slots) {
            this.slots = slots;
        }

        @Override
        public void open(OpenContext openContext) {
            buffer = new TimeBuffer<>(slots, getRuntimeContext(), "held", Types.STRING, 1_000L);
        }

        @Override
        public void processElement(Long time, Context ctx, Collector<String> out) throws Exception {
            String value = ctx.getCurrentKey() + ":" + (time - T);
            if (!buffer.hold(time, value, ctx.timerService())) {
                out.collect("behind " + value);
            }
        }

        @Override
        public void onTimer(long time, OnTimerContext ctx, Collector<String> out) throws Exception {
            List<String> released = new ArrayList<>(buffer.release(time));
            released.sort(null);
            for (String value : released) {
                out.collect((time - T) + " " + value);
            }
        }
    }

    /** Version 0.1.0's layout: the slots as entries of one map state, one timer per slot. */
    static final class Holder010 extends KeyedProcessFunction<String, Long, String> {
        private transient MapState<Long, List<String>> held;

        @Override
        public void open(OpenContext openContext) {
            held =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "held", Types.LONG, Types.LIST(Types.STRING)));
        }

        @Override
        public void processElement(Long time, Context ctx, Collector<String> out) throws Exception {
            long slot = Math.floorDiv(time + 999, 1_000L) * 1_000L;
            List<String> values = held.get(slot);
            if (values == null) {
                values = new ArrayList<>();
                ctx.timerService().registerEventTimeTimer(slot);
            }
            values.add(ctx.getCurrentKey() + ":" + (time - T));
            held.put(slot, values);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Long, String> harness(
            OneInputStreamOperator<Long, String> operator,
            boolean onRocksDb,
            OperatorSubtaskState restoreFrom)
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator, (Long time) -> time % 2 == 0 ? "even" : "odd", Types.STRING);
        h.setStateBackend(
                onRocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, Long, String> h, long... offsets)
            throws Exception {
        for (long offset : offsets) {
            h.processElement(new StreamRecord<>(T + offset, T + offset));
        }
    }

    private static List<String> drain(
            KeyedOneInputStreamOperatorTestHarness<String, Long, String> h) {
        List<String> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    @ParameterizedTest(name = "on RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void releasesEachRecordOnceWhenTheWatermarkPassesItsSlotAlsoAfterARestore(boolean onRocksDb)
            throws Exception {
        var h = harness(SlottedOperators.process(new Holder()), onRocksDb, null);
        // Two keys; slot ends at 1000 (times 1..1000), 2000, 3000; out of order.
        send(h, 1_500, 1, 1_000, 2, 2_001, 1_001);
        h.processWatermark(new Watermark(T + 999));
        assertThat(drain(h)).isEmpty();
        h.processWatermark(new Watermark(T + 1_000));
        assertThat(drain(h))
                .containsExactlyInAnyOrder("1000 even:1000", "1000 even:2", "1000 odd:1");

        // Behind the watermark: refused. Held across a snapshot and restore.
        send(h, 1_000, 1_999);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();
        Holder restored = new Holder();
        h = harness(SlottedOperators.process(restored), onRocksDb, snapshot);
        assertThat(restored.buffer.holdsRestored010())
                .as("nothing of 0.1.0's layout: its map is never read")
                .isFalse();
        send(h, 2_500);
        h.processWatermark(new Watermark(T + 5_000));
        assertThat(drain(h))
                .containsExactlyInAnyOrder(
                        "2000 even:1500",
                        "2000 odd:1001",
                        "2000 odd:1999",
                        "3000 even:2500",
                        "3000 odd:2001");
        // Nothing is released twice.
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain(h)).isEmpty();
        h.close();
    }

    @ParameterizedTest(name = "on RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void recordsRefusedBehindTheWatermarkAreHandedBack(boolean onRocksDb) throws Exception {
        var h = harness(SlottedOperators.process(new Holder()), onRocksDb, null);
        h.processWatermark(new Watermark(T + 1_000));
        send(h, 1_000, 1_001);
        h.processWatermark(new Watermark(T + 2_000));
        assertThat(drain(h)).containsExactlyInAnyOrder("behind even:1000", "2000 odd:1001");
        h.close();
    }

    @ParameterizedTest(name = "on RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void slotsOfVersion010AreReleasedFromARestoredSnapshot(boolean onRocksDb) throws Exception {
        var old = harness(new KeyedProcessOperator<>(new Holder010()), onRocksDb, null);
        send(old, 1, 2, 3, 1_500);
        OperatorSubtaskState snapshot = old.snapshot(1, 1);
        old.close();

        Holder holder = new Holder();
        var h = harness(SlottedOperators.process(holder), onRocksDb, snapshot);
        assertThat(holder.buffer.holdsRestored010()).isTrue();
        // New records join the restored slots; each comes out once, in its slot.
        send(h, 4, 1_600);
        h.processWatermark(new Watermark(T + 1_000));
        assertThat(drain(h))
                .containsExactlyInAnyOrder(
                        "1000 even:2", "1000 even:4", "1000 odd:1", "1000 odd:3");
        send(h, 2_100);
        // Once every restored slot is out, the next restore finds no 0.1.0 state.
        h.processWatermark(new Watermark(T + 2_000));
        assertThat(drain(h)).containsExactlyInAnyOrder("2000 even:1500", "2000 even:1600");
        OperatorSubtaskState drained = h.snapshot(2, 2);
        h.close();
        Holder again = new Holder();
        h = harness(SlottedOperators.process(again), onRocksDb, drained);
        assertThat(again.buffer.holdsRestored010()).isFalse();
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain(h)).containsExactly("3000 even:2100");
        h.close();
    }
}
