package io.eventml.learning;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.state.TimeBuffer;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keyed by user: turns each view's feature vector into a training example once its label is known.
 * Positive when the user buys the viewed item at a time in {@code [view time, view time +
 * horizon]}; negative otherwise. Both inputs are held until the watermark passes them and handled
 * in event-time order (views, then purchases, then expiries at equal times), so a purchase that
 * arrives before its view, within the out-of-orderness bound, still labels it.
 *
 * <p>Every example is emitted when the watermark passes {@code view time + horizon}, positive or
 * negative: examples leave in the order of their views, whatever their label. Emitting a positive
 * at its purchase would hand the trainer positives up to a horizon before the negatives of the same
 * views, and a model learning online would lean towards positives (at the start, only positives).
 *
 * <p>At most {@code maxPending} views wait per user; more are dropped and counted ({@code
 * droppedViews}). All state is gone once the user's last view is labelled.
 */
public final class LabelJoinFunction
        extends KeyedCoProcessFunction<String, FeatureVector, CanonicalEvent, TrainingExample> {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_HORIZON = Duration.ofMinutes(30);
    public static final int DEFAULT_MAX_PENDING = 100;

    private final long horizonMillis;
    private final int maxPending;

    /** Views waiting for their horizon, as examples labelled so far (negative until bought). */
    private transient ValueState<List<TrainingExample>> pending;

    private transient TimeBuffer<FeatureVector> views;
    private transient TimeBuffer<CanonicalEvent> purchases;
    private transient Counter positives;
    private transient Counter negatives;
    private transient Counter dropped;
    private transient Counter late;

    public LabelJoinFunction(Duration horizon, int maxPending) {
        if (horizon.isNegative() || horizon.isZero()) {
            throw new IllegalArgumentException(
                    "the label horizon must be positive, got " + horizon);
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException(
                    "at least one view must be allowed to wait, got " + maxPending);
        }
        this.horizonMillis = horizon.toMillis();
        this.maxPending = maxPending;
    }

    @Override
    public void open(OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "pending",
                                        Types.LIST(TypeInformation.of(TrainingExample.class))));
        views =
                new TimeBuffer<>(
                        getRuntimeContext(), "held-views", TypeInformation.of(FeatureVector.class));
        purchases =
                new TimeBuffer<>(
                        getRuntimeContext(),
                        "held-purchases",
                        TypeInformation.of(CanonicalEvent.class));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        positives = metrics.counter("positiveExamples");
        negatives = metrics.counter("negativeExamples");
        dropped = metrics.counter("droppedViews");
        late = metrics.counter("lateEvents");
    }

    @Override
    public void processElement1(FeatureVector view, Context ctx, Collector<TrainingExample> out)
            throws Exception {
        if (!views.hold(view.eventTime(), view, ctx.timerService())) {
            late.inc();
            wait(List.of(view), ctx);
        }
    }

    @Override
    public void processElement2(CanonicalEvent event, Context ctx, Collector<TrainingExample> out)
            throws Exception {
        if (event.type() != EventType.PURCHASE) {
            return;
        }
        if (!purchases.hold(event.eventTime(), event, ctx.timerService())) {
            late.inc();
            label(List.of(event));
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<TrainingExample> out)
            throws Exception {
        wait(views.release(time), ctx);
        label(purchases.release(time));
        expire(time, out);
    }

    private void wait(List<FeatureVector> due, Context ctx) throws Exception {
        if (due.isEmpty()) {
            return;
        }
        List<TrainingExample> waiting = current();
        List<FeatureVector> sorted = new ArrayList<>(due);
        sorted.sort(Comparator.comparing(FeatureVector::eventId));
        for (FeatureVector v : sorted) {
            if (waiting.size() >= maxPending) {
                dropped.inc();
                continue;
            }
            long horizonEnd = v.eventTime() + horizonMillis;
            waiting.add(new TrainingExample(v, false, horizonEnd));
            ctx.timerService().registerEventTimeTimer(horizonEnd);
        }
        pending.update(waiting);
    }

    /** Marks the waiting views these purchases label positive; the first purchase's time counts. */
    private void label(List<CanonicalEvent> due) throws Exception {
        if (due.isEmpty()) {
            return;
        }
        List<TrainingExample> waiting = current();
        boolean changed = false;
        for (CanonicalEvent purchase : due) {
            long t = purchase.eventTime();
            for (int i = 0; i < waiting.size(); i++) {
                TrainingExample e = waiting.get(i);
                FeatureVector v = e.features();
                if (!e.label()
                        && v.itemId().equals(purchase.itemId())
                        && t >= v.eventTime()
                        && t <= v.eventTime() + horizonMillis) {
                    waiting.set(i, new TrainingExample(v, true, t));
                    changed = true;
                }
            }
        }
        if (changed) {
            store(waiting);
        }
    }

    /** Emits, in view order, every example whose horizon has passed. */
    private void expire(long time, Collector<TrainingExample> out) throws Exception {
        List<TrainingExample> waiting = current();
        List<TrainingExample> done = new ArrayList<>();
        waiting.removeIf(
                e -> {
                    boolean due = e.features().eventTime() + horizonMillis <= time;
                    if (due) {
                        done.add(e);
                    }
                    return due;
                });
        if (done.isEmpty()) {
            return;
        }
        done.sort(
                Comparator.comparingLong((TrainingExample e) -> e.features().eventTime())
                        .thenComparing(e -> e.features().eventId()));
        for (TrainingExample e : done) {
            out.collect(e);
            (e.label() ? positives : negatives).inc();
        }
        store(waiting);
    }

    private List<TrainingExample> current() throws Exception {
        List<TrainingExample> waiting = pending.value();
        return waiting == null ? new ArrayList<>() : new ArrayList<>(waiting);
    }

    private void store(List<TrainingExample> waiting) throws Exception {
        if (waiting.isEmpty()) {
            pending.clear();
        } else {
            pending.update(waiting);
        }
    }
}
