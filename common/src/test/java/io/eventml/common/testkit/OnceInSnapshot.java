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
 * A pass-through map that, once, fails or blocks its task in a checkpoint's snapshot: the first
 * checkpoint taken after at least {@code afterRecords} records have passed (across its parallel
 * instances). Chained in front of an exactly-once sink, it acts after the sink has pre-committed
 * that checkpoint's transaction (the operators of a chain snapshot from the sink backwards) and
 * before the task acknowledges the checkpoint:
 *
 * <ul>
 *   <li>{@link #fail}: the failure between a sink's pre-commit and its commit;
 *   <li>{@link #block}: the checkpoint completes, and its transaction is committed, only after the
 *       block; longer than the transaction timeout, the commit comes after the broker aborted the
 *       transaction, as after an outage longer than the timeout.
 * </ul>
 */
public final class OnceInSnapshot<T> implements MapFunction<T, T>, CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private static final Map<String, AtomicLong> SEEN = new ConcurrentHashMap<>();
    private static final Map<String, AtomicBoolean> DONE = new ConcurrentHashMap<>();

    private final String id;
    private final long afterRecords;

    /** How long to block; 0 to fail instead. */
    private final long blockMillis;

    private OnceInSnapshot(String id, long afterRecords, long blockMillis) {
        this.id = id;
        this.afterRecords = afterRecords;
        this.blockMillis = blockMillis;
        SEEN.put(id, new AtomicLong());
        DONE.put(id, new AtomicBoolean());
    }

    public static <T> OnceInSnapshot<T> fail(String id, long afterRecords) {
        return new OnceInSnapshot<>(id, afterRecords, 0);
    }

    public static <T> OnceInSnapshot<T> block(String id, long afterRecords, long blockMillis) {
        if (blockMillis <= 0) {
            throw new IllegalArgumentException("block for a positive time, got " + blockMillis);
        }
        return new OnceInSnapshot<>(id, afterRecords, blockMillis);
    }

    /** Whether the failure or block happened. */
    public static boolean happened(String id) {
        AtomicBoolean done = DONE.get(id);
        return done != null && done.get();
    }

    @Override
    public T map(T value) {
        SEEN.get(id).incrementAndGet();
        return value;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws InterruptedException {
        if (SEEN.get(id).get() < afterRecords || !DONE.get(id).compareAndSet(false, true)) {
            return;
        }
        if (blockMillis > 0) {
            Thread.sleep(blockMillis);
        } else {
            throw new FailOnceAfterCheckpoint.InjectedFailure(
                    "injected failure in the snapshot of checkpoint " + context.getCheckpointId());
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}
}
