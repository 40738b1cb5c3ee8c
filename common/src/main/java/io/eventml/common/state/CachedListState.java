package io.eventml.common.state;

import org.apache.flink.api.common.state.ListState;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A keyed {@link ListState} read through a {@link StateReadCache} of the most recently used keys'
 * lists ({@link StateCaches#list}): an append is a merge on RocksDB (it reads nothing) and, when
 * the key's list is cached, an append to the cached copy; a read is a get only for a key not
 * cached. Every method takes the function's current key, the key the state is scoped to. The order
 * of a list is the order of its appends, as in the state.
 *
 * @param <K> the key of the keyed stream
 * @param <T> an element, treated as immutable
 */
public final class CachedListState<K, T> {
    private final ListState<T> state;
    private final StateReadCache<K, ArrayList<T>> cache;

    CachedListState(ListState<T> state, int capacity, StateReadCache.Stats stats) {
        this.state = state;
        this.cache = new StateReadCache<>(capacity, stats);
    }

    /** The list of the current {@code key}, empty when it has none; not to be changed. */
    @SuppressWarnings("unchecked")
    public List<T> get(K key) throws Exception {
        Object cached = cache.lookUp(key);
        if (cached == null) {
            ArrayList<T> values = new ArrayList<>(ListStates.read(state));
            cache.put(key, values);
            return Collections.unmodifiableList(values);
        }
        return cached == StateReadCache.ABSENT
                ? List.of()
                : Collections.unmodifiableList((ArrayList<T>) cached);
    }

    @SuppressWarnings("unchecked")
    public void add(K key, T value) throws Exception {
        state.add(value);
        Object cached = cache.peek(key);
        if (cached == StateReadCache.ABSENT) {
            ArrayList<T> values = new ArrayList<>();
            values.add(value);
            cache.put(key, values);
        } else if (cached != null) {
            ((ArrayList<T>) cached).add(value);
        }
    }

    /** Replaces the list of the current {@code key} (cleared when {@code values} is empty). */
    public void update(K key, List<T> values) throws Exception {
        state.update(values);
        cache.put(key, values.isEmpty() ? null : new ArrayList<>(values));
    }

    public void clear(K key) {
        state.clear();
        cache.put(key, null);
    }
}
