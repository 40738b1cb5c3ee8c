package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

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
     * Whether the driver may advance the watermark after the {@code i}-th arrival: not for 150
     * arrivals after the restore at the {@code restoreAt}-th, as a restored job's watermark starts
     * again from nothing and takes a while to come back.
     */
    static boolean watermarkDue(int i, int restoreAt) {
        return i < restoreAt || i >= restoreAt + 150;
    }

    /**
     * The views' watermark of a stage whose views come through the stage before it, after the
     * {@code i}-th arrival, as the events' watermark moves to {@code eventsWatermark}: equal to it
     * in stretches of 100 arrivals, 30 s behind it in the stretches between (never moving back from
     * {@code viewsWatermark}), so that views the events' watermark has passed arrive at the stage.
     */
    static long viewsWatermark(int i, long eventsWatermark, long viewsWatermark) {
        long trailing = (i / 100) % 2 == 0 ? 0 : 30_000;
        return Math.max(viewsWatermark, eventsWatermark - trailing);
    }

    /** An arrival order, and where in it the job is restored from a snapshot. */
    record Replay(List<CanonicalEvent> order, int restoreAt) {}

    /**
     * {@code before} and {@code after} (two bursts a lifetime's gap apart, or nearly) in the {@link
     * #arrivalOrder} of both, restored where the first event of {@code after} arrives, and {@code
     * veryLate} events of {@code before} taken out and delivered among the later arrivals of {@code
     * after}: more than the gap late, as a backfill of a lost partition would bring them.
     */
    static Replay acrossAGap(
            List<CanonicalEvent> before, List<CanonicalEvent> after, int veryLate, Random random) {
        List<CanonicalEvent> all = new ArrayList<>(before);
        all.addAll(after);
        List<CanonicalEvent> order = new ArrayList<>(arrivalOrder(all, random));
        List<CanonicalEvent> moved = new ArrayList<>();
        while (moved.size() < veryLate) {
            moved.add(order.remove(random.nextInt(before.size() - moved.size())));
        }
        Set<CanonicalEvent> second = new HashSet<>(after);
        int restoreAt = 0;
        while (!second.contains(order.get(restoreAt))) {
            restoreAt++;
        }
        for (CanonicalEvent e : moved) {
            int from = restoreAt + 200;
            order.add(from + random.nextInt(order.size() - from), e);
        }
        return new Replay(order, restoreAt);
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
