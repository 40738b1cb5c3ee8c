package io.eventml.common.state;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CachedValueState} and {@link CachedListState}: random reads and changes of more keys than
 * the cache holds, a snapshot and restore in the middle; every read through the cache equals the
 * state itself and a plain map of what was written, and the cache both hits and misses.
 */
class CachedStatesTest {

    /** Runs "op arg" commands on the current key's states; a read emits "cached | state". */
    static final class Commands extends KeyedProcessFunction<String, String, String> {
        private final int capacity;
        private transient ValueState<Long> value;
        private transient ListState<Long> list;
        private transient CachedValueState<String, Long> cachedValue;
        private transient CachedListState<String, Long> cachedList;
        private transient Counter hits;
        private transient Counter misses;

        Commands(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public void open(OpenContext openContext) {
            value = getRuntimeContext().getState(new ValueStateDescriptor<>("value", Types.LONG));
            list = getRuntimeContext().getListState(new ListStateDescriptor<>("list", Types.LONG));
            StateReadCache.Stats stats =
                    new StateReadCache.Stats(getRuntimeContext().getMetricGroup());
            hits = stats.hits;
            misses = stats.misses;
            cachedValue = new CachedValueState<>(value, capacity, stats);
            cachedList = new CachedListState<>(list, capacity, stats);
        }

        @Override
        public void processElement(String command, Context ctx, Collector<String> out)
                throws Exception {
            String key = ctx.getCurrentKey();
            String[] parts = command.split(" ");
            long arg = Long.parseLong(parts[2]);
            switch (parts[1]) {
                case "set" -> cachedValue.update(key, arg);
                case "clear" -> cachedValue.clear(key);
                case "add" -> cachedList.add(key, arg);
                case "replace" -> {
                    List<Long> kept = new ArrayList<>(cachedList.get(key));
                    kept.removeIf(v -> v % 3 == arg % 3);
                    cachedList.update(key, kept);
                }
                case "clear-list" -> cachedList.clear(key);
                case "read" ->
                        out.collect(
                                cachedValue.value(key)
                                        + " "
                                        + cachedList.get(key)
                                        + " | "
                                        + value.value()
                                        + " "
                                        + ListStates.read(list));
                default -> throw new IllegalArgumentException(command);
            }
        }
    }

    @ParameterizedTest(name = "{0} keys cached, RocksDB {1}")
    @CsvSource({"2, true", "1, true", "100, true", "2, false"})
    void readsThroughTheCacheEqualTheStateAndWhatWasWritten(int capacity, boolean onRocksDb)
            throws Exception {
        Random r = new Random(capacity);
        Map<String, Long> values = new HashMap<>();
        Map<String, List<Long>> lists = new HashMap<>();
        String[] ops = {"set", "clear", "add", "add", "replace", "clear-list", "read", "read"};
        var h = harness(capacity, onRocksDb, null);
        int reads = 0;
        for (int i = 0; i < 3_000; i++) {
            if (i == 1_500) {
                OperatorSubtaskState snapshot = h.snapshot(1, 1);
                h.close();
                h = harness(capacity, onRocksDb, snapshot);
            }
            // Runs of one key, as a busy key has, between keys chosen at random.
            String key = "k" + (i % 7 < 4 ? i / 7 % 5 : r.nextInt(5));
            String op = ops[r.nextInt(ops.length)];
            long arg = r.nextInt(1_000);
            h.processElement(new StreamRecord<>(key + " " + op + " " + arg));
            switch (op) {
                case "set" -> values.put(key, arg);
                case "clear" -> values.remove(key);
                case "add" -> lists.computeIfAbsent(key, k -> new ArrayList<>()).add(arg);
                case "replace" ->
                        lists.getOrDefault(key, new ArrayList<>()).removeIf(v -> v % 3 == arg % 3);
                case "clear-list" -> lists.remove(key);
                default -> {
                    List<String> out = h.extractOutputValues();
                    String expected = values.get(key) + " " + lists.getOrDefault(key, List.of());
                    assertThat(out.get(out.size() - 1))
                            .as("read %d of %s", i, key)
                            .isEqualTo(expected + " | " + expected);
                    reads++;
                }
            }
        }
        Commands commands =
                (Commands) ((KeyedProcessOperator<?, ?, ?>) h.getOperator()).getUserFunction();
        h.close();
        assertThat(reads).isGreaterThan(500);
        // After the restore: 1,500 commands, about 1,500 * 3 / 8 reads of two states.
        assertThat(commands.hits.getCount()).as("hits").isGreaterThan(100);
        assertThat(commands.misses.getCount()).as("misses").isGreaterThan(0);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(
            int capacity, boolean onRocksDb, OperatorSubtaskState snapshot) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new Commands(capacity)),
                        (String c) -> c.split(" ")[0],
                        Types.STRING);
        h.setStateBackend(
                onRocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        return h;
    }
}
