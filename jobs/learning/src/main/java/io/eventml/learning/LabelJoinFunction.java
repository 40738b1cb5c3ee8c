package io.eventml.learning;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.state.ListStates;
import io.eventml.common.state.SlotStates;
import io.eventml.common.state.TimeBuffer;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Keyed by user: turns each view's feature vector into a training example once its label is known.
 * Positive when the user buys the viewed item at a time in {@code [view time, view time + horizon]}
 * (a purchase at the view's own millisecond counts: in the view's features it does not, as they
 * hold only what came strictly before), negative otherwise.
 *
 * <p>A view waits until the watermark passes {@code view time + horizon} (in one-second slots, one
 * timer per user and slot); by then every purchase that can label it has arrived. Examples leave in
 * the order of their views, whatever their label: emitting a positive at its purchase would hand
 * the trainer positives up to a horizon before the negatives of the same views.
 *
 * <p>Purchases are appended to {@code purchases} (an append reads nothing) and kept as long as a
 * view that can still be labelled may need them: a view is accepted until the watermark is the
 * allowed lateness past its horizon, so a purchase is kept until the watermark is a horizon plus
 * the allowed lateness past it. A view later than that, or (after a restore, when the watermark
 * starts again from nothing) older than the purchases already dropped, cannot be labelled for sure:
 * it is emitted to the {@link #TOO_LATE} side output and counted in {@code lateViews}. All state is
 * gone a horizon plus the allowed lateness after the user's last purchase and view.
 *
 * <p>With {@link Feedback#IMMEDIATE} it also emits <em>early</em> examples to the {@link #EARLY}
 * side output, for the trainer to learn from at once: each view that will be labelled, as a
 * negative when the watermark reaches it, and each view that will be labelled positive, once more
 * as a positive when the watermark reaches the purchase that makes it so. Both follow the
 * watermark, not the arrival: in a backlog or a catch-up one input runs ahead of the other, and the
 * trainer must see views and purchases in the proportions they happened in (live, the wait is about
 * the watermark bound). Early and final labels agree: the early positives are exactly the views
 * labelled positive. A view not yet known positive is indexed by id in {@code pending-views} (its
 * item and time, not its vector) until it is labelled, so that a purchase reads only the user's
 * pending views, not every slot of the horizon; an early example waits in its slot in {@code
 * early-examples} until the watermark reaches it.
 */
public final class LabelJoinFunction
        extends KeyedCoProcessFunction<String, FeatureVector, CanonicalEvent, TrainingExample>
        implements SlotStates.User {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_HORIZON = Duration.ofMinutes(30);
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofMinutes(5);

    /** Views that cannot be labelled for sure any more. */
    public static final OutputTag<FeatureVector> TOO_LATE =
            new OutputTag<>("late-views", TypeInformation.of(FeatureVector.class));

    /** Early examples ({@link Feedback#IMMEDIATE}): fake negatives and early positives. */
    public static final OutputTag<TrainingExample> EARLY =
            new OutputTag<>("early-examples", TypeInformation.of(TrainingExample.class));

    static final long SLOT_MILLIS = 1_000L;
    static final long HOUR = 3_600_000L;

    /**
     * How long beyond the longest wait of a view (the horizon plus the allowed lateness) a user
     * without purchases remembers up to when purchases were dropped: a view older than that
     * arriving after a restore is refused rather than labelled negative for want of a purchase.
     * Views a day late are beyond what the suite's restores produce. Counted from the longest wait,
     * no view still held is older than the forgotten time, whatever the horizon.
     */
    static final long FORGET_PRUNED_AFTER = 24 * HOUR;

    /** Kept purchases are pruned once at least this much of them is no longer needed. */
    static final long PRUNE_BACKLOG = 60_000L;

    private final long horizonMillis;
    private final long allowedLatenessMillis;
    private final boolean early;
    private final long forgetPrunedAfterMillis;

    private transient SlotStates slots;
    private transient TimeBuffer<FeatureVector> views;
    private transient ListState<Purchase> purchases;

    /** Purchases before this time have been dropped: views before it cannot be labelled. */
    private transient ValueState<Long> prunedBefore;

    /** Views held but not yet known positive, by event id ({@link Feedback#IMMEDIATE}). */
    private transient MapState<String, PendingView> pending;

    /** Early examples waiting for the watermark to reach their label time. */
    private transient TimeBuffer<TrainingExample> earlyExamples;

    private transient Counter positives;
    private transient Counter negatives;
    private transient Counter late;
    private transient Counter lateEvents;
    private transient Counter fakeNegatives;
    private transient Counter earlyPositiveCount;

    public LabelJoinFunction(Duration horizon, Duration allowedLateness, Feedback feedback) {
        if (horizon.isNegative() || horizon.isZero()) {
            throw new IllegalArgumentException(
                    "the label horizon must be positive, got " + horizon);
        }
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException(
                    "the allowed lateness must not be negative, got " + allowedLateness);
        }
        this.horizonMillis = horizon.toMillis();
        this.allowedLatenessMillis = allowedLateness.toMillis();
        this.early = feedback == Feedback.IMMEDIATE;
        this.forgetPrunedAfterMillis = FORGET_PRUNED_AFTER + horizonMillis + allowedLatenessMillis;
    }

    /** A kept purchase: when, and which item. */
    public static class Purchase {
        public long time;
        public String itemId;

        public Purchase() {}

        Purchase(long time, String itemId) {
            this.time = time;
            this.itemId = itemId;
        }
    }

    /** A held view not yet known positive: its item and time (its vector waits in its slot). */
    public static class PendingView {
        public String itemId;
        public long time;

        public PendingView() {}

        PendingView(String itemId, long time) {
            this.itemId = itemId;
            this.time = time;
        }
    }

    @Override
    public void useSlotStates(SlotStates slots) {
        this.slots = slots;
    }

    @Override
    public void open(OpenContext openContext) {
        views =
                new TimeBuffer<>(
                        slots,
                        getRuntimeContext(),
                        "held-views",
                        TypeInformation.of(FeatureVector.class),
                        SLOT_MILLIS);
        purchases =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "purchases", TypeInformation.of(Purchase.class)));
        prunedBefore =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("pruned-before", Types.LONG));
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-views",
                                        Types.STRING,
                                        TypeInformation.of(PendingView.class)));
        earlyExamples =
                new TimeBuffer<>(
                        slots,
                        getRuntimeContext(),
                        "early-examples",
                        TypeInformation.of(TrainingExample.class),
                        SLOT_MILLIS);
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        positives = metrics.counter("positiveExamples");
        negatives = metrics.counter("negativeExamples");
        late = metrics.counter("lateViews");
        lateEvents = metrics.counter("lateEvents");
        fakeNegatives = metrics.counter("fakeNegatives");
        earlyPositiveCount = metrics.counter("earlyPositives");
    }

    @Override
    public void processElement1(FeatureVector view, Context ctx, Collector<TrainingExample> out)
            throws Exception {
        long horizonEnd = view.eventTime() + horizonMillis;
        TimerService timers = ctx.timerService();
        if (views.hold(horizonEnd, view, timers)) {
            if (early) {
                early(view, true, prunedBefore.value(), ListStates.read(purchases), ctx);
            }
            return;
        }
        // Its horizon has passed: label it now if every purchase it may need is still kept.
        if (horizonEnd >= frontier(timers.currentWatermark())) {
            Long pruned = prunedBefore.value();
            List<Purchase> bought = ListStates.read(purchases);
            if (early) {
                early(view, false, pruned, bought, ctx);
            }
            label(List.of(view), pruned, bought, ctx, out);
        } else {
            late.inc();
            ctx.output(TOO_LATE, view);
        }
    }

    @Override
    public void processElement2(CanonicalEvent event, Context ctx, Collector<TrainingExample> out)
            throws Exception {
        if (event.type() != EventType.PURCHASE) {
            return;
        }
        long t = event.eventTime();
        if (t <= ctx.timerService().currentWatermark()) {
            // Views whose horizon the watermark passed before it arrived are already labelled.
            lateEvents.inc();
        }
        purchases.add(new Purchase(t, event.itemId()));
        ctx.timerService()
                .registerEventTimeTimer(wholeHourAfter(t + horizonMillis + allowedLatenessMillis));
        if (early) {
            convertPending(t, event.itemId(), ctx);
        }
    }

    /**
     * A view that will be labelled: a fake negative and, if a kept purchase already makes it
     * positive, an early positive; otherwise, if it is held, it waits in {@code pending} for its
     * purchase.
     */
    private void early(
            FeatureVector view, boolean held, Long pruned, List<Purchase> bought, Context ctx)
            throws Exception {
        if (pruned != null && view.eventTime() < pruned) {
            // It will be refused when it is labelled: no early examples either.
            return;
        }
        emitEarly(new TrainingExample(view, false, view.eventTime()), ctx);
        long first = firstPurchase(view, bought);
        if (first != Long.MAX_VALUE) {
            emitEarly(new TrainingExample(view, true, first), ctx);
        } else if (held) {
            pending.put(view.eventId(), new PendingView(view.itemId(), view.eventTime()));
        }
    }

    /** The user's pending views of {@code itemId} that a purchase at {@code t} makes positive. */
    private void convertPending(long t, String itemId, Context ctx) throws Exception {
        List<Map.Entry<String, PendingView>> converted = new ArrayList<>();
        for (Map.Entry<String, PendingView> e : pending.entries()) {
            PendingView v = e.getValue();
            if (v.itemId.equals(itemId) && t >= v.time && t <= v.time + horizonMillis) {
                converted.add(Map.entry(e.getKey(), v));
            }
        }
        for (Map.Entry<String, PendingView> c : converted) {
            pending.remove(c.getKey());
            FeatureVector view = null;
            for (FeatureVector held : views.peek(c.getValue().time + horizonMillis)) {
                if (held.eventId().equals(c.getKey())) {
                    view = held;
                }
            }
            if (view != null) {
                // One no longer held has had its final label: nothing to learn early.
                emitEarly(new TrainingExample(view, true, t), ctx);
            }
        }
    }

    /** Emits an early example once the watermark is at its label time. */
    private void emitEarly(TrainingExample e, Context ctx) throws Exception {
        if (!earlyExamples.hold(e.labelTime(), e, ctx.timerService())) {
            outputEarly(e, ctx);
        }
    }

    private void outputEarly(TrainingExample e, Context ctx) {
        ctx.output(EARLY, e);
        (e.label() ? earlyPositiveCount : fakeNegatives).inc();
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<TrainingExample> out)
            throws Exception {
        // The early state is released in either mode, so that none is left behind when a job
        // restored with the other --feedback finds some.
        List<TrainingExample> reached = earlyExamples.release(time);
        if (early) {
            reached.sort(
                    Comparator.comparingLong(TrainingExample::labelTime)
                            .thenComparing(e -> e.features().eventId())
                            .thenComparing(TrainingExample::label));
            for (TrainingExample e : reached) {
                outputEarly(e, ctx);
            }
        }
        List<FeatureVector> due = views.release(time);
        for (FeatureVector v : due) {
            pending.remove(v.eventId());
        }
        boolean wholeHour =
                Math.floorMod(time, HOUR) == 0
                        && ctx.timerService().currentWatermark() != Long.MAX_VALUE;
        if (due.isEmpty() && !wholeHour) {
            return;
        }
        // Each piece of state read once per timer, for the labels and the pruning.
        Long pruned = prunedBefore.value();
        List<Purchase> bought = ListStates.read(purchases);
        if (!due.isEmpty()) {
            label(due, pruned, bought, ctx, out);
        }
        // The frontier of this timer's time: the timers of later slots, still to fire in a jump of
        // the watermark, may need purchases the watermark alone would drop.
        boolean kept =
                prune(
                        frontier(time) - horizonMillis,
                        wholeHour,
                        pruned,
                        bought,
                        ctx.timerService());
        if (wholeHour && !kept) {
            Long prunedNow = prunedBefore.value();
            if (prunedNow != null && time >= prunedNow + forgetPrunedAfterMillis) {
                prunedBefore.clear();
            } else if (prunedNow != null) {
                // A timer of an earlier rule (a shorter memory), restored from a savepoint.
                ctx.timerService()
                        .registerEventTimeTimer(
                                wholeHourAfter(prunedNow + forgetPrunedAfterMillis));
            }
        }
    }

    /** Horizon ends before this are behind the allowed lateness. */
    private long frontier(long watermark) {
        return watermark < Long.MIN_VALUE + allowedLatenessMillis
                ? Long.MIN_VALUE
                : watermark - allowedLatenessMillis;
    }

    private static long wholeHourAfter(long time) {
        return Math.floorDiv(time, HOUR) * HOUR + HOUR;
    }

    /** Labels views from the kept purchases and emits them in view order. */
    private void label(
            List<FeatureVector> due,
            Long pruned,
            List<Purchase> bought,
            Context ctx,
            Collector<TrainingExample> out) {
        List<FeatureVector> sorted = new ArrayList<>(due);
        sorted.sort(
                Comparator.comparingLong(FeatureVector::eventTime)
                        .thenComparing(FeatureVector::eventId));
        for (FeatureVector v : sorted) {
            long t = v.eventTime();
            if (pruned != null && t < pruned) {
                late.inc();
                ctx.output(TOO_LATE, v);
                continue;
            }
            long first = firstPurchase(v, bought);
            boolean positive = first != Long.MAX_VALUE;
            out.collect(new TrainingExample(v, positive, positive ? first : t + horizonMillis));
            (positive ? positives : negatives).inc();
        }
    }

    /** The time of the first purchase that makes {@code v} positive; none: the largest long. */
    private long firstPurchase(FeatureVector v, List<Purchase> bought) {
        long t = v.eventTime();
        long first = Long.MAX_VALUE;
        for (Purchase p : bought) {
            if (p.time >= t
                    && p.time <= t + horizonMillis
                    && p.time < first
                    && p.itemId.equals(v.itemId())) {
                first = p.time;
            }
        }
        return first;
    }

    /**
     * Drops the purchases before {@code keepFrom}, which no view that can still be labelled needs:
     * always when {@code force}, otherwise once a minute's worth of them is droppable. Returns
     * whether purchases remain.
     */
    private boolean prune(
            long keepFrom, boolean force, Long pruned, List<Purchase> bought, TimerService timers)
            throws Exception {
        List<Purchase> keep = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        boolean any = false;
        for (Purchase p : bought) {
            if (p.time < keepFrom) {
                any = true;
                oldest = Math.min(oldest, p.time);
            } else {
                keep.add(p);
            }
        }
        if (!any || (!force && oldest >= keepFrom - PRUNE_BACKLOG)) {
            return !bought.isEmpty();
        }
        purchases.update(keep);
        long now = pruned == null ? keepFrom : Math.max(pruned, keepFrom);
        prunedBefore.update(now);
        timers.registerEventTimeTimer(wholeHourAfter(now + forgetPrunedAfterMillis));
        return !keep.isEmpty();
    }
}
