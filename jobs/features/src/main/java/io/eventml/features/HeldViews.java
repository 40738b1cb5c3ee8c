package io.eventml.features;

import io.eventml.common.state.SlotStates;
import io.eventml.common.state.TimeBuffer;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;

import java.util.List;

/**
 * The views of a keyed feature stage on their way to being scored, and the time rules every stage
 * shares (docs/features.md, "Time model"):
 *
 * <ul>
 *   <li>A view ahead of the watermark waits in a one-second slot until the watermark passes the
 *       slot's end; by then every event before it has arrived (within the watermark's bound).
 *   <li>A view behind the watermark, but not by more than the allowed lateness, is scored at once:
 *       the stage still knows its state as of any time within the allowed lateness.
 *   <li>A view further behind is not scored: its features as of its time are no longer known. It is
 *       counted ({@code lateViews}) and handed back to go to the dead-letter topic.
 * </ul>
 */
final class HeldViews<V> {
    /** Views are held in slots of this much event time: one timer per key and second. */
    static final long SLOT_MILLIS = 1_000L;

    /** What became of an arriving view. */
    enum Arrival {
        /** Held until the watermark passes its slot. */
        HELD,
        /**
         * Behind the watermark within the allowed lateness, or behind the watermark of the events'
         * input: score it now.
         */
        SCORE_NOW,
        /** Beyond the allowed lateness: route it to the dead letters. */
        TOO_LATE
    }

    private final TimeBuffer<V> buffer;
    private final long allowedLatenessMillis;
    private final Counter behindWatermark;
    private final Counter tooLate;
    private final Counter scoredOnArrival;

    HeldViews(
            SlotStates slots,
            RuntimeContext context,
            TypeInformation<V> type,
            long allowedLatenessMillis,
            MetricGroup metrics) {
        this.buffer = new TimeBuffer<>(slots, context, "held-views", type, SLOT_MILLIS);
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.behindWatermark = metrics.counter("viewsBehindWatermark");
        this.tooLate = metrics.counter("lateViews");
        this.scoredOnArrival = metrics.counter("viewsScoredOnArrival");
    }

    /**
     * As {@link #arrive(long, Object, TimerService)}, in a stage whose events come on another input
     * than its views, with that input's {@code eventsWatermark}: a view that watermark has passed
     * has every event before it already (within the bound), so it is scored at once rather than
     * held until the stage's own watermark, which also waits for the views' input, passes it. The
     * vector is the same; a view comes from the stage before only once that stage's watermark
     * passed it, so most views of a stage fed by a stage before it are not held twice.
     */
    Arrival arrive(long time, V view, TimerService timers, long eventsWatermark) throws Exception {
        if (time <= eventsWatermark
                && time >= frontier(timers.currentWatermark(), allowedLatenessMillis)) {
            scoredOnArrival.inc();
            return Arrival.SCORE_NOW;
        }
        return arrive(time, view, timers);
    }

    Arrival arrive(long time, V view, TimerService timers) throws Exception {
        if (buffer.hold(time, view, timers)) {
            return Arrival.HELD;
        }
        if (time >= frontier(timers.currentWatermark(), allowedLatenessMillis)) {
            behindWatermark.inc();
            return Arrival.SCORE_NOW;
        }
        tooLate.inc();
        return Arrival.TOO_LATE;
    }

    /**
     * Counts a view found too late when it was about to be scored: older than its key's settled
     * frontier. This happens after a restore, when the watermark starts again from nothing while
     * the state has already settled past the view's time.
     */
    void tooLate() {
        tooLate.inc();
    }

    /** The views whose slot ends at {@code time}, now released. */
    List<V> release(long time) throws Exception {
        return buffer.release(time);
    }

    /**
     * The settled frontier: the watermark minus the allowed lateness. No view older than it is
     * scored any more, so events before it can be folded into the settled state; saturates at
     * {@link Long#MIN_VALUE} before the first watermark.
     */
    static long frontier(long watermark, long allowedLatenessMillis) {
        return watermark < Long.MIN_VALUE + allowedLatenessMillis
                ? Long.MIN_VALUE
                : watermark - allowedLatenessMillis;
    }
}
