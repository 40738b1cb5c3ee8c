package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.state.TimeBuffer;
import io.eventml.features.state.StoreState;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Comparator;
import java.util.List;

/**
 * Keyed by store. Input 1: in-store product views on their way; input 2: the store's footfall
 * readings. Each view gets the footfall of the 15 one-minute buckets up to its time (readings
 * strictly before it). Held until the watermark, views before readings at equal times; state is
 * cleared an hour after the last reading.
 */
public final class StoreFootfallFunction
        extends KeyedCoProcessFunction<String, PendingVector, CanonicalEvent, PendingVector> {
    private static final long serialVersionUID = 1L;

    static final long RETENTION = StoreState.SLOTS * 60_000L + 60_000L;

    private transient ValueState<StoreState> state;
    private transient TimeBuffer<PendingVector> views;
    private transient TimeBuffer<CanonicalEvent> readings;
    private transient Counter late;

    @Override
    public void open(OpenContext openContext) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "store", TypeInformation.of(StoreState.class)));
        views =
                new TimeBuffer<>(
                        getRuntimeContext(), "held-views", TypeInformation.of(PendingVector.class));
        readings =
                new TimeBuffer<>(
                        getRuntimeContext(),
                        "held-readings",
                        TypeInformation.of(CanonicalEvent.class));
        late = getRuntimeContext().getMetricGroup().addGroup("eventml").counter("lateEvents");
    }

    @Override
    public void processElement1(PendingVector view, Context ctx, Collector<PendingVector> out)
            throws Exception {
        if (!views.hold(view.view().eventTime(), view, ctx.timerService())) {
            late.inc();
            score(List.of(view), out);
        }
    }

    @Override
    public void processElement2(CanonicalEvent reading, Context ctx, Collector<PendingVector> out)
            throws Exception {
        if (!readings.hold(reading.eventTime(), reading, ctx.timerService())) {
            late.inc();
            apply(List.of(reading), ctx);
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<PendingVector> out)
            throws Exception {
        score(views.release(time), out);
        apply(readings.release(time), ctx);
        if (Retention.isCleanupTime(time, ctx.timerService())) {
            StoreState store = state.value();
            if (store != null && time >= store.lastEventTime + RETENTION) {
                state.clear();
            }
        }
    }

    private void score(List<PendingVector> due, Collector<PendingVector> out) throws Exception {
        if (due.isEmpty()) {
            return;
        }
        StoreState store = state.value();
        due.stream()
                .sorted(Comparator.comparing(p -> p.view().eventId()))
                .forEach(
                        p ->
                                out.collect(
                                        p.withFootfall(
                                                store == null
                                                        ? 0
                                                        : store.footfall15m(
                                                                p.view().eventTime()))));
    }

    private void apply(List<CanonicalEvent> due, Context ctx) throws Exception {
        if (due.isEmpty()) {
            return;
        }
        StoreState store = state.value();
        if (store == null) {
            store = new StoreState();
        }
        for (CanonicalEvent r : due) {
            store.add(r.eventTime(), r.value());
            store.lastEventTime = Math.max(store.lastEventTime, r.eventTime());
        }
        state.update(store);
        Retention.scheduleCleanup(ctx.timerService(), store.lastEventTime, RETENTION);
    }
}
