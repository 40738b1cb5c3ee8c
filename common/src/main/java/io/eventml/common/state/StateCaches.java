package io.eventml.common.state;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.MetricGroup;

/**
 * Keyed states of a function read through {@link StateReadCache}s of {@code capacity} keys each,
 * whose hits and misses are counted together in the metrics {@code stateCacheHits} and {@code
 * stateCacheMisses} of the function's group.
 */
public final class StateCaches {
    private final RuntimeContext context;
    private final int capacity;
    private final StateReadCache.Stats stats;

    public StateCaches(RuntimeContext context, MetricGroup metrics, int capacity) {
        this.context = context;
        this.capacity = capacity;
        this.stats = new StateReadCache.Stats(metrics);
    }

    /** The value state {@code descriptor}, cached. */
    public <K, V> CachedValueState<K, V> value(ValueStateDescriptor<V> descriptor) {
        return new CachedValueState<>(context.getState(descriptor), capacity, stats);
    }

    /** The list state {@code descriptor}, cached. */
    public <K, T> CachedListState<K, T> list(ListStateDescriptor<T> descriptor) {
        return new CachedListState<>(context.getListState(descriptor), capacity, stats);
    }
}
