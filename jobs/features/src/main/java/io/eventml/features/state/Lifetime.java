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
     * Whether an event of {@code time} that did not restart the lifetime belongs to it: false only
     * if it lies a whole gap before the lifetime's start (one that arrived after its time was
     * settled, of an earlier lifetime). One that belongs may move the start back to its time.
     */
    static boolean joins(long lifetimeStart, long time, long gap) {
        return time >= lifetimeStart || lifetimeStart - time < gap;
    }
}
