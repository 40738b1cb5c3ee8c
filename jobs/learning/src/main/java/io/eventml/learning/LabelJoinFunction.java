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
 * horizon]}; negative when the watermark passes {@code view time + horizon} without one. Both
 * inputs are held until the watermark passes them and handled in event-time order (views, then
 * purchases, then expiries at equal times), so a purchase that arrives before its view, within the
 * out-of-orderness bound, still labels it.
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

    private transient ValueState<List<FeatureVector>> pending;
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
                                        Types.LIST(TypeInformation.of(FeatureVector.class))));
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
            label(List.of(event), out);
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<TrainingExample> out)
            throws Exception {
        wait(views.release(time), ctx);
        label(purchases.release(time), out);
        expire(time, out);
    }

    private void wait(List<FeatureVector> due, Context ctx) throws Exception {
        if (due.isEmpty()) {
            return;
        }
        List<FeatureVector> waiting = current();
        List<FeatureVector> sorted = new ArrayList<>(due);
        sorted.sort(Comparator.comparing(FeatureVector::eventId));
        for (FeatureVector v : sorted) {
            if (waiting.size() >= maxPending) {
                dropped.inc();
                continue;
            }
            waiting.add(v);
            ctx.timerService().registerEventTimeTimer(v.eventTime() + horizonMillis);
        }
        pending.update(waiting);
    }

    private void label(List<CanonicalEvent> due, Collector<TrainingExample> out) throws Exception {
        if (due.isEmpty()) {
            return;
        }
        List<FeatureVector> waiting = current();
        if (waiting.isEmpty()) {
            return;
        }
        for (CanonicalEvent purchase : due) {
            long t = purchase.eventTime();
            waiting.removeIf(
                    v -> {
                        boolean bought =
                                v.itemId().equals(purchase.itemId())
                                        && t >= v.eventTime()
                                        && t <= v.eventTime() + horizonMillis;
                        if (bought) {
                            out.collect(new TrainingExample(v, true, t));
                            positives.inc();
                        }
                        return bought;
                    });
        }
        store(waiting);
    }

    private void expire(long time, Collector<TrainingExample> out) throws Exception {
        List<FeatureVector> waiting = pending.value();
        if (waiting == null || waiting.isEmpty()) {
            return;
        }
        boolean changed =
                waiting.removeIf(
                        v -> {
                            boolean expired = v.eventTime() + horizonMillis <= time;
                            if (expired) {
                                out.collect(
                                        new TrainingExample(
                                                v, false, v.eventTime() + horizonMillis));
                                negatives.inc();
                            }
                            return expired;
                        });
        if (changed) {
            store(waiting);
        }
    }

    private List<FeatureVector> current() throws Exception {
        List<FeatureVector> waiting = pending.value();
        return waiting == null ? new ArrayList<>() : new ArrayList<>(waiting);
    }

    private void store(List<FeatureVector> waiting) throws Exception {
        if (waiting.isEmpty()) {
            pending.clear();
        } else {
            pending.update(waiting);
        }
    }
}
