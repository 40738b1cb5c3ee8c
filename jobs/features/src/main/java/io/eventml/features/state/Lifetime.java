package io.eventml.features.state;

/**
 * The rules of spec 2's lifetimes, shared by items and users: a key's events back to the first gap
 * of a given length (docs/features.md, "Lifetimes").
 */
final class Lifetime {
    private Lifetime() {}

    /** Whether a lifetime whose newest event is {@code lastEventTime} has ended by {@code time}. */
    static boolean over(long lastEventTime, long time, long gap) {
        return lastEventTime != Long.MIN_VALUE && time >= lastEventTime + gap;
    }

    /**
     * Whether an event of {@code time} starts a new lifetime (the first event, or one after a gap).
     */
    static boolean restartsAt(long lastEventTime, long time, long gap) {
        return lastEventTime == Long.MIN_VALUE || over(lastEventTime, time, gap);
    }

    /**
     * The start of the lifetime once an event of {@code time} that did not restart it is applied,
     * or {@link Long#MAX_VALUE} if the event lies a whole gap before the start (one that arrived
     * after its time was settled, of an earlier lifetime) and so is not part of it.
     */
    static long startWith(long lifetimeStart, long time, long gap) {
        if (time >= lifetimeStart) {
            return lifetimeStart;
        }
        return lifetimeStart - time >= gap ? Long.MAX_VALUE : time;
    }
}
