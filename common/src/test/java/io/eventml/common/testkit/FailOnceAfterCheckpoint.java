package io.eventml.common.testkit;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pass-through map that throws exactly once, on the first record it sees after at least one
 * checkpoint has completed and at least {@code afterRecords} records have passed (across its
 * parallel instances). The job then restarts from that checkpoint, which is what exactly-once tests
 * need to exercise.
 *
 * <p>The bookkeeping is static (MiniCluster runs in the test JVM) and keyed by an id, so each test
 * uses its own id and asserts {@link #hasFailed(String)} to prove the failure really happened.
 */
public final class FailOnceAfterCheckpoint<T> implements MapFunction<T, T>, CheckpointListener {
    private static final long serialVersionUID = 1L;

    private static final Map<String, Progress> PROGRESS = new ConcurrentHashMap<>();

    private final String id;
    private final long afterRecords;

    public FailOnceAfterCheckpoint(String id, long afterRecords) {
        this.id = id;
        this.afterRecords = afterRecords;
        PROGRESS.put(id, new Progress());
    }

    /** Whether the failure was injected. */
    public static boolean hasFailed(String id) {
        Progress progress = PROGRESS.get(id);
        return progress != null && progress.failed.get();
    }

    @Override
    public T map(T value) {
        Progress progress = PROGRESS.get(id);
        long seen = progress.seen.incrementAndGet();
        if (progress.checkpointCompleted.get()
                && seen >= afterRecords
                && progress.failed.compareAndSet(false, true)) {
            throw new InjectedFailure("injected failure after " + seen + " records");
        }
        return value;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        PROGRESS.get(id).checkpointCompleted.set(true);
    }

    /** The exception thrown; its type tells it apart from real failures in logs. */
    public static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }

    private static final class Progress {
        final AtomicLong seen = new AtomicLong();
        final AtomicBoolean checkpointCompleted = new AtomicBoolean();
        final AtomicBoolean failed = new AtomicBoolean();
    }
}
