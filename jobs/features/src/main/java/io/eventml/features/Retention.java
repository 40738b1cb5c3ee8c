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

    /**
     * Whether a timer firing at {@code time} should run the clean-up checks. They read state (and
     * may iterate a map), so they run only at whole hours, not on every event timer, and not at the
     * end of a bounded input (watermark {@link Long#MAX_VALUE}), when every timer fires at once and
     * the state is about to be dropped anyway.
     */
    static boolean isCleanupTime(long time, TimerService timers) {
        return Math.floorMod(time, HOUR) == 0 && timers.currentWatermark() != Long.MAX_VALUE;
    }

    static long cleanupTime(long lastEventTime, long retentionMillis) {
        long due = lastEventTime + retentionMillis;
        return Math.floorDiv(due + HOUR - 1, HOUR) * HOUR;
    }
}
