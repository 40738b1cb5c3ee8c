package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.state.SlotStates;
import io.eventml.features.state.StoreState;
import io.eventml.features.state.TimedValue;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keyed by store. Input 1: in-store product views on their way; input 2: the store's footfall
 * readings. Each view gets the footfall of the 15 one-minute buckets up to its time, from readings
 * strictly before it. The same time rules and state layout as {@link ItemFeatureFunction}: settled
 * buckets, recent readings appended, views held in one-second slots; state is cleared an hour after
 * the last reading.
 */
public final class StoreFootfallFunction
        extends KeyedCoProcessFunction<String, PendingVector, CanonicalEvent, PendingVector>
        implements SlotStates.User {
    private static final long serialVersionUID = 1L;

    private transient SlotStates slots;

    static final long RETENTION = StoreState.SLOTS * 60_000L + 60_000L;

    private final long allowedLatenessMillis;
    private final OutputTag<LateView> lateViews;

    private transient ValueState<StoreState> state;
    private transient ListState<TimedValue> recent;
    private transient HeldViews<PendingVector> views;
    private transient Counter lateEvents;

    public StoreFootfallFunction(long allowedLatenessMillis, OutputTag<LateView> lateViews) {
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.lateViews = lateViews;
    }

    @Override
    public void useSlotStates(SlotStates slots) {
        this.slots = slots;
    }

    @Override
    public void open(OpenContext openContext) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "store", TypeInformation.of(StoreState.class)));
        recent =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "recent", TypeInformation.of(TimedValue.class)));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        views =
                new HeldViews<>(
                        slots,
                        getRuntimeContext(),
                        TypeInformation.of(PendingVector.class),
                        allowedLatenessMillis,
                        metrics);
        lateEvents = metrics.counter("lateEvents");
    }

    @Override
    public void processElement1(PendingVector view, Context ctx, Collector<PendingVector> out)
            throws Exception {
        TimerService timers = ctx.timerService();
        switch (views.arrive(view.view().eventTime(), view, timers, slots.secondInputWatermark())) {
            case HELD -> {}
            case SCORE_NOW -> score(List.of(view), ctx, out);
            case TOO_LATE ->
                    ctx.output(
                            lateViews,
                            new LateView(
                                    view.view(),
                                    "store",
                                    HeldViews.frontier(
                                            timers.currentWatermark(), allowedLatenessMillis)));
        }
    }

    @Override
    public void processElement2(CanonicalEvent reading, Context ctx, Collector<PendingVector> out)
            throws Exception {
        long t = reading.eventTime();
        if (t <= ctx.timerService().currentWatermark()) {
            lateEvents.inc();
        }
        recent.add(new TimedValue(t, reading.value()));
        Retention.scheduleFold(ctx.timerService(), t, allowedLatenessMillis);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<PendingVector> out)
            throws Exception {
        List<PendingVector> due = views.release(time);
        if (!due.isEmpty()) {
            score(due, ctx, out);
        }
        boolean wholeHour = Retention.isCleanupTime(time, ctx.timerService());
        if (!due.isEmpty() || wholeHour) {
            fold(HeldViews.frontier(time, allowedLatenessMillis), wholeHour, ctx.timerService());
        }
        if (wholeHour) {
            StoreState store = state.value();
            if (store != null
                    && time >= store.lastEventTime + RETENTION
                    && !recent.get().iterator().hasNext()) {
                state.clear();
            }
        }
    }

    private void score(List<PendingVector> due, Context ctx, Collector<PendingVector> out)
            throws Exception {
        List<PendingVector> sorted = new ArrayList<>(due);
        sorted.sort(Comparator.comparing(p -> p.view().eventId()));
        StoreState settled = state.value();
        List<TimedValue> readings = new ArrayList<>();
        for (TimedValue r : recent.get()) {
            readings.add(r);
        }
        for (PendingVector p : sorted) {
            long t = p.view().eventTime();
            if (settled != null && t < settled.settledBefore) {
                views.tooLate();
                ctx.output(lateViews, new LateView(p.view(), "store", settled.settledBefore));
                continue;
            }
            StoreState asOf = settled == null ? new StoreState() : settled.copy();
            for (TimedValue r : readings) {
                if (r.time < t) {
                    asOf.add(r.time, r.value);
                }
            }
            out.collect(p.withFootfall(asOf.footfall15m(t)));
        }
    }

    /** As {@link ItemFeatureFunction}: settle the readings before the frontier. */
    private void fold(long frontier, boolean force, TimerService timers) throws Exception {
        List<TimedValue> keep = new ArrayList<>();
        List<TimedValue> settle = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (TimedValue r : recent.get()) {
            if (r.time < frontier) {
                settle.add(r);
                oldest = Math.min(oldest, r.time);
            } else {
                keep.add(r);
            }
        }
        if (settle.isEmpty() || (!force && oldest >= frontier - Retention.FOLD_BACKLOG)) {
            return;
        }
        StoreState store = state.value();
        if (store == null) {
            store = new StoreState();
        }
        for (TimedValue r : settle) {
            store.add(r.time, r.value);
            store.lastEventTime = Math.max(store.lastEventTime, r.time);
        }
        store.settledBefore = Math.max(store.settledBefore, frontier);
        state.update(store);
        recent.update(keep);
        Retention.scheduleCleanup(timers, store.lastEventTime, RETENTION);
    }
}
