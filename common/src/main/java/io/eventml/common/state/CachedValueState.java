package io.eventml.common.state;

import org.apache.flink.api.common.state.ValueState;

import java.io.IOException;

/**
 * A keyed {@link ValueState} read through a {@link StateReadCache} of the most recently used keys'
 * values ({@link StateCaches#value}). Every method takes the function's current key, the key the
 * state is scoped to.
 *
 * @param <K> the key of the keyed stream
 * @param <V> the value, treated as immutable: copy it before a change, then {@link #update} it
 */
public final class CachedValueState<K, V> {
    private final ValueState<V> state;
    private final StateReadCache<K, V> cache;

    CachedValueState(ValueState<V> state, int capacity, StateReadCache.Stats stats) {
        this.state = state;
        this.cache = new StateReadCache<>(capacity, stats);
    }

    /** The value of the current {@code key}, or null when it has none. */
    @SuppressWarnings("unchecked")
    public V value(K key) throws IOException {
        Object cached = cache.lookUp(key);
        if (cached == null) {
            V value = state.value();
            cache.put(key, value);
            return value;
        }
        return cached == StateReadCache.ABSENT ? null : (V) cached;
    }

    public void update(K key, V value) throws IOException {
        state.update(value);
        cache.put(key, value);
    }

    public void clear(K key) {
        state.clear();
        cache.put(key, null);
    }
}
