package io.eventml.common.state;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values of one keyed state for the most recently used keys, on the heap in front of the state
 * backend, so that a busy key's state is deserialised once, not on every record (on RocksDB a get
 * is a lookup through the memtable and the block cache and a deserialisation of the whole value).
 * Written through: every change goes to the state at once (a put or a merge, which read nothing)
 * and to the cache, so the cache never holds anything the state does not, and nothing is to be done
 * before a snapshot or after a failure (a restored function starts with an empty cache).
 *
 * <p>At most {@code capacity} keys; the least recently used is dropped. A value in the cache is
 * shared with the caller: it must be treated as immutable (copied before a change, the change then
 * written through). That also keeps the heap state backend's copy-on-write snapshots intact.
 *
 * @param <K> the key of the keyed stream
 * @param <V> the value of a key, {@link #ABSENT} cached for a key without one
 */
final class StateReadCache<K, V> {
    /** A key known to hold no value. */
    static final Object ABSENT = new Object();

    private final LinkedHashMap<K, Object> entries;
    private final Stats stats;

    StateReadCache(int capacity, Stats stats) {
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "a state cache holds at least one key, got " + capacity);
        }
        this.stats = stats;
        this.entries =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<K, Object> eldest) {
                        return size() > capacity;
                    }
                };
    }

    /** The cached value of {@code key}: a value, {@link #ABSENT}, or null when not cached. */
    Object lookUp(K key) {
        Object cached = entries.get(key);
        if (cached == null) {
            stats.misses.inc();
        } else {
            stats.hits.inc();
        }
        return cached;
    }

    /** The cached value of {@code key} without counting a hit or a miss, or null. */
    Object peek(K key) {
        return entries.get(key);
    }

    void put(K key, Object value) {
        entries.put(key, value == null ? ABSENT : value);
    }

    /**
     * The hits and misses of a function's caches, as metrics {@code stateCacheHits} and {@code
     * stateCacheMisses}: one pair per function, shared by its states ({@link StateCaches}).
     */
    static final class Stats {
        final Counter hits;
        final Counter misses;

        Stats(MetricGroup metrics) {
            this.hits = metrics.counter("stateCacheHits");
            this.misses = metrics.counter("stateCacheMisses");
        }
    }
}
