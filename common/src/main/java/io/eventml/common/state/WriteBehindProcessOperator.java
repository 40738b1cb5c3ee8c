package io.eventml.common.state;

import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

import java.util.function.Consumer;

/**
 * Runs a {@link KeyedProcessFunction} that keeps the keyed state of a few hot keys as objects on
 * the heap between checkpoints, and writes them to the state backend just before each snapshot
 * (checkpoint or savepoint) is taken: the snapshot holds exactly what a write on every record would
 * have left, without a state read and write (on RocksDB: a deserialisation and a serialisation of
 * the whole object) per record. After a failure the function starts with an empty cache and reads
 * the state as of the restored snapshot, so nothing changes for exactly-once.
 *
 * <p>Only for functions with a handful of keys (one trainer per model): the cache is never evicted.
 */
public final class WriteBehindProcessOperator<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT> {
    private static final long serialVersionUID = 1L;

    /** A function whose cached keyed state this operator writes back before each snapshot. */
    public interface WriteBehind<K> {
        /**
         * Writes every cached value changed since the last call to its keyed state, calling {@code
         * selectKey} before each key's writes.
         */
        void writeBehind(Consumer<K> selectKey) throws Exception;
    }

    public <F extends KeyedProcessFunction<K, IN, OUT> & WriteBehind<K>> WriteBehindProcessOperator(
            F function) {
        super(function);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void snapshotState(StateSnapshotContext context) throws Exception {
        // Runs before the keyed state backend takes its snapshot (StreamOperatorStateHandler).
        ((WriteBehind<K>) userFunction).writeBehind(this::setCurrentKey);
        super.snapshotState(context);
    }
}
