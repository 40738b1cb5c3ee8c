package io.eventml.common.testkit;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pass-through map that fails one checkpoint, once, in its snapshot: after the exactly-once sinks
 * of the same checkpoint have pre-committed (flushed their transaction before the barrier) and
 * before any commit. Chained in front of a sink, it makes the failure that lies between a sink's
 * pre-commit and its commit. It fails the first checkpoint taken after at least {@code
 * afterRecords} records have passed (across its parallel instances).
 */
public final class FailOnceInSnapshot<T> implements MapFunction<T, T>, CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private static final Map<String, AtomicLong> SEEN = new ConcurrentHashMap<>();
    private static final Map<String, AtomicBoolean> FAILED = new ConcurrentHashMap<>();

    private final String id;
    private final long afterRecords;

    public FailOnceInSnapshot(String id, long afterRecords) {
        this.id = id;
        this.afterRecords = afterRecords;
        SEEN.put(id, new AtomicLong());
        FAILED.put(id, new AtomicBoolean());
    }

    /** Whether the failure was injected. */
    public static boolean hasFailed(String id) {
        AtomicBoolean failed = FAILED.get(id);
        return failed != null && failed.get();
    }

    @Override
    public T map(T value) {
        SEEN.get(id).incrementAndGet();
        return value;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        if (SEEN.get(id).get() >= afterRecords && FAILED.get(id).compareAndSet(false, true)) {
            throw new FailOnceAfterCheckpoint.InjectedFailure(
                    "injected failure in the snapshot of checkpoint " + context.getCheckpointId());
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}
}
