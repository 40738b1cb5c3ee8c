package io.eventml.common.state;

import org.apache.flink.api.common.state.ValueState;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The keyed values of a few hot keys held on the heap, for a function run by {@link
 * WriteBehindProcessOperator}: each value is read from its keyed state once (after a restore), then
 * kept, and written back only before a snapshot. Never evicted: for a handful of keys only (a model
 * name, say), not for users.
 *
 * @param <K> the key
 * @param <V> the value, mutable: changes to it must be followed by {@link #put}
 */
public final class WriteBehindCache<K, V> {
    private final ValueState<V> state;
    private final Map<K, V> cache = new HashMap<>();
    private final Set<K> changed = new HashSet<>();

    /** A cache over {@code state}, the keyed state of the function's current key. */
    public WriteBehindCache(ValueState<V> state) {
        this.state = state;
    }

    /**
     * The value of {@code key}, the current key of the function: cached, or read from the state
     * once (null when there is none).
     */
    public V get(K key) throws IOException {
        V value = cache.get(key);
        if (value == null) {
            value = state.value();
            if (value != null) {
                cache.put(key, value);
            }
        }
        return value;
    }

    /** Keeps {@code value} as the value of {@code key}, to be written before the next snapshot. */
    public void put(K key, V value) {
        cache.put(key, value);
        changed.add(key);
    }

    /** {@link WriteBehindProcessOperator.WriteBehind#writeBehind}: writes the changed values. */
    public void writeBehind(Consumer<K> selectKey) throws IOException {
        for (K key : changed) {
            selectKey.accept(key);
            state.update(cache.get(key));
        }
        changed.clear();
    }
}
