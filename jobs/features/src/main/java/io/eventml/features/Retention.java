package io.eventml.features;

import org.apache.flink.streaming.api.TimerService;

/**
 * Clean-up timers at whole hours, so that a busy key has at most one pending clean-up timer per
 * hour.
 */
final class Retention {
    static final long HOUR = 3_600_000L;

    private Retention() {}

    /** Registers a timer at the first whole hour at or after {@code lastEventTime + retention}. */
    static void scheduleCleanup(TimerService timers, long lastEventTime, long retentionMillis) {
        timers.registerEventTimeTimer(cleanupTime(lastEventTime, retentionMillis));
    }

    static long cleanupTime(long lastEventTime, long retentionMillis) {
        long due = lastEventTime + retentionMillis;
        return Math.floorDiv(due + HOUR - 1, HOUR) * HOUR;
    }
}
