package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * An arrival order for harness tests where the time rules are hardest: most events within the
 * watermark's bound, some behind the watermark but within the allowed lateness, some views beyond
 * it.
 */
final class Disorder {
    static final long BOUND = 10_000L;
    static final long LATENESS = 60_000L;

    private Disorder() {}

    /**
     * The watermark minus the allowed lateness; nothing is behind it before the first watermark.
     */
    static long frontier(long watermark) {
        return watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - LATENESS;
    }

    /**
     * Whether the driver may advance the watermark after the {@code i}-th of {@code n} arrivals:
     * not for 150 arrivals after the restore in the middle, as a restored job's watermark starts
     * again from nothing and takes a while to come back.
     */
    static boolean watermarkDue(int i, int n) {
        return i < n / 2 || i >= n / 2 + 150;
    }

    /** An event and when it arrives, in event-time milliseconds of the stream. */
    record Arrival(CanonicalEvent event, long at) {}

    /**
     * {@code events} in arrival order: 80% delayed within the bound, 15% behind the watermark
     * within the allowed lateness, 5% (views or not) beyond it.
     */
    static List<CanonicalEvent> arrivalOrder(List<CanonicalEvent> events, Random random) {
        List<Arrival> arrivals = new ArrayList<>();
        for (CanonicalEvent e : events) {
            double kind = random.nextDouble();
            long delay;
            if (kind < 0.80) {
                delay = random.nextLong(BOUND);
            } else if (kind < 0.95) {
                delay = BOUND + random.nextLong(LATENESS * 8 / 10);
            } else {
                delay = BOUND + LATENESS + 5_000 + random.nextLong(LATENESS);
            }
            arrivals.add(new Arrival(e, e.eventTime() + delay));
        }
        arrivals.sort(Comparator.comparingLong(Arrival::at));
        return arrivals.stream().map(Arrival::event).toList();
    }
}
