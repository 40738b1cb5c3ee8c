package io.eventml.features;

import org.apache.flink.streaming.api.TimerService;

/**
 * Maintenance timers at whole hours, so that a busy key has at most one pending maintenance timer
 * per hour: folding recent events into the settled state, and clearing state that every window has
 * left behind.
 */
final class Retention {
    static final long HOUR = 3_600_000L;

    /** Recent events are folded once at least this much of them is behind the frontier. */
    static final long FOLD_BACKLOG = 60_000L;

    /**
     * A stage that scores a view on arrival (no timer of its own) folds only once this much of its
     * recent events is behind the frontier: a fold reads and writes the whole settled state, which
     * costs more than reading a few minutes of recent events at every view (the user stage's thread
     * spent 25% more with {@link #FOLD_BACKLOG} here), while without it the recent events would
     * pile up until the whole hour.
     */
    static final long ARRIVAL_FOLD_BACKLOG = 10 * 60_000L;

    private Retention() {}

    /** Registers a timer at the first whole hour at or after {@code lastEventTime + retention}. */
    static void scheduleCleanup(TimerService timers, long lastEventTime, long retentionMillis) {
        timers.registerEventTimeTimer(cleanupTime(lastEventTime, retentionMillis));
    }

    /**
     * Registers the whole-hour timer by which an event of {@code time} is behind the frontier and
     * gets folded, whether or not a view comes along to fold it earlier.
     */
    static void scheduleFold(TimerService timers, long time, long allowedLatenessMillis) {
        timers.registerEventTimeTimer(cleanupTime(time + allowedLatenessMillis, HOUR));
    }

    /**
     * Whether a timer firing at {@code time} should run the maintenance. It reads state (and may
     * iterate a map), so it runs only at whole hours, not on every view timer, and not at the end
     * of a bounded input (watermark {@link Long#MAX_VALUE}), when every timer fires at once and the
     * state is about to be dropped anyway.
     */
    static boolean isCleanupTime(long time, TimerService timers) {
        return Math.floorMod(time, HOUR) == 0 && timers.currentWatermark() != Long.MAX_VALUE;
    }

    static long cleanupTime(long lastEventTime, long retentionMillis) {
        long due = lastEventTime + retentionMillis;
        return Math.floorDiv(due + HOUR - 1, HOUR) * HOUR;
    }
}
